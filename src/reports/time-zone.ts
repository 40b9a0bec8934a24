/**
 * Calendar days in a time zone, with nothing but `Intl.DateTimeFormat`.
 *
 * Rollups are keyed by the local day (`YYYY-MM-DD`) a conversation was resolved on in
 * REPORT_TZ. Weeks and months are then pure calendar arithmetic on those day keys, so
 * a DST change (a 23- or 25-hour day) can never move an answer into the wrong week.
 */

/** A calendar day, `YYYY-MM-DD`. */
export type DayKey = string;
export type Period = 'day' | 'week' | 'month';

const DAY_MS = 86_400_000;
/** Every UTC offset in use is a multiple of 15 minutes, so a day key is constant within such a block. */
const BLOCK_MS = 15 * 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const blockCache = new Map<string, Map<number, DayKey>>();

/** Whether `tz` is an IANA time zone this Node knows (`Europe/Stockholm`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  return f;
}

/** The local calendar day of an instant in `tz`. Cached per 15-minute block: rebuilds call this a million times. */
export function dayKeyOf(at: Date, tz: string): DayKey {
  const block = Math.floor(at.getTime() / BLOCK_MS);
  let cache = blockCache.get(tz);
  if (!cache) {
    cache = new Map();
    blockCache.set(tz, cache);
  }
  const hit = cache.get(block);
  if (hit) return hit;
  const parts = formatter(tz).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const key = `${get('year')}-${get('month')}-${get('day')}`;
  if (cache.size > 200_000) cache.clear();
  cache.set(block, key);
  return key;
}

/** `YYYY-MM-DD` → the UTC timestamp of that date's midnight (calendar arithmetic only). */
function utcOf(day: DayKey): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

function keyOfUtc(ms: number): DayKey {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isDayKey(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(utcOf(s)) && keyOfUtc(utcOf(s)) === s;
}

export function addDays(day: DayKey, n: number): DayKey {
  return keyOfUtc(utcOf(day) + n * DAY_MS);
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: DayKey, b: DayKey): number {
  return Math.round((utcOf(b) - utcOf(a)) / DAY_MS);
}

export function addMonths(day: DayKey, n: number): DayKey {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return keyOfUtc(Date.UTC(y, m - 1 + n, 1));
}

/** The first day of the period holding `day`. Weeks start on Monday (ISO 8601). */
export function periodStart(day: DayKey, period: Period): DayKey {
  if (period === 'day') return day;
  if (period === 'month') return `${day.slice(0, 7)}-01`;
  const weekday = new Date(utcOf(day)).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/** The first day of the period after the one starting at `start`. */
export function nextPeriodStart(start: DayKey, period: Period): DayKey {
  if (period === 'day') return addDays(start, 1);
  if (period === 'week') return addDays(start, 7);
  return addMonths(start, 1);
}

export function previousPeriodStart(start: DayKey, period: Period): DayKey {
  if (period === 'day') return addDays(start, -1);
  if (period === 'week') return addDays(start, -7);
  return addMonths(start, -1);
}

/** The last day of the period starting at `start`. */
export function periodEnd(start: DayKey, period: Period): DayKey {
  return addDays(nextPeriodStart(start, period), -1);
}

/**
 * The instant a local day begins in `tz`: the first moment whose local date is `day`.
 * Found by bisection over the ±15 h around UTC midnight, which also copes with zones
 * whose DST change skips midnight itself.
 */
export function startOfDay(day: DayKey, tz: string): Date {
  const base = utcOf(day);
  let lo = Math.floor((base - 15 * 3_600_000) / BLOCK_MS);
  let hi = Math.ceil((base + 15 * 3_600_000) / BLOCK_MS);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (dayKeyOf(new Date(mid * BLOCK_MS), tz) >= day) hi = mid;
    else lo = mid + 1;
  }
  return new Date(lo * BLOCK_MS);
}

/** The instants `[from, to)` covering the local days `first..last` (inclusive) in `tz`. */
export function instantRange(first: DayKey, last: DayKey, tz: string): { from: Date; to: Date } {
  return { from: startOfDay(first, tz), to: startOfDay(addDays(last, 1), tz) };
}
