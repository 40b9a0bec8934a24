/**
 * The Chatwoot bridge's parts with real inputs: settings, channel names per inbox
 * type, the webhook signature, the question per inbox, and the API client against the
 * fake Chatwoot (real HTTP on 127.0.0.1).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { loadConfig } from '../../../src/config.ts';
import { ConfigError } from '../../../src/env-readers.ts';
import { silentLogger } from '../../../src/logger.ts';
import { PermanentSendError, TransientSendError } from '../../../src/conversation/channel-contract/send-errors.ts';
import { createChannels } from '../../../src/channels/registry.ts';
import { chatwootChannelName, chatwootKind, kindOfChannel } from '../../../src/channels/chatwoot/chatwoot-channel-names.ts';
import { ChatwootClient } from '../../../src/channels/chatwoot/chatwoot-client.ts';
import { questionMessages } from '../../../src/channels/chatwoot/chatwoot-question.ts';
import { readChatwootSettings } from '../../../src/channels/chatwoot/chatwoot-settings.ts';
import { chatwootSignature, checkChatwootSignature } from '../../../src/channels/chatwoot/chatwoot-signature.ts';
import { FakeChatwootApi } from '../../fakes/chatwoot-api.ts';

const base = { CHATWOOT_URL: 'https://chat.acme.example/', CHATWOOT_API_TOKEN: 'api-token-0123', CHATWOOT_ACCOUNT_ID: '3', CHATWOOT_WEBHOOK_SECRET: 'webhook-secret-0123' };

function configError(env: Record<string, string>): string {
  try {
    readChatwootSettings(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('Chatwoot settings', () => {
  test('off without CHATWOOT_URL; defaults when on', () => {
    assert.equal(readChatwootSettings({}), null);
    const s = readChatwootSettings(base)!;
    assert.equal(s.url, 'https://chat.acme.example');
    assert.deepEqual([...s.inputSelect], ['web', 'facebook', 'instagram', 'whatsapp']);
    assert.equal(s.ratePerSecond, 5);
    assert.equal(s.signatureMaxAgeMs, 300_000);
    assert.deepEqual([...readChatwootSettings({ ...base, CHATWOOT_INPUT_SELECT: 'none' })!.inputSelect], []);
    assert.deepEqual([...readChatwootSettings({ ...base, CHATWOOT_INPUT_SELECT: 'web, telegram' })!.inputSelect], ['web', 'telegram']);
  });

  test('a bad or missing value names the variable; a webhook needs a secret or a URL token', () => {
    assert.match(configError({ CHATWOOT_URL: 'https://x.example' }), /^CHATWOOT_API_TOKEN: required when CHATWOOT_URL is set/);
    assert.match(configError({ ...base, CHATWOOT_ACCOUNT_ID: 'acme' }), /^CHATWOOT_ACCOUNT_ID: expected the numeric account id/);
    assert.match(configError({ ...base, CHATWOOT_URL: 'ftp://x' }), /^CHATWOOT_URL: expected an http\(s\) URL/);
    assert.match(configError({ ...base, CHATWOOT_WEBHOOK_SECRET: '' }), /^CHATWOOT_WEBHOOK_SECRET: required when CHATWOOT_URL is set, unless CHATWOOT_WEBHOOK_TOKEN is/);
    assert.match(configError({ ...base, CHATWOOT_WEBHOOK_TOKEN: 'short' }), /^CHATWOOT_WEBHOOK_TOKEN: expected 16 to 200 letters/);
    assert.match(configError({ ...base, CHATWOOT_INPUT_SELECT: 'web,fax' }), /^CHATWOOT_INPUT_SELECT: expected channel kinds from/);
    assert.match(configError({ ...base, CHATWOOT_API_TOKEN: 'x' }), /\(got "\[hidden\]"\)/);
    assert.ok(readChatwootSettings({ ...base, CHATWOOT_WEBHOOK_SECRET: '', CHATWOOT_WEBHOOK_TOKEN: 'a'.repeat(16) }));
  });

  test('the registry adds `chatwoot` and one channel per inbox kind', () => {
    const names = createChannels(loadConfig(base), silentLogger()).map((c) => c.name);
    assert.equal(names[0], 'chatwoot');
    assert.ok(names.includes('chatwoot:whatsapp') && names.includes('chatwoot:web') && names.includes('chatwoot:other'));
  });
});

describe('channel names per inbox type', () => {
  test('Chatwoot inbox types map to kinds; Instagram through a page and Twilio WhatsApp are recognised', () => {
    const cases: Array<[Parameters<typeof chatwootKind>[0], string]> = [
      [{ channelType: 'Channel::Whatsapp' }, 'whatsapp'],
      [{ channelType: 'Channel::FacebookPage' }, 'facebook'],
      [{ channelType: 'Channel::FacebookPage', conversationType: 'instagram_direct_message' }, 'instagram'],
      [{ channelType: 'Channel::Instagram' }, 'instagram'],
      [{ channelType: 'Channel::WebWidget' }, 'web'],
      [{ channelType: 'Channel::Email' }, 'email'],
      [{ channelType: 'Channel::TwilioSms', sourceId: 'whatsapp:+46701234567' }, 'whatsapp'],
      [{ channelType: 'Channel::TwilioSms', sourceId: '+46701234567' }, 'sms'],
      [{ channelType: 'Channel::Api' }, 'api'],
      [{ channelType: 'Channel::Something' }, 'other'],
      [{ channelType: null }, 'other'],
    ];
    for (const [hints, kind] of cases) assert.equal(chatwootKind(hints), kind, JSON.stringify(hints));
    assert.equal(chatwootChannelName('whatsapp'), 'chatwoot:whatsapp');
    assert.equal(kindOfChannel('chatwoot:web'), 'web');
    assert.equal(kindOfChannel('chatwoot'), null);
    assert.equal(kindOfChannel('chatwoot:fax'), null);
  });
});

describe('Chatwoot webhook signature', () => {
  const body = Buffer.from('{"event":"conversation_status_changed","id":1}');
  const now = 1_760_000_000_000;
  const ts = String(now / 1000);

  test('sha256=HMAC(secret, "<timestamp>.<body>"), within the allowed age', () => {
    const expected = `sha256=${createHmac('sha256', 'secret-1234').update(`${ts}.${body.toString()}`).digest('hex')}`;
    assert.equal(chatwootSignature(ts, body, 'secret-1234'), expected);
    assert.equal(checkChatwootSignature(body, 'secret-1234', expected, ts, 300_000, now), 'ok');
    assert.equal(checkChatwootSignature(body, 'secret-1234', expected, ts, 300_000, now + 299_000), 'ok');
    assert.equal(checkChatwootSignature(body, 'secret-1234', expected, ts, 300_000, now + 301_000), 'stale');
    assert.equal(checkChatwootSignature(body, 'secret-1234', expected, ts, 300_000, now - 301_000), 'stale');
    assert.equal(checkChatwootSignature(body, 'secret-1234', undefined, ts, 300_000, now), 'missing');
    assert.equal(checkChatwootSignature(body, 'secret-1234', expected, undefined, 300_000, now), 'missing');
    assert.equal(checkChatwootSignature(body, 'other-secret', expected, ts, 300_000, now), 'mismatch');
    assert.equal(checkChatwootSignature(Buffer.from(`${body} `), 'secret-1234', expected, ts, 300_000, now), 'mismatch');
    assert.equal(checkChatwootSignature(body, 'secret-1234', expected, `${ts}x`, 300_000, now), 'mismatch');
    // The timestamp is signed: a fresh one on an old signature does not pass.
    assert.equal(checkChatwootSignature(body, 'secret-1234', expected, String(now / 1000 + 1), 300_000, now), 'mismatch');
  });
});

describe('the question per inbox', () => {
  const scale = Array.from({ length: 11 }, (_, i) => i);
  const on = new Set(['web', 'facebook', 'instagram', 'whatsapp'] as const);

  test('one input_select of 0–10 for web and Facebook, two of at most 10 for WhatsApp, text elsewhere', () => {
    const web = questionMessages({ surveyId: 'abc', text: 'Q?', choices: scale, kind: 'web', inputSelect: on });
    assert.equal(web.length, 1);
    assert.equal(web[0]!.inputSelect?.length, 11);
    assert.deepEqual(web[0]!.inputSelect?.[3], { title: '3', value: 'nps:abc:3' });
    const wa = questionMessages({ surveyId: 'abc', text: 'Q?', choices: scale, kind: 'whatsapp', inputSelect: on });
    assert.deepEqual(wa.map((m) => [m.content, m.inputSelect?.length]), [['Q?', 6], ['6 – 10', 5]]);
    assert.deepEqual(questionMessages({ surveyId: 'abc', text: 'Q?', choices: scale, kind: 'email', inputSelect: on }), [{ content: 'Q?' }]);
    assert.deepEqual(questionMessages({ surveyId: 'abc', text: 'Q?', choices: scale, kind: null, inputSelect: on }), [{ content: 'Q?' }]);
    assert.deepEqual(questionMessages({ surveyId: 'abc', text: 'Q?', choices: scale, kind: 'whatsapp', channelType: 'Channel::TwilioSms', inputSelect: on }), [{ content: 'Q?' }]);
    assert.deepEqual(questionMessages({ surveyId: 'abc', text: 'Q?', choices: scale, kind: 'web', inputSelect: new Set() }), [{ content: 'Q?' }]);
  });
});

describe('the Chatwoot client over HTTP', () => {
  let fake: FakeChatwootApi;
  beforeAll(async () => {
    fake = await FakeChatwootApi.start({ accountId: 3, apiToken: 'api-token-0123' });
  });
  afterAll(async () => {
    await fake.stop();
  });
  const client = (token = 'api-token-0123', account = '3') => new ChatwootClient({ url: fake.url, apiToken: token, accountId: account, ratePerSecond: 50 });

  test('reads a conversation and posts messages, notes and input_selects', async () => {
    const c = fake.addConversation({ channel: 'Channel::WebWidget', contact: { id: 1, name: 'A' }, canReply: true });
    const cw = client();
    assert.deepEqual(await cw.conversation(String(c.id)), { canReply: true, channelType: 'Channel::WebWidget', status: 'open' });
    const id = await cw.createMessage(String(c.id), { content: 'Q?', inputSelect: [{ title: '1', value: 'nps:a:1' }] });
    assert.match(String(id), /^\d+$/);
    await cw.createMessage(String(c.id), { content: 'note', private: true });
    assert.deepEqual(fake.conversations.get(c.id)!.messages.map((m) => [m.contentType, m.private]), [['input_select', false], ['text', true]]);
    await cw.stop();
  });

  test('errors: bad token and unknown conversation are permanent, 429 and 5xx transient, a bad id never leaves', async () => {
    const c = fake.addConversation({ channel: 'Channel::Api', contact: { id: 2, name: 'B' } });
    const e1 = await client('wrong-token').createMessage(String(c.id), { content: 'x' }).catch((e: unknown) => e);
    assert.ok(e1 instanceof PermanentSendError && e1.code === 'chatwoot-401', String(e1));
    assert.match(e1.message, /Invalid Access Token/);
    const e2 = await client().createMessage('999999', { content: 'x' }).catch((e: unknown) => e);
    assert.ok(e2 instanceof PermanentSendError && e2.code === 'chatwoot-404', String(e2));
    fake.failNext({ status: 429, headers: { 'retry-after': '3' } });
    const e3 = await client().createMessage(String(c.id), { content: 'x' }).catch((e: unknown) => e);
    assert.ok(e3 instanceof TransientSendError && e3.retryAfterMs === 3000, String(e3));
    fake.failNext({ status: 503, body: '<html>Bad gateway</html>' });
    const e4 = await client().conversation(String(c.id)).catch((e: unknown) => e);
    assert.ok(e4 instanceof TransientSendError, String(e4));
    const before = fake.requests.length;
    const e5 = await client().createMessage('../../admin', { content: 'x' }).catch((e: unknown) => e);
    assert.ok(e5 instanceof PermanentSendError && e5.code === 'chatwoot-bad-conversation', String(e5));
    assert.equal(fake.requests.length, before);
    const e6 = await client().createMessage(String(c.id), { content: '' }).catch((e: unknown) => e);
    assert.ok(e6 instanceof PermanentSendError && e6.code === 'chatwoot-422', String(e6));
  });
});

describe('URL-token mode warns at start-up', () => {
  test('without CHATWOOT_WEBHOOK_SECRET the bridge warns once it mounts its webhook; signed mode does not', async () => {
    const { default: pino } = await import('pino');
    const { Router } = await import('express');
    const { ChatwootBridge } = await import('../../../src/channels/chatwoot/chatwoot-bridge.ts');
    const token = 'url-token-0123456789abcdef';
    for (const [env, warns] of [[{ ...base, CHATWOOT_WEBHOOK_SECRET: '', CHATWOOT_WEBHOOK_TOKEN: token }, true], [base, false]] as const) {
      const lines: string[] = [];
      const bridge = new ChatwootBridge(readChatwootSettings(env)!, pino({ level: 'warn' }, { write: (l: string) => { lines.push(l); } }));
      bridge.start({ resolved: async () => ({ surveyId: '', status: 'duplicate' }), message: async () => ({ status: 'ignored' }) } as never, Router());
      const warned = lines.filter((l) => l.includes('URL-token mode'));
      assert.equal(warned.length, warns ? 1 : 0, JSON.stringify(lines));
      assert.ok(!warned.join('').includes(token), 'the token itself is never logged');
      await bridge.stop();
    }
  });
});
