/**
 * Keeping rollup buckets equal to their surveys, without transactions.
 *
 * A refresh reads the bucket's `version`, recounts the bucket's surveys, then writes
 * the counts as a versioned write (a conditional update on the version read, see
 * storage/versioned-update.ts): it lands only if nobody wrote the bucket since the
 * version was read, otherwise the refresh reads, recounts and tries again. So the
 * successful writes of a bucket form one sequence, each counted after the one before
 * was written, and the last always counted after every survey change it followed. The
 * caller reads the dirty survey before the refresh starts, so once a refresh succeeds
 * that survey's state is in the stored figures. Re-running a refresh is harmless: a
 * crash at any step only means the work is done again (see survey-sync.ts).
 *
 * The month buckets of the days written are refreshed right after them, the same way,
 * from the day buckets (rollup-months.ts).
 *
 * Many buckets are refreshed together: their versions read in one query, the recount a
 * `$group` in the database per run of nearby days (a batch of changed surveys mostly
 * touches the same few days), the writes one unordered bulk write (rollup-writes.ts).
 */
import type { Connection, Model } from 'mongoose';
import { SurveyReader, type SurveyDoc } from '../../storage/surveys/index.ts';
import { addCounts, emptyCounts, type NpsCounts } from '../nps-math.ts';
import { bucketId, monthRollupModel, rollupModel, type BucketKey, type MonthRollupDoc, type RollupDoc } from './rollup-model.ts';
import { refreshMonthsOf } from './rollup-months.ts';
import { insertBuckets, readVersions, writeVersioned } from './rollup-writes.ts';
import { bucketGroupKey, bucketType, COUNT_ACCUMULATORS, COUNTED_FILTER } from '../survey-counts.ts';
import { dayKeyOf, daysBetween, instantRange, type DayKey } from '../time-zone.ts';
import type { AttributionRule } from './attribution.ts';
import { addCredited, CREDITED_FIELDS, creditedBuckets, roundedCounts, type CreditedBucket, type CreditedSurvey } from './credited-counts.ts';

/** The survey fields that decide its bucket; they never change after creation. */
export type BucketedSurvey = Pick<SurveyDoc, 'resolvedAt' | 'channel' | 'agent' | 'type'> & { participants?: unknown };

export interface BucketWork { key: BucketKey; agentName?: string }

/** Days this close together are counted with one range query. */
const CLUSTER_DAYS = 14;
/** Attempts per refresh before the caller leaves its surveys dirty for the next sweep. */
const MAX_ATTEMPTS = 6;

/** One `$group` result: a bucket's key and its counts. */
type GroupedBucket = NpsCounts & { _id: { day: string; channel: string; agentId: string; type?: unknown } };

export class RollupStore {
  readonly rollups: Model<RollupDoc>;
  readonly months: Model<MonthRollupDoc>;
  readonly surveys: SurveyReader;

  constructor(
    conn: Connection,
    readonly timeZone: string,
    private readonly now: () => Date = () => new Date(),
    /** Who a survey is credited to (ATTRIBUTION_RULE); the rollups' agent buckets follow it. */
    readonly attribution: AttributionRule = 'resolver',
  ) {
    this.rollups = rollupModel(conn);
    this.months = monthRollupModel(conn);
    this.surveys = new SurveyReader(conn);
  }

  bucketOf(s: BucketedSurvey): BucketKey {
    return { day: dayKeyOf(s.resolvedAt, this.timeZone), channel: s.channel, agentId: s.agent.id, type: s.type ?? 'transactional' };
  }

  /** Every bucket a survey feeds under the attribution rule (one, unless the credit is shared), with the agent's name. */
  bucketsOf(s: BucketedSurvey): BucketWork[] {
    if (this.attribution === 'resolver') return [{ key: this.bucketOf(s), ...(s.agent.name ? { agentName: s.agent.name } : {}) }];
    return creditedBuckets(s, this.attribution, this.timeZone).map((b) => ({ key: b.key, ...(b.agentName ? { agentName: b.agentName } : {}) }));
  }

  /** Count the given buckets from their surveys, in the database (resolver) or from the surveys read (other rules). */
  async countBuckets(keys: BucketKey[]): Promise<Map<string, NpsCounts>> {
    if (this.attribution !== 'resolver') return this.countCredited(keys);
    const counts = new Map<string, NpsCounts>(keys.map((k) => [bucketId(k), emptyCounts()]));
    for (const cluster of clusters(keys)) {
      const range = instantRange(cluster.first, cluster.last, this.timeZone);
      const groups = await this.surveys.aggregateCursor<GroupedBucket>([
        { $match: {
          resolvedAt: { $gte: range.from, $lt: range.to },
          channel: { $in: [...cluster.channels] },
          'agent.id': { $in: [...cluster.agents] }, // a date range and string lists: only bucketable surveys match
          ...COUNTED_FILTER,
        } },
        { $group: {
          _id: bucketGroupKey(this.timeZone),
          ...COUNT_ACCUMULATORS,
        } },
      ]).toArray();
      for (const g of groups) {
        // Untyped surveys fold into the transactional bucket, hence added, not assigned.
        const c = counts.get(bucketId({ ...g._id, type: bucketType(g._id.type) }));
        if (c) addCounts(c, countsOf(g));
      }
    }
    return counts;
  }

  /** Under `last-replier` or `shared`: read the surveys that may credit these agents and add each one's weighted counts. */
  private async countCredited(keys: BucketKey[]): Promise<Map<string, NpsCounts>> {
    const wanted = new Set(keys.map(bucketId));
    const found = new Map<string, CreditedBucket>();
    for (const cluster of clusters(keys)) {
      const range = instantRange(cluster.first, cluster.last, this.timeZone);
      const agents = [...cluster.agents];
      const cursor = this.surveys.findCursor({
        resolvedAt: { $gte: range.from, $lt: range.to },
        channel: { $in: [...cluster.channels] },
        $and: [COUNTED_FILTER, { $or: [{ 'agent.id': { $in: agents } }, { 'participants.id': { $in: agents } }] }],
      }, CREDITED_FIELDS);
      for await (const s of cursor) addCredited(found, s as unknown as CreditedSurvey, this.attribution, this.timeZone, wanted);
    }
    return new Map(keys.map((k) => [bucketId(k), roundedCounts(found.get(bucketId(k))?.counts ?? emptyCounts())]));
  }

  /**
   * Recount buckets and store them. Returns the ids of buckets that could not be written
   * (other writers kept winning); their surveys must stay dirty.
   */
  async refreshMany(buckets: BucketWork[]): Promise<Set<string>> {
    let pending = buckets;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length > 0; attempt++) {
      const versions = await this.versionsOf(pending.map((b) => b.key));
      const counts = await this.countBuckets(pending.map((b) => b.key));
      const computedAt = this.now();
      const landed = await writeVersioned(this.rollups, pending.map((b) => {
        const id = bucketId(b.key);
        return { id, version: versions.get(id)!, fields: { ...counts.get(id)!, computedAt, ...(b.agentName ? { agentName: b.agentName } : {}) } };
      }));
      pending = pending.filter((b) => !landed.has(bucketId(b.key)));
    }
    const unwritten = new Set(pending.map((b) => bucketId(b.key)));
    // Then the months of the days written, summed from those days (rollup-months.ts).
    const written = buckets.filter((b) => !unwritten.has(bucketId(b.key))).map((b) => b.key);
    for (const id of await refreshMonthsOf(this.rollups, this.months, written, this.now)) unwritten.add(id);
    return unwritten;
  }

  async refresh(key: BucketKey, agentName?: string): Promise<boolean> {
    return (await this.refreshMany([{ key, agentName }])).size === 0;
  }

  /** The buckets' current versions, creating (empty, version 0) those that do not exist yet. */
  private async versionsOf(keys: BucketKey[]): Promise<Map<string, number>> {
    const ids = keys.map(bucketId);
    const known = await readVersions(this.rollups, ids);
    const out = new Map<string, number>([...known].map(([id, v]) => [id, v.version]));
    const missing = keys.filter((k) => !known.has(bucketId(k)));
    if (missing.length === 0) return out;
    const { existing } = await insertBuckets(this.rollups, missing.map((k) => ({ _id: bucketId(k), ...k, ...emptyCounts(), version: 0 })));
    for (const k of missing) out.set(bucketId(k), 0);
    // Created by another writer between our read and insert: read what it holds now.
    for (const [id, v] of await readVersions(this.rollups, existing)) out.set(id, v.version);
    return out;
  }
}

function countsOf(g: NpsCounts): NpsCounts {
  return { sent: g.sent, responses: g.responses, promoters: g.promoters, passives: g.passives, detractors: g.detractors, scoreSum: g.scoreSum };
}

/** Group buckets into runs of nearby days, each counted with one range query. */
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
