/**
 * The wait before a try is repeated: doubling from `baseMs` up to `maxMs`, ±25 % jitter so
 * processes that failed together do not all come back at once. One formula for every
 * retry loop (Discord's reads and command registration, platforms' start-up calls, start-up
 * steps waiting for the database).
 */

/** The wait before attempt `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const plain = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(plain * (0.75 + Math.random() * 0.5));
}
