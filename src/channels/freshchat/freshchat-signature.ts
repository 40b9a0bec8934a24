/**
 * Freshchat's webhook signature: `X-Freshchat-Signature` is the base64 RSA signature
 * (SHA256withRSA, PKCS#1 v1.5) of the raw body, made with the account's private key and
 * checked with the public key Freshchat shows in its webhook settings. No secret is
 * shared, and none is kept by the bot.
 */
import { verify, type KeyObject } from 'node:crypto';

export const FRESHCHAT_SIGNATURE_HEADER = 'x-freshchat-signature';

export function checkFreshchatSignature(rawBody: Buffer, publicKey: KeyObject, signature: string | undefined): 'ok' | 'missing' | 'mismatch' {
  if (!signature) return 'missing';
  const s = signature.trim();
  if (s.length > 2000 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return 'mismatch';
  try {
    return verify('sha256', rawBody, publicKey, Buffer.from(s, 'base64')) ? 'ok' : 'mismatch';
  } catch {
    return 'mismatch';
  }
}
