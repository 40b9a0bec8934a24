/**
 * Intercom's webhook signature: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body>`
 * keyed with the app's client secret. Intercom signs no timestamp, so a replayed
 * delivery is caught by what it carries instead: the same closed conversation is the
 * same survey, the same conversation part the same event.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const INTERCOM_SIGNATURE_HEADER = 'x-hub-signature';

export function intercomSignature(body: string | Buffer, secret: string): string {
  return `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
}

export function checkIntercomSignature(rawBody: Buffer, secret: string, signature: string | undefined): 'ok' | 'missing' | 'mismatch' {
  if (!signature) return 'missing';
  const expected = Buffer.from(intercomSignature(rawBody, secret));
  const given = Buffer.from(signature.trim().toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'mismatch';
}
