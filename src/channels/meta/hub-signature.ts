/**
 * Meta webhook security, the same for Messenger, Instagram and WhatsApp: the
 * subscription handshake compares `hub.verify_token` with the token you chose, and
 * every delivery carries `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body
 * keyed with the app secret>`. Both comparisons are constant-time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const HUB_SIGNATURE_HEADER = 'x-hub-signature-256';

export function hubSignature(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** Constant-time check of `X-Hub-Signature-256` against the raw body bytes. */
export function verifyHubSignature(rawBody: Buffer, appSecret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(hubSignature(rawBody, appSecret));
  // Meta sends lowercase hex; tolerate an upper-case prefix or digits from a proxy.
  const given = Buffer.from(header.trim().toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Constant-time equality of two secrets of any length: both sides are hashed first, so
 * neither the content nor the length of the expected value leaks through timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}
