/**
 * The NPS arithmetic, exactly as the method defines it: % promoters − % detractors,
 * passives in the total but in neither group, a whole number from −100 to 100.
 * Pure functions, tested with tables of cases.
 */

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

/** NPS for the counts, or null when nobody answered. */
export function npsScore(promoters: number, passives: number, detractors: number): number | null {
  const total = promoters + passives + detractors;
  if (total === 0) return null;
  return roundHalfAwayFromZero((100 * (promoters - detractors)) / total);
}

/**
 * The 95% margin of error of the NPS, in NPS points (one decimal), or null without
 * answers. With p and d the promoter and detractor shares of n answers, the variance of
 * one answer scored +1/0/−1 is p + d − (p − d)², so MoE = 1.96 · √(var / n) · 100.
 */
export function npsMarginOfError(promoters: number, passives: number, detractors: number): number | null {
  const n = promoters + passives + detractors;
  if (n === 0) return null;
  const p = promoters / n;
  const d = detractors / n;
  const variance = Math.max(0, p + d - (p - d) ** 2);
  return roundTo(1.96 * Math.sqrt(variance / n) * 100, 1);
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
  /** 95% margin of error of the NPS, in points. */
  marginOfError: number | null;
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
    marginOfError: npsMarginOfError(c.promoters, c.passives, c.detractors),
    averageScore: answered === 0 ? null : roundTo(c.scoreSum / answered, 1),
    lowSample: c.responses < minSample,
  };
}

/** NPS points gained since the previous period, or null when either side has no answers. */
export function npsChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null) return null;
  const value = current - previous;
  return value === 0 ? 0 : value;
}
