/**
 * Counting surveys into rollup buckets under an attribution rule other than the
 * resolver's (attribution.ts): a survey may credit several agents, each with a weight,
 * so its counts are added to each credited agent's bucket times the weight. Done in
 * JavaScript over the surveys read (the rule reads the participants array); the
 * resolver rule keeps the `$group` in the database (survey-counts.ts), which gives the
 * same figures for weight 1. Counts are rounded to 6 decimals, so a rebuild and a live
 * recount of the same surveys store the same numbers whatever order they were added in.
 */
import { creditsOf, type AttributableSurvey, type AttributionRule } from './attribution.ts';
import { emptyCounts, type NpsCounts } from '../nps-math.ts';
import { bucketId, type BucketKey } from './rollup-model.ts';
import { bucketType } from '../survey-counts.ts';
import { dayKeyOf } from '../time-zone.ts';

/** The survey fields a credited count reads. */
export const CREDITED_FIELDS = { resolvedAt: 1, channel: 1, agent: 1, participants: 1, type: 1, askedAt: 1, category: 1, score: 1 } as const;

export type CreditedSurvey = AttributableSurvey & {
  resolvedAt: Date;
  channel: string;
  type?: string;
  askedAt?: Date;
  category?: string;
  score?: number;
};

export interface CreditedBucket { key: BucketKey; agentName?: string; counts: NpsCounts }

const CATEGORIES = new Set(['promoter', 'passive', 'detractor']);

/** The buckets one survey feeds under `rule`, with their weights. */
export function creditedBuckets(s: CreditedSurvey, rule: AttributionRule, timeZone: string): Array<{ key: BucketKey; agentName?: string; weight: number }> {
  const day = dayKeyOf(s.resolvedAt, timeZone);
  return creditsOf(s, rule).map((c) => ({
    key: { day, channel: s.channel, agentId: c.agentId, type: bucketType(s.type) },
    ...(c.agentName ? { agentName: c.agentName } : {}),
    weight: c.weight,
  }));
}

/** Add one counted survey to the buckets it credits (only those in `only`, when given). */
export function addCredited(into: Map<string, CreditedBucket>, s: CreditedSurvey, rule: AttributionRule, timeZone: string, only?: ReadonlySet<string>): void {
  const response = typeof s.category === 'string' && CATEGORIES.has(s.category);
  for (const b of creditedBuckets(s, rule, timeZone)) {
    const id = bucketId(b.key);
    if (only && !only.has(id)) continue;
    let known = into.get(id);
    if (!known) into.set(id, (known = { key: b.key, counts: emptyCounts() }));
    if (b.agentName && (!known.agentName || b.agentName > known.agentName)) known.agentName = b.agentName;
    const c = known.counts;
    c.sent += b.weight;
    if (!response) continue;
    c.responses += b.weight;
    if (s.category === 'promoter') c.promoters += b.weight;
    else if (s.category === 'passive') c.passives += b.weight;
    else c.detractors += b.weight;
    c.scoreSum += b.weight * (typeof s.score === 'number' ? s.score : 0);
  }
}

/** Counts rounded to 6 decimals (whole numbers stay whole). */
export function roundedCounts(c: NpsCounts): NpsCounts {
  const r = (x: number): number => Math.round(x * 1e6) / 1e6;
  return { sent: r(c.sent), responses: r(c.responses), promoters: r(c.promoters), passives: r(c.passives), detractors: r(c.detractors), scoreSum: r(c.scoreSum) };
}
