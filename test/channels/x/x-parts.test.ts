/**
 * The X channel's parts, each with real inputs: settings, webhook signatures, quick
 * replies, agent signatures, the error mapping (the daily caps are in
 * x-shared-state.test.ts), and the twit client against the fake X API (real HTTP on 127.0.0.1).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { loadConfig } from '../../../src/config.ts';
import { ConfigError } from '../../../src/env-readers.ts';
import { silentLogger } from '../../../src/logger.ts';
import { PermanentSendError, TransientSendError } from '../../../src/conversation/channel-contract/send-errors.ts';
import { fromConfig } from '../../../src/channels/x/index.ts';
import { AgentSignatures } from '../../../src/channels/x/x-agent-signature.ts';
import { TwitDirectMessages } from '../../../src/channels/x/x-direct-messages.ts';
import { quickReplyOptions, readQuickReply } from '../../../src/channels/x/x-quick-reply.ts';
import { toSendError } from '../../../src/channels/x/x-send-error.ts';
import { DEFAULT_X_API_URL, readXSettings } from '../../../src/channels/x/x-settings.ts';
import { crcResponseToken, verifyXSignature } from '../../../src/channels/x/x-webhook-signature.ts';
import { FakeXApi } from '../../fakes/x-api.ts';

const base = {
  X_CONSUMER_KEY: 'ck', X_CONSUMER_SECRET: 'cs', X_ACCESS_TOKEN: '1-at', X_ACCESS_TOKEN_SECRET: 'ats', X_BRAND_USER_ID: '1',
};

function configError(env: Record<string, string>): string {
  try {
    readXSettings(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('X settings', () => {
  test('off without X_CONSUMER_KEY: fromConfig returns null', () => {
    assert.equal(readXSettings({}), null);
    assert.equal(readXSettings({ X_CONSUMER_KEY: '  ' }), null);
    assert.equal(fromConfig(loadConfig({}), silentLogger()), null);
    assert.equal(fromConfig(loadConfig(base), silentLogger())?.name, 'x');
  });

  test('defaults', () => {
    const s = readXSettings(base)!;
    assert.equal(s.apiUrl, DEFAULT_X_API_URL);
    assert.equal(s.inactivityMs, 0, 'the inactivity rule is off by default');
    assert.equal(s.dmPerDayApp, 15_000);
    assert.equal(s.dmPerDayUser, 1_000);
    assert.equal(s.agentSignatures.size, 0);
    assert.equal(s.signaturePattern.exec('Thanks! ^AB')?.[1], 'AB');
    assert.equal(s.bodyLimitBytes, 256 * 1024);
  });

  test('values are read and normalised', () => {
    const s = readXSettings({
      ...base, X_API_URL: 'http://127.0.0.1:9/1.1', X_INACTIVITY_HOURS: '1.5',
      X_AGENT_SIGNATURES: 'ab:agent-anna, CD : agent-carl', X_SIGNATURE_PATTERN: String.raw`/([a-z]{2})$`,
    })!;
    assert.equal(s.apiUrl, 'http://127.0.0.1:9/1.1/');
    assert.equal(s.inactivityMs, 5_400_000);
    assert.deepEqual([...s.agentSignatures], [['AB', 'agent-anna'], ['CD', 'agent-carl']]);
    assert.equal(s.signaturePattern.exec('bye /jk')?.[1], 'jk');
  });

  test('a bad value stops the bot with one line naming the variable, secrets hidden', () => {
    assert.match(configError({ X_CONSUMER_KEY: 'ck' }), /^X_CONSUMER_SECRET: required when X_CONSUMER_KEY is set/);
    assert.match(configError({ ...base, X_ACCESS_TOKEN_SECRET: '' }), /^X_ACCESS_TOKEN_SECRET: required/);
    assert.match(configError({ ...base, X_BRAND_USER_ID: '@acme' }), /^X_BRAND_USER_ID: expected a numeric X user id/);
    assert.match(configError({ ...base, X_API_URL: 'ftp://x' }), /^X_API_URL: expected an http\(s\) URL/);
    assert.match(configError({ ...base, X_INACTIVITY_HOURS: '-1' }), /^X_INACTIVITY_HOURS: must not be negative/);
    assert.match(configError({ ...base, X_SIGNATURE_PATTERN: '([A-Z' }), /^X_SIGNATURE_PATTERN: is not a valid regular expression/);
    assert.match(configError({ ...base, X_SIGNATURE_PATTERN: String.raw`\^[A-Z]{2}$` }), /^X_SIGNATURE_PATTERN: needs one capture group/);
    assert.match(configError({ ...base, X_AGENT_SIGNATURES: 'AB=agent-anna' }), /^X_AGENT_SIGNATURES: expected INITIALS:agent-id/);
    assert.match(configError({ ...base, X_DM_PER_DAY_USER: 'lots' }), /^X_DM_PER_DAY_USER: expected a whole number/);
    assert.match(configError({ ...base, X_DM_PER_DAY_APP: '10', X_DM_PER_DAY_USER: '20' }), /^X_DM_PER_DAY_USER: must not be more than X_DM_PER_DAY_APP/);
    const hidden = configError({ ...base, X_CONSUMER_SECRET: 'x'.repeat(600) });
    assert.match(hidden, /\[hidden\]/);
    assert.doesNotMatch(hidden, /xxxx/);
  });
});

describe('X webhook signatures', () => {
  const secret = 'consumer-secret';

  test('the CRC answer is sha256= + base64 HMAC-SHA256 of the token', () => {
    const expected = `sha256=${createHmac('sha256', secret).update('abc').digest('base64')}`;
    assert.equal(crcResponseToken('abc', secret), expected);
  });

  test('the body signature is checked exactly', () => {
    const body = Buffer.from('{"for_user_id":"1"}');
    const good = `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
    assert.equal(verifyXSignature(body, secret, good), true);
    assert.equal(verifyXSignature(body, secret, undefined), false);
    assert.equal(verifyXSignature(body, secret, ''), false);
    assert.equal(verifyXSignature(body, 'other-secret', good), false);
    assert.equal(verifyXSignature(Buffer.from('{"for_user_id":"2"}'), secret, good), false);
    assert.equal(verifyXSignature(body, secret, good.replace('sha256=', 'sha1=')), false);
    assert.equal(verifyXSignature(body, secret, `${good}A`), false);
  });
});

describe('X quick replies', () => {
  test('0–10 as options within X limits, carrying the survey id', () => {
    const options = quickReplyOptions('6650f0c2a1b2c3d4e5f60718', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(options.length, 11);
    assert.deepEqual(options[7], { label: '7', metadata: 'nps:6650f0c2a1b2c3d4e5f60718:7' });
    assert.ok(options.every((o) => o.label.length <= 36 && o.metadata.length <= 1000));
    assert.throws(() => quickReplyOptions('s', Array.from({ length: 21 }, (_, i) => i)), /at most 20/);
  });

  test('a tapped option is read back; anything else is not ours', () => {
    assert.deepEqual(readQuickReply('nps:6650f0c2a1b2c3d4e5f60718:10'), { surveyId: '6650f0c2a1b2c3d4e5f60718', choice: 10 });
    assert.deepEqual(readQuickReply('nps:abc:0'), { surveyId: 'abc', choice: 0 });
    for (const other of [undefined, '', 'nps:abc:11', 'nps:abc:-1', 'nps::5', 'menu:billing', 'nps:abc:5:extra', 'nps:a b:5']) {
      assert.equal(readQuickReply(other), null, String(other));
    }
  });
});

describe('X agent signatures', () => {
  const signatures = new AgentSignatures(/\^([A-Z]{2,3})\s*$/, new Map([['AB', 'agent-anna'], ['CDE', 'agent-carl']]));
  const cases: Array<[string, string | null, boolean?]> = [
    ['Your refund is on its way ^AB', 'agent-anna', true],
    ['Done ^CDE  ', 'agent-carl', true],
    ['All sorted ^ZZ', 'x-brand', false],
    ['Price is 2^10 dollars', null],
    ['^AB is here to help, what happened?', null],
    ['no signature at all', null],
    [`${'long message '.repeat(1000)}^AB`, 'agent-anna', true],
  ];
  for (const [text, agentId, known] of cases) {
    test(`"${text.slice(0, 40)}" → ${agentId}`, () => {
      const found = signatures.find(text);
      assert.equal(found?.agentId ?? null, agentId);
      if (known !== undefined) assert.equal(found?.known, known);
    });
  }
});

describe('X error mapping', () => {
  const now = 1_700_000_000_000;
  test('429 waits until x-rate-limit-reset', () => {
    const e = toSendError({ status: 429, codes: [88], message: 'Rate limit exceeded', rateLimitReset: String(now / 1000 + 90) }, now);
    assert.ok(e instanceof TransientSendError);
    assert.equal(e.retryAfterMs, 90_000);
    const past = toSendError({ status: 429, codes: [], message: 'x', rateLimitReset: String(now / 1000 - 5) }, now);
    assert.equal((past as TransientSendError).retryAfterMs, 1000, 'a reset in the past still waits a second');
    assert.equal((toSendError({ status: 429, codes: [], message: 'x' }, now) as TransientSendError).retryAfterMs, undefined);
  });

  const table: Array<[number | null, number[], 'transient' | 'permanent', string?]> = [
    [503, [], 'transient'],
    [500, [131], 'transient'],
    [200, [130], 'transient'],
    [null, [], 'transient'],
    [403, [349], 'permanent', 'x-349'],
    [403, [150], 'permanent', 'x-150'],
    [404, [108], 'permanent', 'x-108'],
    [401, [32], 'permanent', 'x-32'],
    [400, [], 'permanent', 'http-400'],
  ];
  for (const [status, codes, kind, code] of table) {
    test(`${status ?? 'no response'} ${codes.join(',')} → ${kind}`, () => {
      const e = toSendError({ status, codes, message: 'm' }, now);
      assert.ok(kind === 'transient' ? e instanceof TransientSendError : e instanceof PermanentSendError);
      if (code) assert.equal((e as PermanentSendError).code, code);
    });
  }
});

describe('twit against the fake X API', () => {
  const creds = { consumerKey: 'ck-parts', consumerSecret: 'cs-parts!*()', accessToken: '3000-at', accessTokenSecret: 'ats-parts', brandUserId: '3000' };
  let fake: FakeXApi;
  beforeAll(async () => { fake = await FakeXApi.start(creds); });
  afterAll(async () => { await fake.stop(); });

  test('a DM goes out signed with OAuth 1.0a to X_API_URL and returns X\'s event id', async () => {
    const dms = new TwitDirectMessages(creds, `${fake.url}/1.1/`);
    const { id } = await dms.send({ recipientId: '42', text: 'x'.repeat(12_000) });
    assert.equal(id, fake.sent.at(-1)?.id);
    assert.equal(fake.sent.at(-1)?.text.length, 10_000, 'cut to X\'s DM limit');
  });

  test('wrong credentials: X says 401 code 32, a permanent error', async () => {
    const dms = new TwitDirectMessages({ ...creds, accessTokenSecret: 'wrong' }, `${fake.url}/1.1/`);
    const err = await dms.send({ recipientId: '42', text: 'hi' }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof PermanentSendError);
    assert.equal(err.code, 'x-32');
  });

  test('an HTML error page, an empty 5xx and a closed port are transient', async () => {
    const dms = new TwitDirectMessages(creds, `${fake.url}/1.1/`);
    fake.failNext({ status: 502, rawBody: '<html><body>Bad gateway</body></html>', headers: { 'content-type': 'text/html' } });
    await assert.rejects(dms.send({ recipientId: '42', text: 'hi' }), TransientSendError);
    fake.failNext({ status: 500 });
    await assert.rejects(dms.send({ recipientId: '42', text: 'hi' }), TransientSendError);
    const down = new TwitDirectMessages(creds, 'http://127.0.0.1:9/1.1/', Date.now, 2000);
    await assert.rejects(down.send({ recipientId: '42', text: 'hi' }), TransientSendError);
  });

  test('quick replies that break X\'s limits are refused by X (400 code 214), a permanent error', async () => {
    const dms = new TwitDirectMessages(creds, `${fake.url}/1.1/`);
    const err = await dms.send({ recipientId: '42', text: 'pick', quickReply: [{ label: 'x'.repeat(37), metadata: 'm' }] }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof PermanentSendError);
    assert.equal(err.code, 'x-214');
  });
});
