/**
 * Which rollup buckets cover a range of local days: the month buckets of the months it
 * holds whole, and day buckets only for the partial months at either end. A year's
 * trend for 200 agents then reads 2,400 month buckets instead of 73,000 day buckets.
 */
import { addDays, addMonths, type DayKey } from '../time-zone.ts';

export interface RangeCover {
  /** Inclusive day ranges read from the day buckets (at most two: the partial ends). */
  days: Array<{ from: DayKey; to: DayKey }>;
  /** Inclusive months (`YYYY-MM`) read from the month buckets, or null when none is whole. */
  months: { from: string; to: string } | null;
}

/** Cover `from..to` (inclusive days, from <= to) with whole months and the days left over. */
export function coverRange(from: DayKey, to: DayKey): RangeCover {
  const firstWhole = from.endsWith('-01') ? from : addMonths(from, 1); // first day of the first whole month
  const afterLastWhole = `${addDays(to, 1).slice(0, 7)}-01`; // the day after the last whole month
  if (firstWhole >= afterLastWhole) return { days: [{ from, to }], months: null };
  const days: RangeCover['days'] = [];
  if (from < firstWhole) days.push({ from, to: addDays(firstWhole, -1) });
  if (afterLastWhole <= to) days.push({ from: afterLastWhole, to });
  return { days, months: { from: firstWhole.slice(0, 7), to: addDays(afterLastWhole, -1).slice(0, 7) } };
}
