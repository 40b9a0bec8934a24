/** The Freshchat bridge's pure parts: the RSA signature, the public key as admins paste it, the settings. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { checkFreshchatSignature } from '../../../src/channels/freshchat/freshchat-signature.ts';
import { readFreshchatSettings, readPublicKey } from '../../../src/channels/freshchat/freshchat-settings.ts';
import { freshchatKind } from '../../../src/channels/freshchat/freshchat-channel-names.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

test('X-Freshchat-Signature: base64 SHA256withRSA of the body, verified with the public key only', () => {
  const body = Buffer.from('{"action":"conversation_resolution"}');
  const sig = sign('sha256', body, privateKey).toString('base64');
  const key = readPublicKey(pem);
  assert.equal(checkFreshchatSignature(body, key, sig), 'ok');
  assert.equal(checkFreshchatSignature(body, key, undefined), 'missing');
  assert.equal(checkFreshchatSignature(Buffer.from('{}'), key, sig), 'mismatch');
  assert.equal(checkFreshchatSignature(body, key, 'not base64 !'), 'mismatch');
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  assert.equal(checkFreshchatSignature(body, key, sign('sha256', body, other).toString('base64')), 'mismatch');
});

test('the public key is read as PEM, PEM with escaped newlines, or bare base64; anything else is a clear config error', () => {
  const bare = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  for (const form of [pem, pem.trim().replace(/\n/g, '\\n'), bare]) assert.equal(readPublicKey(form).asymmetricKeyType, 'rsa');
  const env = { FRESHCHAT_URL: 'https://acme.freshchat.com/v2', FRESHCHAT_API_KEY: 'k'.repeat(40), FRESHCHAT_AGENT_ID: '5f7e1c2a-0000-4000-8000-0000000000b0' };
  assert.throws(() => readFreshchatSettings({ ...env, FRESHCHAT_WEBHOOK_PUBLIC_KEY: 'x'.repeat(200) }), /FRESHCHAT_WEBHOOK_PUBLIC_KEY: not an RSA public key/);
  const s = readFreshchatSettings({ ...env, FRESHCHAT_WEBHOOK_PUBLIC_KEY: pem })!;
  assert.equal(s.url, 'https://acme.freshchat.com');
  assert.equal(readFreshchatSettings({}), null);
  assert.equal(freshchatKind('ios'), 'mobile');
  assert.equal(freshchatKind('carrier-pigeon'), 'other');
});
