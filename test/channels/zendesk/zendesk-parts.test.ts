/** The Zendesk bridge's pure parts: the webhook signature, the conversation log, the question per channel, the settings. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readLog } from '../../../src/channels/zendesk/zendesk-bridge.ts';
import { checkZendeskSignature, zendeskSignature } from '../../../src/channels/zendesk/zendesk-signature.ts';
import { questionMessages } from '../../../src/channels/zendesk/zendesk-question.ts';
import { readZendeskSettings } from '../../../src/channels/zendesk/zendesk-settings.ts';
import { zendeskKind } from '../../../src/channels/zendesk/zendesk-channel-names.ts';
import { utf8Bytes } from '../../../src/channels/text-limit.ts';

test('signature: base64 HMAC-SHA256 of timestamp + body; missing, stale and forged told apart', () => {
  const body = Buffer.from('{"type":"zen:event-type:ticket.status_changed"}');
  const ts = '2026-12-04T10:00:00Z';
  const now = Date.parse(ts) + 1000;
  const sig = zendeskSignature(ts, body, 'secret-123456');
  assert.match(sig, /^[A-Za-z0-9+/]+=*$/);
  assert.equal(checkZendeskSignature(body, 'secret-123456', sig, ts, 300_000, now), 'ok');
  assert.equal(checkZendeskSignature(body, 'secret-123456', undefined, ts, 300_000, now), 'missing');
  assert.equal(checkZendeskSignature(body, 'secret-123456', sig, ts, 300_000, now + 3_600_000), 'stale');
  assert.equal(checkZendeskSignature(body, 'other-secret-1', sig, ts, 300_000, now), 'mismatch');
  assert.equal(checkZendeskSignature(Buffer.from('{}'), 'secret-123456', sig, ts, 300_000, now), 'mismatch');
  assert.equal(checkZendeskSignature(body, 'secret-123456', sig, 'not a time', 300_000, now), 'mismatch');
});

test('the conversation log names the messaging user and counts each agent\'s replies', () => {
  const { user, participants } = readLog([
    { type: 'Messaging::ConversationMessage', author: { type: 'user', 'zen:sunco:user_id': 'abc123', 'zen:support:user_id': '55', display_name: 'Maja' } },
    { type: 'Messaging::ConversationMessage', author: { type: 'agent', 'zen:support:user_id': '901', display_name: 'Anna', 'zen:sunco:user_id': null, name: null } },
    { type: 'Messaging::ConversationMessage', author: { type: 'bot', 'zen:support:user_id': null, 'zen:sunco:user_id': null, display_name: 'Answer Bot', name: null } },
    { type: 'Comment', author: { type: 'agent', 'zen:support:user_id': '901', 'zen:sunco:user_id': null, display_name: null, name: null } },
  ]);
  assert.deepEqual(user, { id: 'abc123', name: 'Maja' });
  assert.deepEqual(participants, [{ id: '901', name: 'Anna', replies: 2 }]);
  assert.equal(readLog([{ type: 'Comment', author: { type: 'user', 'zen:support:user_id': '55', 'zen:sunco:user_id': null, display_name: null, name: null } }]).user, null);
});

test('the question per channel: replies 0–10, WhatsApp split in two lists, SMS plain text, Instagram within 1,000 bytes', () => {
  const text = 'Hvor sandsynligt er det, at du vil anbefale Acme til en ven? æøå '.repeat(20);
  const choices = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [ig] = questionMessages('instagram', 's1', text, choices);
  assert.ok(utf8Bytes(ig!.text) <= 1000);
  assert.equal(ig!.actions?.length, 11);
  assert.equal(questionMessages('whatsapp', 's1', text, choices).length, 2);
  assert.ok(questionMessages('whatsapp', 's1', text, choices)[0]!.text.length <= 1024);
  assert.equal(questionMessages('sms', 's1', 'How likely…', choices)[0]!.actions, undefined);
  assert.equal(zendeskKind('twilio'), 'sms');
  assert.equal(zendeskKind('something-new'), 'other');
});

test('settings: off without ZENDESK_URL; a missing credential is named; the Sunshine webhook must prove itself', () => {
  assert.equal(readZendeskSettings({}), null);
  const env = {
    ZENDESK_URL: 'https://acme.zendesk.com/', ZENDESK_EMAIL: 'bot@acme.example', ZENDESK_API_TOKEN: 'token-0123456789', ZENDESK_WEBHOOK_SECRET: 'secret-0123456789',
    ZENDESK_APP_ID: 'app123456', ZENDESK_KEY_ID: 'app_key123', ZENDESK_KEY_SECRET: 'keysecret-0123456789',
  };
  assert.throws(() => readZendeskSettings(env), /ZENDESK_SUNSHINE_WEBHOOK_SECRET/);
  assert.throws(() => readZendeskSettings({ ...env, ZENDESK_EMAIL: undefined, ZENDESK_SUNSHINE_WEBHOOK_SECRET: 'x'.repeat(10) }), /ZENDESK_EMAIL/);
  const s = readZendeskSettings({ ...env, ZENDESK_SUNSHINE_BASIC_AUTH: 'sunshine:password-123' })!;
  assert.equal(s.url, 'https://acme.zendesk.com');
  assert.equal(s.sunshineUrl, 'https://acme.zendesk.com/sc');
});
