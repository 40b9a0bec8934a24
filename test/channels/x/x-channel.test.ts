/**
 * The X channel end to end: the whole bot (started from X_* settings) with the real
 * twit talking HTTP to a fake X API on 127.0.0.1, and signed Account Activity
 * payloads POSTed to the bot's /x/webhook the way X delivers them.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { PermanentSendError } from '../../../src/conversation/channel-contract/send-errors.ts';
import { FakeXApi, signActivity, type SentDm } from '../../fakes/x-api.ts';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { surveyInState } from '../../helpers/survey-waits.ts';
import { readSurvey } from '../../helpers/surveys.ts';

const creds = {
  consumerKey: 'x-consumer-key-e2e',
  consumerSecret: 'x-consumer-secret-e2e-0123456789',
  accessToken: '1000-brand-access-token',
  accessTokenSecret: 'x-access-token-secret-e2e',
  brandUserId: '1000',
};

let fake: FakeXApi;
let app: TestApp;
let nextCustomer = 5000;
const customer = () => String(++nextCustomer);

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'x',
    fake: () => FakeXApi.start(creds),
    env: (f) => ({
      X_CONSUMER_KEY: creds.consumerKey,
      X_CONSUMER_SECRET: creds.consumerSecret,
      X_ACCESS_TOKEN: creds.accessToken,
      X_ACCESS_TOKEN_SECRET: creds.accessTokenSecret,
      X_BRAND_USER_ID: creds.brandUserId,
      X_API_URL: `${f.url}/1.1/`,
      COMPANY_NAME: 'Acme',
    }),
    webhooks: (f, url) => { f.webhookUrl = `${url}/x/webhook`; },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

async function resolve(customerId: string, agent = { id: 'agent-anna', name: 'Anna' }): Promise<string> {
  const res = await fetch(`${app.url}/api/resolutions`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify({ channel: 'x', conversationId: `care-${customerId}`, customer: { id: customerId }, agent }),
  });
  assert.equal(res.status, 202);
  const body = await res.json() as { surveyId: string; status: string };
  assert.equal(body.status, 'scheduled');
  return body.surveyId;
}

/** The question DM, once X has it and the engine has recorded the survey as asked. */
async function question(customerId: string, surveyId: string): Promise<SentDm> {
  const dm = await eventually(async () => fake.to(customerId).find((m) => m.quickReply), 15_000, `the question DM to ${customerId}`);
  await stateIs(surveyId, 'asked');
  return dm;
}

async function survey(id: string) {
  const s = await readSurvey(app, { _id: id });
  assert.ok(s, 'survey exists');
  return s;
}

const stateIs = (id: string, state: string) => surveyInState(app, id, state);

async function deliver(payload: unknown): Promise<void> {
  const res = await fake.deliver(payload);
  assert.equal(res.status, 200, await res.text());
}

/** Answers stored so far, to check the report against. */
const answered: Array<{ agentId: string; score: number }> = [];

describe('X channel', () => {
  test('GET /x/webhook answers the CRC challenge with the HMAC of crc_token', async () => {
    const res = await fetch(`${app.url}/x/webhook?crc_token=${encodeURIComponent('challenge-123')}`);
    assert.equal(res.status, 200);
    const expected = `sha256=${createHmac('sha256', creds.consumerSecret).update('challenge-123').digest('base64')}`;
    assert.deepEqual(await res.json(), { response_token: expected });
    const missing = await fetch(`${app.url}/x/webhook`);
    assert.equal(missing.status, 400);
  });

  test('a resolution through the API asks in the DM with quick replies 0–10; a tap scores, the comment completes', async () => {
    const c = customer();
    const surveyId = await resolve(c);
    const q = await question(c, surveyId);
    assert.match(q.text, /recommend Acme/);
    assert.deepEqual(q.quickReply, Array.from({ length: 11 }, (_, n) => ({ label: String(n), metadata: `nps:${surveyId}:${n}` })));
    assert.equal((await survey(surveyId)).agent.id, 'agent-anna');

    // X echoes the bot's own question on the webhook: seen, answered 200, not an answer.
    await fake.echoesSettled();
    assert.ok(fake.echoStatuses.length > 0 && fake.echoStatuses.every((s) => s === 200));
    assert.equal((await survey(surveyId)).state, 'asked');

    await deliver(fake.customerDm(c, '9', { quickReplyMetadata: `nps:${surveyId}:9` }));
    const scored = await stateIs(surveyId, 'scored');
    assert.equal(scored.score, 9);
    assert.equal(scored.category, 'promoter');
    const followup = await eventually(async () => fake.to(c)[1], 5000, 'the follow-up DM');
    assert.match(followup.text, /main reason/);
    assert.equal(followup.quickReply, undefined, 'the follow-up is a plain DM');

    await deliver(fake.customerDm(c, 'Quick and friendly help, thanks'));
    const done = await stateIs(surveyId, 'completed');
    assert.equal(done.comment, 'Quick and friendly help, thanks');
    const thanks = await eventually(async () => fake.to(c)[2], 5000, 'the thank-you DM');
    assert.match(thanks.text, /Thanks a lot/);
    assert.equal(thanks.quickReply, undefined);
    answered.push({ agentId: 'agent-anna', score: 9 });
  });

  test('a typed answer is read from the text', async () => {
    const c = customer();
    const surveyId = await resolve(c, { id: 'agent-carl', name: 'Carl' });
    await question(c, surveyId);
    await deliver(fake.customerDm(c, 'I would say 6/10'));
    const s = await stateIs(surveyId, 'scored');
    assert.equal(s.score, 6);
    assert.equal(s.category, 'detractor');
    answered.push({ agentId: 'agent-carl', score: 6 });
  });

  test('unsigned and forged deliveries are refused and change nothing', async () => {
    const c = customer();
    const surveyId = await resolve(c, { id: 'agent-carl', name: 'Carl' });
    await question(c, surveyId);
    const payload = fake.customerDm(c, '10');

    const unsigned = await fake.deliver(payload, { signature: null });
    assert.equal(unsigned.status, 401);
    const wrongKey = await fake.deliver(payload, { signature: signActivity(JSON.stringify(payload), 'not-the-secret') });
    assert.equal(wrongKey.status, 403);
    const otherBody = await fake.deliver(payload, { signature: signActivity('{"for_user_id":"1000"}', creds.consumerSecret) });
    assert.equal(otherBody.status, 403);
    const garbage = await fake.deliver(payload, { signature: 'sha256=AAAA' });
    assert.equal(garbage.status, 403);

    // Signed but not an Account Activity payload: a clear 400.
    const notJson = await fake.deliver(null, { rawBody: '{"for_user_id":' });
    assert.equal(notJson.status, 400);
    const badShape = await fake.deliver({ for_user_id: 'brand', direct_message_events: [] });
    assert.equal(badShape.status, 400);
    assert.match(((await badShape.json()) as { error: string }).error, /for_user_id/);

    // A body over X_BODY_LIMIT_KB (256 KB) is cut off before anything reads it.
    const huge = await fake.deliver(null, { rawBody: JSON.stringify({ for_user_id: '1000', pad: 'x'.repeat(300 * 1024) }) });
    assert.equal(huge.status, 413);

    const s = await survey(surveyId);
    assert.equal(s.state, 'asked');
    assert.equal(s.score ?? null, null);
    assert.equal(fake.to(c).length, 1, 'no follow-up was sent');

    // The same answer, properly signed, is taken: the refusals above were the signature's doing.
    await deliver(payload);
    assert.equal((await stateIs(surveyId, 'scored')).score, 10);
    answered.push({ agentId: 'agent-carl', score: 10 });
  });

  test("the brand's own DMs are never taken for the customer's answer", async () => {
    const c = customer();
    const surveyId = await resolve(c, { id: 'agent-dana', name: 'Dana' });
    await question(c, surveyId);
    // An agent writes "10" in the same DM conversation (e.g. "10% off your next order").
    await deliver(fake.brandDm(c, '10 ^AB'));
    await deliver(fake.customerDm(c, '3'));
    const s = await stateIs(surveyId, 'scored');
    assert.equal(s.score, 3, "the customer's 3, not the agent's 10");
    answered.push({ agentId: 'agent-dana', score: 3 });
  });

  test('the same event delivered twice is handled once', async () => {
    const c = customer();
    const surveyId = await resolve(c, { id: 'agent-dana', name: 'Dana' });
    await question(c, surveyId);
    const score = fake.customerDm(c, '7');
    await deliver(score);
    await deliver(score);
    assert.equal((await stateIs(surveyId, 'scored')).score, 7);
    const comment = fake.customerDm(c, 'Took a while but fine');
    await deliver(comment);
    await deliver(comment);
    await stateIs(surveyId, 'completed');
    await eventually(async () => fake.to(c).length >= 3, 5000, 'the thank-you DM');
    await fake.echoesSettled();
    const dms = fake.to(c);
    assert.equal(dms.length, 3, 'one question, one follow-up and one thank-you: nothing twice');
    assert.match(dms[1]!.text, /main reason/);
    assert.match(dms[2]!.text, /Thanks a lot/);
    answered.push({ agentId: 'agent-dana', score: 7 });
  });

  test('a 429 from X is waited out until x-rate-limit-reset, then the question goes out', async () => {
    const c = customer();
    fake.failNext({
      status: 429,
      headers: { 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 1), 'x-rate-limit-remaining': '0' },
      body: { errors: [{ code: 88, message: 'Rate limit exceeded' }] },
    });
    const surveyId = await resolve(c);
    await question(c, surveyId);
    assert.deepEqual(fake.attempts.filter((a) => a.recipientId === c).map((a) => a.status), [429, 200]);
    await stateIs(surveyId, 'asked');
  });

  test('a 5xx from X is retried', async () => {
    const c = customer();
    fake.failNext({ status: 503, body: { errors: [{ code: 130, message: 'Over capacity' }] } });
    const surveyId = await resolve(c);
    await question(c, surveyId);
    assert.deepEqual(fake.attempts.filter((a) => a.recipientId === c).map((a) => a.status), [503, 200]);
    await stateIs(surveyId, 'asked');
  });

  test("a customer who does not accept DMs: the survey fails with X's reason, no retries", async () => {
    const c = customer();
    fake.closedDms.add(c);
    const surveyId = await resolve(c);
    const s = await stateIs(surveyId, 'failed');
    assert.match(String(s.lastError), /349/);
    assert.equal(fake.attempts.filter((a) => a.recipientId === c).length, 1);
  });

  test('a resolution for something that is not an X user id (a @handle) is refused (400 naming customer.id) without calling X', async () => {
    const before = fake.attempts.length;
    const res = await fetch(`${app.url}/api/resolutions`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ channel: 'x', conversationId: 'care-handle', customer: { id: '@casey' }, agent: { id: 'agent-anna' } }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json() as { field: string }).field, 'customer.id');
    assert.equal(fake.attempts.length, before);
  });

  test('a notice for managers is a DM to the X user id given as the channel id', async () => {
    await app.outbox.post('x', '4242', { text: 'Detractor alert', fields: { score: '3', agent: 'agent-dana' } });
    assert.deepEqual(fake.to('4242').map((m) => m.text), ['Detractor alert\nscore: 3\nagent: agent-dana']);
    await assert.rejects(app.outbox.post('x', 'C0123', { text: 'x' }), PermanentSendError);
  });

  test('the answers show in the NPS report by channel x and by agent', async () => {
    const get = async (by: string) => {
      const res = await fetch(`${app.url}/api/reports/nps?by=${by}`, { headers: authHeaders() });
      assert.equal(res.status, 200);
      return (await res.json() as { rows: Array<Record<string, unknown>> }).rows;
    };
    const count = (f: (a: { score: number }) => boolean) => answered.filter(f).length;
    const x = (await get('channel')).find((r) => r.channel === 'x');
    assert.ok(x, 'a row for channel x');
    assert.equal(x.responses, answered.length);
    assert.equal(x.promoters, count((a) => a.score >= 9));
    assert.equal(x.detractors, count((a) => a.score <= 6));
    const byAgent = await get('agent');
    const anna = byAgent.find((r) => r.agentId === 'agent-anna');
    assert.equal(anna?.responses, 1);
    assert.equal(anna?.nps, 100);
    const carl = byAgent.find((r) => r.agentId === 'agent-carl');
    assert.equal(carl?.responses, 2);
    assert.equal(carl?.nps, 0); // one promoter (10), one detractor (6)
  });
});
