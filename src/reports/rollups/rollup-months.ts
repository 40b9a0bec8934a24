/**
 * Month buckets, kept beside the day buckets: each is the sum of its month's day buckets
 * of the same channel, agent and type. A live refresh recounts the months of the days it
 * wrote, after writing them, with the same versioned write as a day (read the version,
 * sum the days, write only if nobody wrote the month since), so the last write of a month
 * always summed days at least as new as every day write before it. A rebuild folds the
 * full recount's days into months; a verify compares stored months with that fold.
 */
import type { Model } from 'mongoose';
import { addCounts, emptyCounts, type NpsCounts } from '../nps-math.ts';
import { bucketId, monthBucketId, monthKeyOf, type BucketKey, type MonthKey, type MonthRollupDoc, type RollupDoc } from './rollup-model.ts';
import { insertBuckets, readVersions, writeVersioned } from './rollup-writes.ts';

const COUNT_FIELDS = ['sent', 'responses', 'promoters', 'passives', 'detractors', 'scoreSum'] as const;
const MAX_ATTEMPTS = 6;

export interface MonthBucket { key: MonthKey; counts: NpsCounts; agentName?: string }

/** Fold day buckets into their months (the rebuild's and the verify's recount). */
export function foldMonths(days: Iterable<{ key: BucketKey; counts: NpsCounts; agentName?: string }>): Map<string, MonthBucket> {
  const out = new Map<string, MonthBucket>();
  for (const d of days) {
    const key = monthKeyOf(d.key);
    const id = monthBucketId(key);
    let m = out.get(id);
    if (!m) {
      m = { key, counts: emptyCounts() };
      out.set(id, m);
    }
    addCounts(m.counts, d.counts);
    if (d.agentName && (!m.agentName || d.agentName > m.agentName)) m.agentName = d.agentName;
  }
  return out;
}

type SummedMonth = NpsCounts & { _id: { month: string; channel: string; agentId: string; type: string }; agentName: string | null };

/** Sum the day buckets of the given months, in the database (one `$group` per month). */
export async function sumDays(days: Model<RollupDoc>, keys: MonthKey[]): Promise<Map<string, MonthBucket>> {
  const out = new Map<string, MonthBucket>(keys.map((k) => [monthBucketId(k), { key: k, counts: emptyCounts() }]));
  const byMonth = new Map<string, MonthKey[]>();
  for (const k of keys) byMonth.set(k.month, [...(byMonth.get(k.month) ?? []), k]);
  for (const [month, ks] of byMonth) {
    const groups = await days.collection.aggregate<SummedMonth>([
      { $match: {
        day: { $gte: `${month}-01`, $lte: `${month}-31` },
        channel: { $in: [...new Set(ks.map((k) => k.channel))] },
        agentId: { $in: [...new Set(ks.map((k) => k.agentId))] },
      } },
      { $group: {
        _id: { month, channel: '$channel', agentId: '$agentId', type: '$type' },
        ...Object.fromEntries(COUNT_FIELDS.map((f) => [f, { $sum: `$${f}` }])),
        agentName: { $max: '$agentName' },
      } },
    ]).toArray();
    for (const g of groups) {
      const m = out.get(monthBucketId({ month, channel: g._id.channel, agentId: g._id.agentId, type: g._id.type === 'relational' ? 'relational' : 'transactional' }));
      if (!m) continue; // a month bucket nobody asked for
      for (const f of COUNT_FIELDS) m.counts[f] = g[f];
      if (g.agentName) m.agentName = g.agentName;
    }
  }
  return out;
}

/**
 * Recount the months of these day buckets from the days and store them. Returns the ids
 * of day buckets whose month could not be written (other writers kept winning).
 */
export async function refreshMonthsOf(days: Model<RollupDoc>, months: Model<MonthRollupDoc>, dayKeys: BucketKey[], now: () => Date): Promise<Set<string>> {
  let pending = [...new Map(dayKeys.map((k) => { const m = monthKeyOf(k); return [monthBucketId(m), m] as const; })).values()];
  for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length > 0; attempt++) {
    const versions = await versionsOf(months, pending);
    const sums = await sumDays(days, pending);
    const computedAt = now();
    const landed = await writeVersioned(months, pending.map((k) => {
      const id = monthBucketId(k);
      const m = sums.get(id)!;
      return { id, version: versions.get(id)!, fields: { ...m.counts, computedAt, ...(m.agentName ? { agentName: m.agentName } : {}) } };
    }));
    pending = pending.filter((k) => !landed.has(monthBucketId(k)));
  }
  const failed = new Set(pending.map(monthBucketId));
  return new Set(dayKeys.filter((k) => failed.has(monthBucketId(monthKeyOf(k)))).map(bucketId));
}

/** The months' current versions, creating (empty, version 0) those that do not exist yet. */
async function versionsOf(months: Model<MonthRollupDoc>, keys: MonthKey[]): Promise<Map<string, number>> {
  const ids = keys.map(monthBucketId);
  const known = await readVersions(months, ids);
  const out = new Map<string, number>([...known].map(([id, v]) => [id, v.version]));
  const missing = keys.filter((k) => !known.has(monthBucketId(k)));
  if (missing.length === 0) return out;
  const { existing } = await insertBuckets(months, missing.map((k) => ({ _id: monthBucketId(k), ...k, ...emptyCounts(), version: 0 })));
  for (const k of missing) out.set(monthBucketId(k), 0);
  for (const [id, v] of await readVersions(months, existing)) out.set(id, v.version);
  return out;
}
