/**
 * The NPS arithmetic, exactly as the method defines it: % promoters − % detractors,
 * passives in the total but in neither group, a whole number from −100 to 100.
 */

/** Round half away from zero, so +12.5 → 13 and −12.5 → −13 (Math.round would give −12). */
export function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** NPS for the counts, or null when nobody answered. */
export function npsScore(promoters: number, passives: number, detractors: number): number | null {
  const total = promoters + passives + detractors;
  if (total === 0) return null;
  const value = roundHalfAwayFromZero((100 * (promoters - detractors)) / total);
  return value === 0 ? 0 : value; // no −0 in JSON or tables
}
