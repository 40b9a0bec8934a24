/**
 * Keeping rollup buckets equal to their surveys, without transactions.
 *
 * A refresh reads the bucket's `version`, recounts the bucket's surveys, then writes
 * the counts as a versioned write (one conditional update on the version read, see
 * storage/versioned-update.ts): it lands only if nobody wrote the bucket since the
 * version was read, otherwise the refresh reads, recounts and tries again. So the
 * successful writes of a bucket form one sequence, each counted after the one before
 * was written, and the last always counted after every survey change it followed. The
 * caller reads the dirty survey before the refresh starts, so once a refresh succeeds
 * that survey's state is in the stored figures. Re-running a refresh is harmless: a
 * crash at any step only means the work is done again (see survey-sync.ts).
 *
 * The recount reads the surveys of many buckets in one query (days close together are
 * fetched as one range) and counts them here: FerretDB scans a collection for every
 * filtered query, so one query per bucket would not keep up.
 */
import type { Connection, Model } from 'mongoose';
import { isDuplicateKey } from '../storage/mongo-errors.ts';
import { versionedUpdate } from '../storage/versioned-update.ts';
import { surveyModel, type SurveyDoc } from '../storage/survey-model.ts';
import { forEachLimit } from './concurrency.ts';
import { emptyCounts, type NpsCounts } from './nps-math.ts';
import { bucketId, rollupModel, type BucketKey, type RollupDoc } from './rollup-model.ts';
import { addCounted, COUNTED_FILTER } from './survey-counts.ts';
import { dayKeyOf, daysBetween, instantRange, type DayKey } from './time-zone.ts';

/** The survey fields that decide its bucket; they never change after creation. */
export type BucketedSurvey = Pick<SurveyDoc, 'resolvedAt' | 'channel' | 'agent' | 'type'>;

export interface BucketWork { key: BucketKey; agentName?: string }

/** Days this close together are read with one range query. */
const CLUSTER_DAYS = 14;
const CONCURRENCY = 6;
/** Attempts per refresh before the caller leaves its surveys dirty for the next sweep. */
const MAX_ATTEMPTS = 6;

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

  /** Count the given buckets from their surveys. */
  async countBuckets(keys: BucketKey[]): Promise<Map<string, NpsCounts>> {
    const counts = new Map<string, NpsCounts>(keys.map((k) => [bucketId(k), emptyCounts()]));
    for (const cluster of clusters(keys)) {
      const range = instantRange(cluster.first, cluster.last, this.timeZone);
      const cursor = this.surveys.collection.find({
        resolvedAt: { $gte: range.from, $lt: range.to },
        channel: { $in: [...cluster.channels] },
        'agent.id': { $in: [...cluster.agents] },
        ...COUNTED_FILTER,
      }, { projection: { _id: 0, resolvedAt: 1, channel: 1, 'agent.id': 1, type: 1, askedAt: 1, category: 1, score: 1 }, batchSize: 5000 });
      for await (const s of cursor) {
        const agentId = (s.agent as { id?: unknown } | undefined)?.id;
        if (!(s.resolvedAt instanceof Date) || typeof s.channel !== 'string' || typeof agentId !== 'string') continue;
        const key: BucketKey = { day: dayKeyOf(s.resolvedAt, this.timeZone), channel: s.channel, agentId, type: s.type === 'relational' ? 'relational' : 'transactional' };
        const c = counts.get(bucketId(key));
        if (c) addCounted(c, s.category as string | undefined, s.score as number | undefined);
      }
    }
    return counts;
  }

  /**
   * Recount buckets and store them. Returns the ids of buckets that could not be written
   * (other writers kept winning); their surveys must stay dirty.
   */
  async refreshMany(buckets: BucketWork[]): Promise<Set<string>> {
    let pending = buckets;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length > 0; attempt++) {
      const versions = new Map<string, number>();
      await forEachLimit(pending, CONCURRENCY, async (b) => {
        versions.set(bucketId(b.key), await this.versionOf(b.key));
      });
      const counts = await this.countBuckets(pending.map((b) => b.key));
      const computedAt = this.now();
      const lost: BucketWork[] = [];
      await forEachLimit(pending, CONCURRENCY, async (b) => {
        const id = bucketId(b.key);
        const written = await versionedUpdate(this.rollups, id, versions.get(id)!, {
          $set: { ...counts.get(id)!, computedAt, ...(b.agentName ? { agentName: b.agentName } : {}) },
        });
        if (!written) lost.push(b);
      });
      pending = lost;
    }
    return new Set(pending.map((b) => bucketId(b.key)));
  }

  async refresh(key: BucketKey, agentName?: string): Promise<boolean> {
    return (await this.refreshMany([{ key, agentName }])).size === 0;
  }

  /** The bucket's current version, creating the (empty) bucket if it does not exist yet. */
  private async versionOf(k: BucketKey): Promise<number> {
    const id = bucketId(k);
    const doc = await this.rollups.collection.findOne({ _id: id as never }, { projection: { version: 1 } });
    if (doc) return typeof doc.version === 'number' ? doc.version : 0;
    try {
      await this.rollups.collection.insertOne({ _id: id as never, ...k, ...emptyCounts(), version: 0 });
      return 0;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const again = await this.rollups.collection.findOne({ _id: id as never }, { projection: { version: 1 } });
      return typeof again?.version === 'number' ? again.version : 0;
    }
  }
}

/** Group buckets into runs of nearby days, each read with one range query. */
function clusters(keys: BucketKey[]): Array<{ first: DayKey; last: DayKey; channels: Set<string>; agents: Set<string> }> {
  const sorted = [...keys].sort((a, b) => a.day.localeCompare(b.day));
  const out: Array<{ first: DayKey; last: DayKey; channels: Set<string>; agents: Set<string> }> = [];
  for (const k of sorted) {
    const cur = out[out.length - 1];
    if (cur && daysBetween(cur.first, k.day) < CLUSTER_DAYS) {
      cur.last = k.day;
      cur.channels.add(k.channel);
      cur.agents.add(k.agentId);
    } else {
      out.push({ first: k.day, last: k.day, channels: new Set([k.channel]), agents: new Set([k.agentId]) });
    }
  }
  return out;
}
