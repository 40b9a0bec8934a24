/**
 * The `Retry-After` header (RFC 9110 §10.2.3): a number of seconds or an HTTP date. One
 * reading for every platform client, so "how long did the platform ask us to wait" means
 * the same everywhere. What a platform adds on top (Meta's usage header, a floor of one
 * second, a default when the header is missing) stays in that platform's mapping.
 */

/** The longest wait taken from a header: past a day it is nonsense or an outage (the engine clamps further). */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** Seconds, with an optional fraction; no sign, no exponent. */
const SECONDS = /^\d{1,12}(\.\d{1,6})?$/;
/** The three HTTP-date forms all begin with the day's name (`Thu, 01 Jan …`, `Thursday, …`, `Thu Jan  1 …`). */
const HTTP_DATE = /^[A-Za-z]{3}/;

/**
 * Milliseconds to wait, or undefined when the header is missing or unreadable (a negative
 * number, garbage). A date in the past is 0; a huge value is capped at MAX_RETRY_AFTER_MS.
 */
export function retryAfterMs(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!value || value.length > 100) return undefined;
  const trimmed = value.trim();
  if (SECONDS.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS) : undefined;
}
