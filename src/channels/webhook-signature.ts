/**
 * The webhook channel's outbound signature, for its receivers:
 * `X-NPS-Timestamp: <unix seconds>` and
 * `X-NPS-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`.
 * The timestamp is inside the signature, so a receiver that refuses old timestamps
 * (see `verifyBody`'s tolerance) cannot be fed a captured request again later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-NPS-Signature';
export const TIMESTAMP_HEADER = 'X-NPS-Timestamp';
/** How far a receiver should accept a timestamp from its own clock, either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function signBody(body: string, secret: string, timestamp: number): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** The two headers for one outbound request, signed now. */
export function signatureHeaders(body: string, secret: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signBody(body, secret, timestamp) };
}

/**
 * What a receiver does: the timestamp is a whole number of seconds within
 * `toleranceSeconds` of its clock, and the signature over `timestamp.body` matches
 * (compared in constant time).
 */
export function verifyBody(
  body: string, secret: string, signature: string | undefined, timestamp: string | undefined,
  opts: { toleranceSeconds?: number; nowMs?: number } = {},
): boolean {
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const seconds = Number(timestamp);
  const now = (opts.nowMs ?? Date.now()) / 1000;
  if (Math.abs(now - seconds) > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(signBody(body, secret, seconds));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
