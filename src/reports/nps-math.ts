/**
 * The NPS arithmetic, exactly as the method defines it: % promoters − % detractors,
 * passives in the total but in neither group, a whole number from −100 to 100.
 * Pure functions, tested with tables of cases.
 */

import { npsInterval } from './nps-interval.ts';
import { roundHalfAwayFromZero, roundTo } from './rounding.ts';

export { roundHalfAwayFromZero, roundTo };

/** NPS for the counts, or null when nobody answered. */
export function npsScore(promoters: number, passives: number, detractors: number): number | null {
  const total = promoters + passives + detractors;
  if (total === 0) return null;
  return roundHalfAwayFromZero((100 * (promoters - detractors)) / total);
}

/**
 * The 95% margin of error of the NPS, in NPS points (one decimal), or null without
 * answers: the half-width of the adjusted Wald interval (nps-interval.ts), which never
 * claims ±0 because every answer was alike.
 */
export function npsMarginOfError(promoters: number, passives: number, detractors: number): number | null {
  return npsInterval({ promoters, passives, detractors })?.marginOfError ?? null;
}

/** `part` as a percentage of `whole` with one decimal, or null when `whole` is 0. */
export function percent(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return roundTo((100 * part) / whole, 1);
}

/** The counts one row of a report is built from. */
export interface NpsCounts {
  sent: number;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  scoreSum: number;
}

export function emptyCounts(): NpsCounts {
  return { sent: 0, responses: 0, promoters: 0, passives: 0, detractors: 0, scoreSum: 0 };
}

export function addCounts(into: NpsCounts, more: NpsCounts): NpsCounts {
  into.sent += more.sent;
  into.responses += more.responses;
  into.promoters += more.promoters;
  into.passives += more.passives;
  into.detractors += more.detractors;
  into.scoreSum += more.scoreSum;
  return into;
}

/** Everything a report row derives from its counts. Percentages are 0–100 with one decimal. */
export interface NpsFigures {
  sent: number;
  responses: number;
  /** responses / sent in %, or null when nothing was sent. */
  responseRate: number | null;
  promoters: number;
  passives: number;
  detractors: number;
  promotersPct: number | null;
  passivesPct: number | null;
  detractorsPct: number | null;
  /** Whole number −100..100, or null without answers. */
  nps: number | null;
  /** 95% margin of error of the NPS, in points (half-width of the adjusted Wald interval). */
  marginOfError: number | null;
  /** The 95% interval of the NPS (adjusted Wald, within −100…100), or null without answers. */
  npsLow: number | null;
  npsHigh: number | null;
  /** Mean score 0–10 with one decimal. */
  averageScore: number | null;
  /** Fewer answers than the minimum sample: too few to judge (or rank) anyone on. */
  lowSample: boolean;
}

export function figuresOf(c: NpsCounts, minSample: number): NpsFigures {
  const answered = c.promoters + c.passives + c.detractors;
  return {
    sent: c.sent,
    responses: c.responses,
    responseRate: percent(c.responses, c.sent),
    promoters: c.promoters,
    passives: c.passives,
    detractors: c.detractors,
    promotersPct: percent(c.promoters, answered),
    passivesPct: percent(c.passives, answered),
    detractorsPct: percent(c.detractors, answered),
    nps: npsScore(c.promoters, c.passives, c.detractors),
    ...intervalFields(c),
    averageScore: answered === 0 ? null : roundTo(c.scoreSum / answered, 1),
    lowSample: c.responses < minSample,
  };
}

function intervalFields(c: NpsCounts): { marginOfError: number | null; npsLow: number | null; npsHigh: number | null } {
  const i = npsInterval(c);
  return { marginOfError: i?.marginOfError ?? null, npsLow: i?.low ?? null, npsHigh: i?.high ?? null };
}

/** NPS points gained since the previous period, or null when either side has no answers. */
export function npsChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null) return null;
  const value = current - previous;
  return value === 0 ? 0 : value;
}
