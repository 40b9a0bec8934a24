/**
 * Keeping one rollup bucket equal to its surveys, without transactions.
 *
 * A refresh (1) takes a ticket: `$inc seq` on the bucket, (2) recounts the bucket's
 * surveys with `$match` + `$group`/`$sum`, (3) writes the counts only if no refresh
 * with a later ticket has written yet (`appliedSeq < ticket`). Since a ticket is
 * always taken after the caller read the survey that made the bucket dirty, the
 * figures left standing always include that survey's state: a refresh that loses the
 * race was overtaken by one that counted later. Re-running a refresh is harmless, so a
 * crash at any step only means the work is done again (see survey-sync.ts).
 */
import type { Connection, Model } from 'mongoose';
import { surveyModel, type SurveyDoc } from '../survey-model.ts';
import { emptyCounts, type NpsCounts } from './nps-math.ts';
import { bucketId, rollupModel, type BucketKey, type RollupDoc } from './rollup-model.ts';
import { addCounted, COUNTED_FILTER } from './survey-counts.ts';
import { dayKeyOf, instantRange } from './time-zone.ts';

/** The survey fields that decide its bucket; they never change after creation. */
export type BucketedSurvey = Pick<SurveyDoc, 'resolvedAt' | 'channel' | 'agent' | 'type'>;

export class RollupStore {
  readonly rollups: Model<RollupDoc>;
  readonly surveys: Model<SurveyDoc>;

  constructor(conn: Connection, readonly timeZone: string, private readonly now: () => Date = () => new Date()) {
    this.rollups = rollupModel(conn);
    this.surveys = surveyModel(conn);
  }

  bucketOf(s: BucketedSurvey): BucketKey {
    return { day: dayKeyOf(s.resolvedAt, this.timeZone), channel: s.channel, agentId: s.agent.id, type: s.type ?? 'transactional' };
  }

  /** Count a bucket from its surveys. One accumulator per `$group` (FerretDB 1.24 fills only the first). */
  async countBucket(k: BucketKey): Promise<NpsCounts> {
    const range = instantRange(k.day, k.day, this.timeZone);
    const groups = await this.surveys.aggregate<{ _id: { category?: string | null; score?: number | null }; n: number }>([
      { $match: { resolvedAt: { $gte: range.from, $lt: range.to }, channel: k.channel, 'agent.id': k.agentId, type: k.type, ...COUNTED_FILTER } },
      { $group: { _id: { category: '$category', score: '$score' }, n: { $sum: 1 } } },
    ]).exec();
    const c = emptyCounts();
    for (const g of groups) addCounted(c, g._id?.category, g._id?.score, g.n);
    return c;
  }

  /** Recount one bucket and store it unless a later recount already did. */
  async refresh(k: BucketKey, agentName?: string): Promise<void> {
    const id = bucketId(k);
    const ticket = await this.takeTicket(id, k);
    const c = await this.countBucket(k);
    await this.rollups.collection.updateOne(
      { _id: id as never, appliedSeq: { $lt: ticket } },
      { $set: { ...c, appliedSeq: ticket, computedAt: this.now(), ...(agentName ? { agentName } : {}) } },
    );
  }

  private async takeTicket(id: string, k: BucketKey): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await this.rollups.collection.findOneAndUpdate(
          { _id: id as never },
          {
            $inc: { seq: 1 },
            $setOnInsert: { ...k, ...emptyCounts(), appliedSeq: 0 },
          },
          { upsert: true, returnDocument: 'after' },
        );
        const seq = (doc as { seq?: unknown } | null)?.seq;
        if (typeof seq !== 'number') throw new Error(`rollup ${id}: no ticket returned`);
        return seq;
      } catch (err) {
        // Two first refreshes of a new bucket may race on the upsert; the loser retries.
        if ((err as { code?: number }).code === 11000 && attempt < 3) continue;
        throw err;
      }
    }
  }
}
