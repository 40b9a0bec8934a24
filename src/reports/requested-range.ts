/**
 * The local days a list request covers (comments, testimonials): `to` defaults to today,
 * `from` to `defaultDays` before it, and a reversed or longer-than-two-years range is a
 * ValidationError naming `from`.
 */
import { ValidationError } from '../validation.ts';
import { MAX_RANGE_DAYS } from './report-query.ts';
import { addDays, dayKeyOf, daysBetween, instantRange, type DayKey } from './time-zone.ts';

export function requestedRange(
  p: { from?: string; to?: string }, ctx: { now: Date; timeZone: string }, defaultDays: number,
): { from: DayKey; to: DayKey; range: { from: Date; to: Date } } {
  const to = p.to ?? dayKeyOf(ctx.now, ctx.timeZone);
  const from = p.from ?? addDays(to, -(defaultDays - 1));
  if (from > to) throw new ValidationError('from', 'must not be after to');
  if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) throw new ValidationError('from', `the range must be at most ${MAX_RANGE_DAYS} days (two years)`);
  return { from, to, range: instantRange(from, to, ctx.timeZone) };
}
