/**
 * X Account Activity webhook security: the CRC challenge answer and the
 * `x-twitter-webhooks-signature` check. Both are `sha256=` + base64 HMAC-SHA256 keyed
 * with the app's consumer secret — over the `crc_token` for the challenge, over the
 * raw request body for every event delivery.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const X_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

export function xSignature(data: string | Buffer, consumerSecret: string): string {
  return `sha256=${createHmac('sha256', consumerSecret).update(data).digest('base64')}`;
}

/**
 * What a CRC token may look like. The CRC answer is the same HMAC as a delivery's
 * signature, so signing any string would sign a forged event body: only tokens that can
 * never be a JSON object (no `{`, `"`, spaces) are answered. X's tokens are short
 * base64-like strings; the URL-safe and standard base64 alphabets both pass.
 */
export const CRC_TOKEN_PATTERN = /^[A-Za-z0-9_\-+/=.]{1,255}$/;

export function isCrcToken(token: unknown): token is string {
  return typeof token === 'string' && CRC_TOKEN_PATTERN.test(token);
}

/** What `GET /x/webhook?crc_token=…` answers: `{response_token}`. Refuses what is not a CRC token. */
export function crcResponseToken(crcToken: string, consumerSecret: string): string {
  if (!isCrcToken(crcToken)) throw new Error('not a CRC token');
  return xSignature(crcToken, consumerSecret);
}

/** Constant-time check of the signature header against the raw body bytes. */
export function verifyXSignature(rawBody: Buffer, consumerSecret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(xSignature(rawBody, consumerSecret));
  const given = Buffer.from(header.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}
