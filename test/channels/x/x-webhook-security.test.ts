/**
 * Attacks on the X webhook, against the whole bot on 127.0.0.1 with the fake X API:
 * the CRC endpoint must not sign a forged event body for anyone who asks, and a validly
 * signed delivery replayed later must not change a survey. Also: X_SIGNATURE_PATTERN
 * refuses patterns that backtrack catastrophically.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readXSettings } from '../../../src/channels/x/x-settings.ts';
import { withoutStaleEvents, activityPayloadSchema } from '../../../src/channels/x/x-activity-payload.ts';
import { xSignature } from '../../../src/channels/x/x-webhook-signature.ts';
import { ConfigError } from '../../../src/env-readers.ts';
import { surveyModel } from '../../../src/storage/surveys/survey-model.ts';
import { FakeXApi } from '../../fakes/x-api.ts';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { readSurvey } from '../../helpers/surveys.ts';

const creds = {
  consumerKey: 'x-consumer-key-sec',
  consumerSecret: 'x-consumer-secret-sec-0123456789',
  accessToken: '1000-brand-access-token',
  accessTokenSecret: 'x-access-token-secret-sec',
  brandUserId: '1000',
};
const xEnv = {
  X_CONSUMER_KEY: creds.consumerKey,
  X_CONSUMER_SECRET: creds.consumerSecret,
  X_ACCESS_TOKEN: creds.accessToken,
  X_ACCESS_TOKEN_SECRET: creds.accessTokenSecret,
  X_BRAND_USER_ID: creds.brandUserId,
};
const MINUTE = 60_000;

let fake: FakeXApi;
let app: TestApp;
let nextCustomer = 8000;
const customer = () => String(++nextCustomer);

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'x-sec',
    fake: () => FakeXApi.start(creds),
    env: (f) => ({ ...xEnv, X_API_URL: `${f.url}/1.1/` }),
    webhooks: (f, url) => { f.webhookUrl = `${url}/x/webhook`; },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

async function askedSurvey(c: string): Promise<string> {
  const res = await fetch(`${app.url}/api/resolutions`, {
    method: 'POST', headers: authHeaders(),
    body: JSON.stringify({ channel: 'x', conversationId: `sec-${c}`, customer: { id: c }, agent: { id: 'agent-anna' } }),
  });
  assert.equal(res.status, 202);
  const { surveyId } = await res.json() as { surveyId: string };
  await eventually(async () => (await readSurvey(app, { _id: surveyId }))?.state === 'asked', 15_000, 'the question');
  return surveyId;
}

describe('X webhook security', () => {
  test('the CRC endpoint refuses to sign a JSON event body, so it cannot mint a delivery signature', async () => {
    const c = customer();
    const surveyId = await askedSurvey(c);
    const forged = JSON.stringify(fake.customerDm(c, '0', { quickReplyMetadata: `nps:${surveyId}:0` }));

    const crc = await fetch(`${app.url}/x/webhook?crc_token=${encodeURIComponent(forged)}`);
    assert.equal(crc.status, 400, 'a JSON body is not a CRC token');
    const answer = await crc.json() as { response_token?: string; field?: string };
    assert.equal(answer.response_token, undefined);
    assert.equal(answer.field, 'crc_token');

    // Other shapes that could carry JSON: quotes, spaces, braces, over-long.
    for (const token of ['{"a":1}', '"str"', 'a b', '[1]', 'x'.repeat(256)]) {
      const r = await fetch(`${app.url}/x/webhook?crc_token=${encodeURIComponent(token)}`);
      assert.equal(r.status, 400, token.slice(0, 20));
    }
    assert.equal((await readSurvey(app, { _id: surveyId }))?.state, 'asked', 'nothing was answered');
  });

  test('X-style CRC tokens (base64 or URL-safe) are still answered', async () => {
    for (const token of ['challenge-123', 'OWQ2OGI1MDItZmJm+NS00/NmM2LWE=', 'a_b-c.d']) {
      const r = await fetch(`${app.url}/x/webhook?crc_token=${encodeURIComponent(token)}`);
      assert.equal(r.status, 200, token);
      assert.deepEqual(await r.json(), { response_token: xSignature(token, creds.consumerSecret) });
    }
  });

  test('a validly signed DM replayed after X_MAX_EVENT_AGE_MINUTES is answered 200 and ignored', async () => {
    const c = customer();
    const surveyId = await askedSurvey(c);
    const old = fake.customerDm(c, '2', { createdAt: Date.now() - 11 * MINUTE });
    const replay = await fake.deliver(old);
    assert.equal(replay.status, 200, 'X must not retry it');
    // A fresh event delivered after it is handled, so the stale one had its chance and was dropped.
    await fake.deliver(fake.customerDm(c, '9', { createdAt: Date.now() - MINUTE }));
    const s = await eventually(async () => {
      const doc = await readSurvey(app, { _id: surveyId });
      return doc?.state === 'scored' ? doc : null;
    }, 15_000, 'the fresh answer');
    assert.equal(s.score, 9, 'the replayed "2" was not taken');
  });

  test('stale or undated events are dropped from a payload; fresh ones stay', () => {
    const now = Date.now();
    const payload = activityPayloadSchema.parse({
      for_user_id: '1000',
      direct_message_events: [
        { type: 'message_create', id: '1', created_timestamp: String(now - 11 * MINUTE) },
        { type: 'message_create', id: '2', created_timestamp: String(now - 9 * MINUTE) },
        { type: 'message_create', id: '3' },
      ],
    });
    const { payload: kept, stale } = withoutStaleEvents(payload, now, 10 * MINUTE);
    assert.equal(stale, 2);
    assert.deepEqual(kept.direct_message_events?.map((e) => e.id), ['2']);
  });

  test('X_SIGNATURE_PATTERN with nested quantifiers is refused at start-up, naming the variable', () => {
    for (const pattern of [String.raw`^(\w+\s?)*\^([A-Z]{2,3})$`, String.raw`(a+)+\^([A-Z]{2})`, String.raw`\^(([A-Z]*)*)$`, String.raw`(x|x)*\^([A-Z]{2})$`, String.raw`\^((?:A|AB){2,})$`]) {
      assert.throws(() => readXSettings({ ...xEnv, X_SIGNATURE_PATTERN: pattern }),
        (err: unknown) => err instanceof ConfigError && /^X_SIGNATURE_PATTERN: may backtrack catastrophically/.test(err.message), pattern);
    }
    // The default and ordinary patterns still load.
    assert.ok(readXSettings(xEnv));
    assert.ok(readXSettings({ ...xEnv, X_SIGNATURE_PATTERN: String.raw`[-~]\s*([A-Z]{2,3})\s*$` }));
    assert.ok(readXSettings({ ...xEnv, X_SIGNATURE_PATTERN: String.raw`(?:\^|~)([A-Z]{2,3}|[a-z]{2})\s*$` }), 'an alternation that is not repeated is fine');
    // What the check is for: the refused shape really does stall (its time doubles with every character: tens of ms at 24).
    const t0 = performance.now();
    /^(x|x)*y$/.test('x'.repeat(24));
    assert.ok(performance.now() - t0 > 5, 'the catastrophic shape backtracks');
  });

  test('X_MAX_EVENT_AGE_MINUTES is read and bounded', () => {
    assert.equal(readXSettings(xEnv)!.maxEventAgeMs, 10 * MINUTE);
    assert.equal(readXSettings({ ...xEnv, X_MAX_EVENT_AGE_MINUTES: '3' })!.maxEventAgeMs, 3 * MINUTE);
    assert.throws(() => readXSettings({ ...xEnv, X_MAX_EVENT_AGE_MINUTES: '0' }), /X_MAX_EVENT_AGE_MINUTES: must be at least 1/);
  });
});
