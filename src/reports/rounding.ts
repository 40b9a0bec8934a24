/** Rounding for report figures: half away from zero, never −0. */

/** Round half away from zero, so +12.5 → 13 and −12.5 → −13 (Math.round would give −12). */
export function roundHalfAwayFromZero(x: number): number {
  const value = Math.sign(x) * Math.round(Math.abs(x));
  return value === 0 ? 0 : value; // no −0 in JSON or tables
}

/** Round to `digits` decimals, half away from zero. */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  // The epsilon keeps 2.675-style binary representations from rounding down.
  const value = (Math.sign(x) * Math.round(Math.abs(x) * f + 1e-9)) / f;
  return value === 0 ? 0 : value;
}
