/**
 * How one survey counts in the figures. "Sent" means the question reached the
 * customer (`askedAt`); a response is a survey with a score, whose category was stored
 * when the score was read. Skipped, failed and still-scheduled surveys count nowhere.
 *
 * The same rule in two forms: `counts()` for one survey in hand, and a `$match` plus
 * `$group` accumulators that count many surveys in the database (rollup refreshes,
 * rebuilds, the raw report).
 */
import type { SurveyDoc } from '../storage/surveys/index.ts';

/** The fields the counting reads. */
export type CountedSurvey = Pick<SurveyDoc, 'askedAt' | 'category'>;

/** The filter for surveys that count at all (an answer implies the question was sent). */
export const COUNTED_FILTER: { $or: Array<Record<string, { $exists: true }>> } = {
  $or: [{ askedAt: { $exists: true } }, { category: { $exists: true } }],
};

/**
 * Surveys a bucket can be named for: a real date, a channel and an agent id (a
 * hand-edited document may lack them, and `$dateToString` fails on a non-date). A range
 * comparison only matches values of its own type, and costs less than `$type`.
 */
export const BUCKETABLE_FILTER = {
  resolvedAt: { $gte: new Date(-8.64e15) },
  channel: { $gte: '' },
  'agent.id': { $gte: '' },
} as const;

const CATEGORIES = ['promoter', 'passive', 'detractor'];
const isResponse = { $in: ['$category', CATEGORIES] };
const countIf = (condition: unknown) => ({ $sum: { $cond: [condition, 1, 0] } });

/**
 * `$group` accumulators giving NpsCounts over counted surveys (after COUNTED_FILTER):
 * every one is sent, a known category is a response, scoreSum adds the responses' scores.
 */
export const COUNT_ACCUMULATORS = {
  sent: { $sum: 1 },
  responses: countIf(isResponse),
  promoters: countIf({ $eq: ['$category', 'promoter'] }),
  passives: countIf({ $eq: ['$category', 'passive'] }),
  detractors: countIf({ $eq: ['$category', 'detractor'] }),
  scoreSum: { $sum: { $cond: [isResponse, { $ifNull: ['$score', 0] }, 0] } },
} as const;

/**
 * The `$group` key of a survey's bucket: local day, channel, agent, and the stored type
 * as it is (a `$cond` per survey costs more than folding the rare untyped group into
 * `transactional` afterwards, see bucketType).
 */
export function bucketGroupKey(timeZone: string): Record<string, unknown> {
  return { day: resolvedDayExpr(timeZone), channel: '$channel', agentId: '$agent.id', type: '$type' };
}

/** The survey type as buckets name it: anything but `relational` is transactional. */
export function bucketType(type: unknown): 'transactional' | 'relational' {
  return type === 'relational' ? 'relational' : 'transactional';
}

/** The local day (`YYYY-MM-DD` in `timeZone`) the survey's conversation was resolved on. */
export function resolvedDayExpr(timeZone: string): Record<string, unknown> {
  return { $dateToString: { format: '%Y-%m-%d', date: '$resolvedAt', timezone: timeZone } };
}

export function counts(s: CountedSurvey): boolean {
  return s.askedAt != null || s.category != null;
}
