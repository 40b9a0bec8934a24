/**
 * Chatwoot's webhook signature (account webhooks since 4.11.2, API-inbox and agent-bot
 * webhooks since 4.13.0): `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256 of
 * "<timestamp>.<raw body>">` keyed with the webhook's secret, and
 * `X-Chatwoot-Timestamp: <unix seconds>`, which is inside the signed string, so an old
 * delivery cannot be replayed with a fresh timestamp. Deliveries older (or further in
 * the future) than the allowed age are refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CHATWOOT_SIGNATURE_HEADER = 'x-chatwoot-signature';
export const CHATWOOT_TIMESTAMP_HEADER = 'x-chatwoot-timestamp';
export const CHATWOOT_DELIVERY_HEADER = 'x-chatwoot-delivery';

export function chatwootSignature(timestamp: string, body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export type SignatureCheck = 'ok' | 'missing' | 'stale' | 'mismatch';

export function checkChatwootSignature(
  rawBody: Buffer, secret: string, signature: string | undefined, timestamp: string | undefined, maxAgeMs: number, nowMs: number,
): SignatureCheck {
  if (!signature || !timestamp) return 'missing';
  if (!/^\d{1,12}$/.test(timestamp.trim())) return 'mismatch';
  if (Math.abs(nowMs - Number(timestamp.trim()) * 1000) > maxAgeMs) return 'stale';
  const expected = Buffer.from(chatwootSignature(timestamp.trim(), rawBody, secret));
  const given = Buffer.from(signature.trim().toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'mismatch';
}
