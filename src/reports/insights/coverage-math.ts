/**
 * Coverage and response rates compared fairly: the difference of two proportions with
 * the Agresti–Caffo 95% interval (one success and one failure added to each side, then
 * the usual Wald interval), which stays honest on small counts the way the adjusted
 * Wald does for NPS (nps-interval.ts). A row is flagged only when its interval lies
 * wholly on one side: for coverage "well below the team" means the whole interval of
 * (row − rest of the team) is below −COVERAGE_GAP_POINTS. Pure functions, table-tested.
 */
import { roundTo } from '../rounding.ts';

/** How far below the rest of the team a coverage must surely be before it is flagged. */
export const COVERAGE_GAP_POINTS = 10;

export interface ProportionDifference {
  /** a − b in percentage points (one decimal), or null when either side is empty. */
  difference: number | null;
  low: number | null;
  high: number | null;
}

/** (xa/na − xb/nb) in points with its Agresti–Caffo 95% interval. */
export function proportionDifference(xa: number, na: number, xb: number, nb: number): ProportionDifference {
  if (na <= 0 || nb <= 0) return { difference: null, low: null, high: null };
  const pa = (xa + 1) / (na + 2);
  const pb = (xb + 1) / (nb + 2);
  const half = 1.959964 * Math.sqrt((pa * (1 - pa)) / (na + 2) + (pb * (1 - pb)) / (nb + 2));
  const centre = pa - pb;
  return {
    difference: roundTo((xa / na - xb / nb) * 100, 1),
    low: roundTo(Math.max(-1, centre - half) * 100, 1),
    high: roundTo(Math.min(1, centre + half) * 100, 1),
  };
}

/** Coverage well below the rest of the team: the whole 95% interval is more than the gap below. */
export function coverageWellBelow(asked: number, eligible: number, restAsked: number, restEligible: number): boolean {
  const d = proportionDifference(asked, eligible, restAsked, restEligible);
  return d.high !== null && d.high < -COVERAGE_GAP_POINTS;
}

export type RateReading = 'higher' | 'lower' | null;

/** A group's rate against everyone else's: `higher`/`lower` only when the interval leaves zero out. */
export function rateAgainstRest(x: number, n: number, restX: number, restN: number): RateReading {
  const d = proportionDifference(x, n, restX, restN);
  if (d.low !== null && d.low > 0) return 'higher';
  if (d.high !== null && d.high < 0) return 'lower';
  return null;
}
