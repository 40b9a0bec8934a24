/**
 * How one survey counts in the figures. "Sent" means the question reached the
 * customer (`askedAt`); a response is a survey with a score, whose category was stored
 * when the score was read. Skipped, failed and still-scheduled surveys count nowhere.
 */
import type { SurveyDoc } from '../storage/survey-model.ts';
import type { NpsCounts } from './nps-math.ts';

/** The fields the counting reads. */
export type CountedSurvey = Pick<SurveyDoc, 'askedAt' | 'category' | 'score'>;

/** The filter for surveys that count at all (an answer implies the question was sent). */
export const COUNTED_FILTER: { $or: Array<Record<string, { $exists: true }>> } = {
  $or: [{ askedAt: { $exists: true } }, { category: { $exists: true } }],
};

/** Add `n` surveys with this category and score (as grouped by an aggregation) to the counts. */
export function addCounted(into: NpsCounts, category: string | null | undefined, score: number | null | undefined, n = 1): void {
  into.sent += n;
  if (category !== 'promoter' && category !== 'passive' && category !== 'detractor') return;
  into.responses += n;
  if (category === 'promoter') into.promoters += n;
  else if (category === 'passive') into.passives += n;
  else into.detractors += n;
  into.scoreSum += (typeof score === 'number' ? score : 0) * n;
}

export function counts(s: CountedSurvey): boolean {
  return s.askedAt != null || s.category != null;
}
