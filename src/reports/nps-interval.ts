/**
 * The 95% interval of an NPS, and of the difference of two, by the adjusted Wald method
 * (Rocks 2016, "Interval estimation for the net promoter score", The American
 * Statistician 70(4); arXiv 1601.07235): add 3 to n, ¾ to the promoters and ¾ to the
 * detractors, then use the usual variance of a difference of two proportions,
 * p̃ + d̃ − (p̃ − d̃)², over ñ = n + 3. The plain (Wald) formula gives zero width when
 * every answer is alike (4 detractors: "−100 ± 0"); the adjusted one stays honest on
 * small samples, and Rocks found it the best of the simple methods on real NPS data.
 *
 * The interval is centred on the adjusted estimate (p̃ − d̃), not on the NPS shown, and
 * clipped to −100…100; `marginOfError` is its half-width before clipping. With one or
 * two answers, all alike, the adjusted interval can stop short of the NPS observed (one
 * promoter: NPS 100, interval −48.5…98.5); it is then stretched to include it, so a
 * chart never shows a point outside its own band (this only ever widens it). Pure
 * functions: table-tested, and coverage-tested by simulation (test/reports/nps-interval.test.ts).
 */
import { roundTo } from './rounding.ts';

export interface CategoryCounts { promoters: number; passives: number; detractors: number }

const Z95 = 1.959964;
/** Rocks' adjustment: ¾ promoter, ¾ detractor, 1½ passive (3 answers in all). */
const ADD_N = 3;
const ADD_EACH = 0.75;

/** The adjusted estimate (a share −1..1) and its variance, or null without answers. */
export function adjusted(c: CategoryCounts): { estimate: number; variance: number; observed: number } | null {
  const n = c.promoters + c.passives + c.detractors;
  if (!(n > 0)) return null;
  const nt = n + ADD_N;
  const p = (c.promoters + ADD_EACH) / nt;
  const d = (c.detractors + ADD_EACH) / nt;
  return { estimate: p - d, variance: Math.max(0, p + d - (p - d) ** 2) / nt, observed: (c.promoters - c.detractors) / n };
}

export interface NpsInterval {
  /** Half-width in NPS points (one decimal). */
  marginOfError: number;
  /** Bounds in NPS points (one decimal), within −100…100. */
  low: number;
  high: number;
}

/** The unrounded interval as shares, for simulations and for the difference. */
export function npsIntervalRaw(c: CategoryCounts): { low: number; high: number; half: number } | null {
  const a = adjusted(c);
  if (!a) return null;
  const half = Z95 * Math.sqrt(a.variance);
  return {
    low: Math.max(-1, Math.min(a.estimate - half, a.observed)),
    high: Math.min(1, Math.max(a.estimate + half, a.observed)),
    half,
  };
}

/** The 95% interval of the NPS of these answers, or null without answers. */
export function npsInterval(c: CategoryCounts): NpsInterval | null {
  const raw = npsIntervalRaw(c);
  if (!raw) return null;
  return { marginOfError: roundTo(raw.half * 100, 1), low: roundTo(raw.low * 100, 1), high: roundTo(raw.high * 100, 1) };
}

export interface DifferenceInterval {
  /** a − b in NPS points from the observed shares (one decimal), or null without answers on either side. */
  difference: number | null;
  /** The 95% interval of a − b (one decimal, adjusted Wald on each side), or null. */
  low: number | null;
  high: number | null;
}

/**
 * The difference a − b with the 95% interval of the difference of two independent NPS:
 * each side adjusted as above, SE = √(var_a + var_b), centred on the adjusted difference.
 */
export function differenceInterval(a: CategoryCounts, b: CategoryCounts): DifferenceInterval {
  const A = adjusted(a);
  const B = adjusted(b);
  if (!A || !B) return { difference: null, low: null, high: null };
  const observed = A.observed - B.observed;
  const centre = A.estimate - B.estimate;
  const half = Z95 * Math.sqrt(A.variance + B.variance);
  return {
    difference: roundTo(observed * 100, 1),
    low: roundTo(Math.max(-2, Math.min(centre - half, observed)) * 100, 1),
    high: roundTo(Math.min(2, Math.max(centre + half, observed)) * 100, 1),
  };
}

export const CHANGE_LABELS = ['up', 'down', 'no evidence of a change'] as const;
export type ChangeLabel = (typeof CHANGE_LABELS)[number];

export interface PeriodChange {
  /** The 95% interval of (this period − the previous one) in NPS points, or null. */
  changeLow: number | null;
  changeHigh: number | null;
  /** `up`/`down` only when the interval leaves zero out. */
  changeLabel: ChangeLabel;
}

/** A change between two periods, labelled only when the interval of the difference excludes zero. */
export function periodChange(current: CategoryCounts, previous: CategoryCounts | undefined): PeriodChange {
  const d = previous ? differenceInterval(current, previous) : { low: null, high: null };
  const changeLabel: ChangeLabel = d.low !== null && d.low > 0 ? 'up' : d.high !== null && d.high < 0 ? 'down' : 'no evidence of a change';
  return { changeLow: d.low, changeHigh: d.high, changeLabel };
}
