/**
 * The Instagram channel end to end: the whole bot (INSTAGRAM_* / META_* settings) with
 * its Graph API client talking HTTP to the fake Graph API, and signed `object:
 * "instagram"` payloads POSTed to /meta/instagram.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FakeGraphApi, type SentMessage } from '../../fakes/graph-api.ts';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { assertAccepted, startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { surveyInState } from '../../helpers/survey-waits.ts';

const VERSION = 'v24.0';
const APP_SECRET = 'instagram-app-secret-0123456789';
const ACCOUNT_ID = '17841400000000001';

let fake: FakeGraphApi;
let app: TestApp;
let nextCustomer = 9_100_000;
const customer = () => String(++nextCustomer);

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'instagram',
    fake: () => FakeGraphApi.start({ version: VERSION, appSecret: APP_SECRET, instagram: { accountId: ACCOUNT_ID, token: 'ig-token-e2e-0123' } }),
    env: (f) => ({
      INSTAGRAM_ACCESS_TOKEN: 'ig-token-e2e-0123',
      INSTAGRAM_ACCOUNT_ID: ACCOUNT_ID,
      // An Instagram-Login app signs with its own secret; the override is what the bot checks.
      META_APP_SECRET: 'the-messenger-app-secret-not-this-one',
      INSTAGRAM_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: 'verify-token-e2e-instagram',
      META_GRAPH_URL: 'http://127.0.0.1:9/unused',
      INSTAGRAM_GRAPH_URL: f.url,
      META_GRAPH_VERSION: VERSION,
      COMPANY_NAME: 'Acme',
    }),
    webhooks: (f, url) => { f.webhookUrls.instagram = `${url}/meta/instagram`; },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

async function resolve(customerId: string, agentId = 'agent-ines'): Promise<string> {
  const res = await fetch(`${app.url}/api/resolutions`, {
    method: 'POST', headers: authHeaders(),
    body: JSON.stringify({ channel: 'instagram', conversationId: `ig-${customerId}`, customer: { id: customerId }, agent: { id: agentId } }),
  });
  assert.equal(res.status, 202);
  return (await res.json() as { surveyId: string }).surveyId;
}

const stateIs = (id: string, state: string) => surveyInState(app, id, state);

async function question(customerId: string, surveyId: string): Promise<SentMessage> {
  const q = await eventually(async () => fake.to('instagram', customerId)[0], 15_000, 'the question');
  await stateIs(surveyId, 'asked');
  return q;
}

const deliver = (payload: unknown) => assertAccepted(fake.deliver('instagram', payload));

describe('Instagram channel', () => {
  test('handshake on /meta/instagram', async () => {
    const ok = await fetch(`${app.url}/meta/instagram?hub.mode=subscribe&hub.verify_token=verify-token-e2e-instagram&hub.challenge=abc123`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'abc123');
    assert.equal((await fetch(`${app.url}/meta/instagram?hub.mode=subscribe&hub.verify_token=nope-nope-nope&hub.challenge=abc123`)).status, 403);
  });

  test('quick replies 0–10; a tap scores; echoes are ignored; follow-up and thanks are plain', async () => {
    const c = customer();
    const surveyId = await resolve(c);
    const q = await question(c, surveyId);
    assert.match(String(q.body.text), /recommend Acme/);
    assert.equal((q.body.quick_replies as unknown[]).length, 11);
    await fake.settled();
    assert.ok(fake.webhookAnswers.every((s) => s === 200), 'the echo of the question was answered 200');

    await deliver(fake.pageEcho('instagram', c, '0'));
    await deliver(fake.customerMessage('instagram', c, '10', { quickReplyPayload: `nps:${surveyId}:10` }));
    assert.equal((await stateIs(surveyId, 'scored')).score, 10);
    await deliver(fake.customerMessage('instagram', c, 'Loved the quick answer'));
    assert.equal((await stateIs(surveyId, 'completed')).comment, 'Loved the quick answer');
    const sent = await eventually(async () => (fake.to('instagram', c).length === 3 ? fake.to('instagram', c) : null), 5000, 'three messages');
    assert.equal(sent[1]!.body.quick_replies, undefined);
    assert.equal(sent[2]!.body.quick_replies, undefined);
  });

  test('a typed answer; a signed delivery for Messenger on this route is refused', async () => {
    const c = customer();
    const surveyId = await resolve(c, 'agent-ola');
    await question(c, surveyId);
    const asMessenger = { object: 'page', entry: [] };
    assert.equal((await fake.deliver('instagram', asMessenger)).status, 400);
    assert.equal((await fake.deliver('instagram', fake.customerMessage('instagram', c, '8'), { signature: null })).status, 401);
    await deliver(fake.customerMessage('instagram', c, "I'd give you an 8"));
    assert.equal((await stateIs(surveyId, 'scored')).score, 8);
  });

  test('a closed window (Instagram 10/2534022) skips the survey: window-closed', async () => {
    const c = customer();
    fake.closeWindow('instagram', c);
    const surveyId = await resolve(c);
    const s = await stateIs(surveyId, 'skipped');
    assert.equal(s.skipReason, 'window-closed');
    assert.match(String(s.lastError), /2534022/);
  });

  test('the report has an instagram row with both answers, split by agent', async () => {
    const rows = await eventually(async () => {
      const res = await fetch(`${app.url}/api/reports/nps?by=channel,agent`, { headers: authHeaders() });
      const r = (await res.json() as { rows: Array<Record<string, unknown>> }).rows.filter((x) => x.channel === 'instagram');
      return r.length === 2 ? r : null;
    }, 20_000, 'two instagram rows');
    assert.deepEqual(rows.map((r) => [r.agentId, r.responses, r.promoters, r.passives]).sort(), [['agent-ines', 1, 1, 0], ['agent-ola', 1, 0, 1]]);
  });
});
