/**
 * Zendesk's webhook signature: `X-Zendesk-Webhook-Signature` is the base64 of
 * HMAC-SHA256(timestamp + raw body) keyed with the webhook's signing secret, and
 * `X-Zendesk-Webhook-Signature-Timestamp` the timestamp (ISO 8601, e.g.
 * `2026-12-04T10:00:00Z`), concatenated with no separator. The timestamp is inside
 * the signed bytes, so a delivery replayed later is refused by its age.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const ZENDESK_SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const ZENDESK_TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';

export function zendeskSignature(timestamp: string, body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(timestamp).update(body).digest('base64');
}

export type SignatureCheck = 'ok' | 'missing' | 'stale' | 'mismatch';

export function checkZendeskSignature(
  rawBody: Buffer, secret: string, signature: string | undefined, timestamp: string | undefined, maxAgeMs: number, nowMs: number,
): SignatureCheck {
  if (!signature || !timestamp) return 'missing';
  const ts = timestamp.trim();
  if (ts.length > 40) return 'mismatch';
  const at = /^\d{9,12}$/.test(ts) ? Number(ts) * 1000 : Date.parse(ts);
  if (!Number.isFinite(at)) return 'mismatch';
  if (Math.abs(nowMs - at) > maxAgeMs) return 'stale';
  const expected = Buffer.from(zendeskSignature(ts, rawBody, secret));
  const given = Buffer.from(signature.trim());
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'mismatch';
}
