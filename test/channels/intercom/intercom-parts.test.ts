/** The Intercom bridge's pure parts: quick-reply uuids, HTML bodies, the signature, the settings. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { plainText } from '../../../src/channels/intercom/intercom-bridge.ts';
import { quickReplyUuid, readQuickReplyUuid } from '../../../src/channels/intercom/intercom-quick-reply.ts';
import { checkIntercomSignature, intercomSignature } from '../../../src/channels/intercom/intercom-signature.ts';
import { readIntercomSettings } from '../../../src/channels/intercom/intercom-settings.ts';
import { intercomKind } from '../../../src/channels/intercom/intercom-channel-names.ts';

test('a quick-reply uuid names the survey and the score, in UUID layout; others read as nothing', () => {
  const surveyId = '65f0c0ffee0123456789abcd';
  for (const n of [0, 9, 10]) {
    const uuid = quickReplyUuid(surveyId, n);
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(readQuickReplyUuid(uuid), { surveyId, choice: n });
  }
  assert.equal(readQuickReplyUuid('0b5c2c1e-8f61-4a4e-9b53-2f8e6c1d7a90'), null);
  assert.equal(readQuickReplyUuid(42), null);
  assert.equal(readQuickReplyUuid(quickReplyUuid('not-hex', 3)), null);
});

test('HTML part bodies become the text the customer typed', () => {
  assert.equal(plainText('<p>9</p>'), '9');
  assert.equal(plainText('<p>Bo &amp; Anna</p><p>were quick</p>'), 'Bo & Anna\nwere quick');
  assert.equal(plainText('<p>8&lt;10</p>'), '8<10');
});

test('X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>', () => {
  const body = Buffer.from('{"type":"notification_event"}');
  const sig = intercomSignature(body, 'secret-1234');
  assert.match(sig, /^sha1=[0-9a-f]{40}$/);
  assert.equal(checkIntercomSignature(body, 'secret-1234', sig), 'ok');
  assert.equal(checkIntercomSignature(body, 'secret-1234', sig.toUpperCase().replace('SHA1', 'sha1')), 'ok');
  assert.equal(checkIntercomSignature(body, 'secret-1234', undefined), 'missing');
  assert.equal(checkIntercomSignature(body, 'other-secret', sig), 'mismatch');
});

test('settings: off without a token; the client secret and admin are required; flags read', () => {
  assert.equal(readIntercomSettings({}), null);
  const env = { INTERCOM_ACCESS_TOKEN: 'x'.repeat(30) };
  assert.throws(() => readIntercomSettings(env), /INTERCOM_CLIENT_SECRET/);
  const s = readIntercomSettings({ ...env, INTERCOM_CLIENT_SECRET: 'secret-1234', INTERCOM_ADMIN_ID: '42', INTERCOM_CLOSE_AFTER_THANKS: 'yes' })!;
  assert.equal(s.url, 'https://api.intercom.io');
  assert.equal(s.closeAfterThanks, true);
  assert.equal(s.quickReplies, true);
  assert.equal(intercomKind('conversation'), 'messenger');
  assert.equal(intercomKind('phone_switch'), 'phone');
});
