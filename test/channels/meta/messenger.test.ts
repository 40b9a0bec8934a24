/**
 * The Messenger channel end to end: the whole bot (started from MESSENGER_* / META_*
 * settings) with its Graph API client talking HTTP to a fake Graph API on 127.0.0.1,
 * and signed webhook payloads POSTed to the bot's /meta/messenger the way Meta
 * delivers them.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FakeGraphApi, signHub, type SentMessage } from '../../fakes/graph-api.ts';
import { authHeaders, eventually, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { surveyInState } from '../../helpers/survey-waits.ts';
import { readSurvey } from '../../helpers/surveys.ts';

const VERSION = 'v24.0';
const APP_SECRET = 'meta-app-secret-e2e-0123456789';
const VERIFY_TOKEN = 'verify-token-e2e-messenger';
const PAGE_ID = '100200300';

let fake: FakeGraphApi;
let app: TestApp;
let nextCustomer = 7_000_000;
const customer = () => String(++nextCustomer);

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'messenger',
    fake: () => FakeGraphApi.start({ version: VERSION, appSecret: APP_SECRET, messenger: { pageId: PAGE_ID, token: 'page-token-e2e-0123' } }),
    env: (f) => ({
      MESSENGER_PAGE_ACCESS_TOKEN: 'page-token-e2e-0123',
      MESSENGER_PAGE_ID: PAGE_ID,
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: VERIFY_TOKEN,
      META_GRAPH_URL: f.url,
      META_GRAPH_VERSION: VERSION,
      COMPANY_NAME: 'Acme',
    }),
    webhooks: (f, url) => { f.webhookUrls.messenger = `${url}/meta/messenger`; },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

async function resolve(customerId: string, agent = { id: 'agent-anna', name: 'Anna' }): Promise<string> {
  const res = await fetch(`${app.url}/api/resolutions`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify({ channel: 'messenger', conversationId: `care-${customerId}`, customer: { id: customerId }, agent }),
  });
  assert.equal(res.status, 202, await res.clone().text());
  const body = await res.json() as { surveyId: string; status: string };
  assert.equal(body.status, 'scheduled');
  return body.surveyId;
}

async function survey(id: string) {
  const s = await readSurvey(app, { _id: id });
  assert.ok(s, 'survey exists');
  return s;
}

const stateIs = (id: string, state: string) => surveyInState(app, id, state);

async function question(customerId: string, surveyId: string): Promise<SentMessage> {
  const q = await eventually(async () => fake.to('messenger', customerId)[0], 15_000, `the question to ${customerId}`);
  await stateIs(surveyId, 'asked');
  return q;
}

async function deliver(payload: unknown): Promise<void> {
  const res = await fake.deliver('messenger', payload);
  assert.equal(res.status, 200, await res.text());
}

const answered: Array<{ agentId: string; score: number }> = [];

describe('Messenger channel', () => {
  test('GET /meta/messenger answers the subscription handshake with the challenge, only for the right token', async () => {
    const ok = await fetch(`${app.url}/meta/messenger?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '1158201444');
    const wrong = await fetch(`${app.url}/meta/messenger?hub.mode=subscribe&hub.verify_token=not-the-token&hub.challenge=1158201444`);
    assert.equal(wrong.status, 403);
    assert.doesNotMatch(await wrong.text(), /1158201444/);
    const noMode = await fetch(`${app.url}/meta/messenger?hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`);
    assert.equal(noMode.status, 400);
  });

  test('a resolution through the API asks with quick replies 0–10; a tap scores, the follow-up and thanks are plain text', async () => {
    const c = customer();
    const surveyId = await resolve(c);
    const q = await question(c, surveyId);
    assert.match(String(q.body.text), /recommend Acme/);
    assert.deepEqual(q.body.quick_replies, Array.from({ length: 11 }, (_, n) => ({ content_type: 'text', title: String(n), payload: `nps:${surveyId}:${n}` })));

    // Meta echoes the page's own question on the webhook: answered 200, never an answer.
    await fake.settled();
    assert.ok(fake.webhookAnswers.length > 0 && fake.webhookAnswers.every((s) => s === 200));
    assert.equal((await survey(surveyId)).state, 'asked');

    await deliver(fake.customerMessage('messenger', c, '9', { quickReplyPayload: `nps:${surveyId}:9` }));
    const scored = await stateIs(surveyId, 'scored');
    assert.equal(scored.score, 9);
    assert.equal(scored.category, 'promoter');
    const followup = await eventually(async () => fake.to('messenger', c)[1], 5000, 'the follow-up');
    assert.match(String(followup.body.text), /main reason/);
    assert.equal(followup.body.quick_replies, undefined, 'the follow-up is plain text');

    await deliver(fake.customerMessage('messenger', c, 'Quick and friendly, thanks'));
    const done = await stateIs(surveyId, 'completed');
    assert.equal(done.comment, 'Quick and friendly, thanks');
    const thanks = await eventually(async () => fake.to('messenger', c)[2], 5000, 'the thanks');
    assert.match(String(thanks.body.text), /Thanks a lot/);
    assert.equal(thanks.body.quick_replies, undefined);
    answered.push({ agentId: 'agent-anna', score: 9 });
  });

  test('a typed answer is read from the text', async () => {
    const c = customer();
    const surveyId = await resolve(c, { id: 'agent-carl', name: 'Carl' });
    await question(c, surveyId);
    await deliver(fake.customerMessage('messenger', c, 'I would say 6/10'));
    const s = await stateIs(surveyId, 'scored');
    assert.equal(s.score, 6);
    assert.equal(s.category, 'detractor');
    answered.push({ agentId: 'agent-carl', score: 6 });
  });

  test('unsigned and forged deliveries are refused and change nothing', async () => {
    const c = customer();
    const surveyId = await resolve(c, { id: 'agent-carl', name: 'Carl' });
    await question(c, surveyId);
    const payload = fake.customerMessage('messenger', c, '10');
    const body = JSON.stringify(payload);

    assert.equal((await fake.deliver('messenger', payload, { signature: null })).status, 401);
    assert.equal((await fake.deliver('messenger', payload, { signature: signHub(body, 'not-the-app-secret') })).status, 403);
    assert.equal((await fake.deliver('messenger', payload, { signature: signHub('{"object":"page","entry":[]}', APP_SECRET) })).status, 403);
    assert.equal((await fake.deliver('messenger', payload, { signature: 'sha256=00' })).status, 403);
    // Signed, but not JSON / not a Messenger payload: a clear 400.
    assert.equal((await fake.deliver('messenger', null, { rawBody: '{"object":' })).status, 400);
    const wrongObject = await fake.deliver('messenger', { object: 'instagram', entry: [] });
    assert.equal(wrongObject.status, 400);
    assert.match(((await wrongObject.json()) as { error: string }).error, /object/);

    // A body over META_BODY_LIMIT_KB (512 KB) is cut off before anything reads it.
    assert.equal((await fake.deliver('messenger', null, { rawBody: JSON.stringify({ object: 'page', pad: 'x'.repeat(600 * 1024) }) })).status, 413);

    const s = await survey(surveyId);
    assert.equal(s.state, 'asked');
    assert.equal(fake.to('messenger', c).length, 1, 'no follow-up was sent');

    // The same message, properly signed, is taken: the refusals were the signature's doing.
    await deliver(payload);
    assert.equal((await stateIs(surveyId, 'scored')).score, 10);
    answered.push({ agentId: 'agent-carl', score: 10 });
  });

  test("the page's own messages (echoes) are never the customer's answer", async () => {
    const c = customer();
    const surveyId = await resolve(c, { id: 'agent-dana', name: 'Dana' });
    await question(c, surveyId);
    // An agent writes "10" in Meta Business Suite ("10% off your next order").
    await deliver(fake.pageEcho('messenger', c, '10'));
    assert.equal((await survey(surveyId)).state, 'asked');
    await deliver(fake.customerMessage('messenger', c, '3'));
    assert.equal((await stateIs(surveyId, 'scored')).score, 3, "the customer's 3, not the page's 10");
    answered.push({ agentId: 'agent-dana', score: 3 });
  });

  test('a sticker or photo alone is not read as a reply (no re-prompt)', async () => {
    const c = customer();
    const surveyId = await resolve(c, { id: 'agent-dana', name: 'Dana' });
    await question(c, surveyId);
    const sticker = fake.customerMessage('messenger', c, '');
    const event = ((sticker.entry as Array<{ messaging: Array<{ message: Record<string, unknown> }> }>)[0]!.messaging[0]!.message);
    delete event.text;
    event.attachments = [{ type: 'image', payload: { url: 'https://cdn.example/like.png', sticker_id: 369239263222822 } }];
    await deliver(sticker);
    await fake.settled();
    const s = await survey(surveyId);
    assert.equal(s.state, 'asked');
    assert.equal(s.reprompts ?? 0, 0);
    assert.equal(fake.to('messenger', c).length, 1);
    await deliver(fake.customerMessage('messenger', c, '10'));
    assert.equal((await stateIs(surveyId, 'scored')).score, 10);
    answered.push({ agentId: 'agent-dana', score: 10 });
  });

  test('the same delivery twice is handled once', async () => {
    const c = customer();
    const surveyId = await resolve(c, { id: 'agent-dana', name: 'Dana' });
    await question(c, surveyId);
    const score = fake.customerMessage('messenger', c, '7');
    await deliver(score);
    await deliver(score);
    assert.equal((await stateIs(surveyId, 'scored')).score, 7);
    const comment = fake.customerMessage('messenger', c, 'Took a while but fine');
    await deliver(comment);
    await deliver(comment);
    await stateIs(surveyId, 'completed');
    await eventually(async () => fake.to('messenger', c).length >= 3, 5000, 'the thanks');
    await fake.settled();
    assert.equal(fake.to('messenger', c).length, 3, 'one question, one follow-up and one thank-you: nothing twice');
    answered.push({ agentId: 'agent-dana', score: 7 });
  });

  test('a closed 24-hour window skips the survey with reason window-closed (not a failure), without retrying', async () => {
    const c = customer();
    fake.closeWindow('messenger', c);
    const surveyId = await resolve(c);
    const s = await stateIs(surveyId, 'skipped');
    assert.equal(s.skipReason, 'window-closed');
    assert.match(String(s.lastError), /2018278/);
    assert.deepEqual(fake.attempts.filter((a) => a.to === c).map((a) => [a.status, a.code]), [[400, 10]]);
    assert.equal(fake.to('messenger', c).length, 0);
  });

  test("a rate limit is waited out as Meta's usage header says, then the question goes out", async () => {
    const c = customer();
    fake.failNext('messenger', {
      status: 400,
      body: { error: { message: '(#613) Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613, fbtrace_id: 'Afake' } },
      headers: { 'x-business-use-case-usage': JSON.stringify({ [PAGE_ID]: [{ type: 'messenger', call_count: 100, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: 0 }] }) },
    });
    const surveyId = await resolve(c);
    await question(c, surveyId);
    assert.deepEqual(fake.attempts.filter((a) => a.to === c).map((a) => a.status), [400, 200]);
  });

  test('a customer who blocked the page: the survey fails with Meta\'s reason, no retries', async () => {
    const c = customer();
    fake.failNext('messenger', { status: 400, body: { error: { message: "(#551) This person isn't available right now.", type: 'OAuthException', code: 551, error_subcode: 1545041 } } });
    const surveyId = await resolve(c);
    const s = await stateIs(surveyId, 'failed');
    assert.match(String(s.lastError), /551/);
    assert.equal(fake.attempts.filter((a) => a.to === c).length, 1);
  });

  test('a resolution for something that is not a Messenger user id is refused (400 naming customer.id) without calling Meta', async () => {
    const before = fake.attempts.length;
    const res = await fetch(`${app.url}/api/resolutions`, {
      method: 'POST', headers: authHeaders(),
      body: JSON.stringify({ channel: 'messenger', conversationId: 'care-email', customer: { id: 'casey@example.com' }, agent: { id: 'agent-anna' } }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json() as { field: string }).field, 'customer.id');
    assert.equal(fake.attempts.length, before);
  });

  test('the answers show in the NPS report under channel messenger and by agent', async () => {
    const get = async (by: string) => {
      const res = await fetch(`${app.url}/api/reports/nps?by=${by}`, { headers: authHeaders() });
      assert.equal(res.status, 200);
      return (await res.json() as { rows: Array<Record<string, unknown>> }).rows;
    };
    const rows = await eventually(async () => {
      const r = await get('channel');
      const m = r.find((x) => x.channel === 'messenger');
      return m && m.responses === answered.length ? r : null;
    }, 20_000, 'the report to include every answer');
    const m = rows.find((x) => x.channel === 'messenger')!;
    assert.equal(m.promoters, answered.filter((a) => a.score >= 9).length);
    assert.equal(m.detractors, answered.filter((a) => a.score <= 6).length);
    const byAgent = await get('agent');
    assert.equal(byAgent.find((r) => r.agentId === 'agent-anna')?.responses, 1);
    const carl = byAgent.find((r) => r.agentId === 'agent-carl');
    assert.equal(carl?.responses, 2);
    assert.equal(carl?.nps, 0);
  });
});

describe('Messenger customer feedback template', () => {
  test('asks with the NPS template when enabled; the answer in the sheet scores that survey', async () => {
    const fake2 = await FakeGraphApi.start({ version: VERSION, appSecret: APP_SECRET, messenger: { pageId: PAGE_ID, token: 'page-token-e2e-0123' } });
    const app2 = await startTestApp({
      label: 'messengerfb',
      env: {
        MESSENGER_PAGE_ACCESS_TOKEN: 'page-token-e2e-0123', MESSENGER_PAGE_ID: PAGE_ID, META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN, META_GRAPH_URL: fake2.url, META_GRAPH_VERSION: VERSION, COMPANY_NAME: 'Acme',
        MESSENGER_FEEDBACK_TEMPLATE: 'on', MESSENGER_PRIVACY_URL: 'https://acme.example/privacy',
      },
    });
    fake2.webhookUrls.messenger = `${app2.url}/meta/messenger`;
    try {
      const resolveOn = async (c: string) => {
        const res = await fetch(`${app2.url}/api/resolutions`, {
          method: 'POST', headers: authHeaders(),
          body: JSON.stringify({ channel: 'messenger', conversationId: `fb-${c}`, customer: { id: c }, agent: { id: 'agent-anna' } }),
        });
        return (await res.json() as { surveyId: string }).surveyId;
      };
      const state = async (id: string, want: string) => eventually(async () => {
        const s = await readSurvey(app2, { _id: id });
        return s?.state === want ? s : null;
      }, 15_000, `survey ${id} to be ${want}`);

      const c = customer();
      const surveyId = await resolveOn(c);
      const q = await eventually(async () => fake2.to('messenger', c)[0], 15_000, 'the template');
      const payload = (q.body.attachment as { payload: Record<string, unknown> }).payload;
      assert.equal(payload.template_type, 'customer_feedback');
      const question = (payload.feedback_screens as Array<{ questions: Array<Record<string, unknown>> }>)[0]!.questions[0]!;
      assert.equal(question.type, 'nps');
      assert.equal(question.score_option, 'zero_to_ten');
      assert.equal(question.id, `nps${surveyId}`);
      assert.deepEqual(payload.business_privacy, { url: 'https://acme.example/privacy' });
      await state(surveyId, 'asked');

      const answer = fake2.feedbackAnswer(c, `nps${surveyId}`, 8);
      assert.equal((await fake2.deliver('messenger', answer)).status, 200);
      assert.equal((await fake2.deliver('messenger', answer)).status, 200, 'a redelivery is fine');
      const s = await state(surveyId, 'scored');
      assert.equal(s.score, 8);
      assert.equal(s.category, 'passive');
      await eventually(async () => fake2.to('messenger', c).length === 2, 5000, 'the follow-up');

      // A customer who blocked the page fails that survey, and says nothing about the template.
      const blocked = customer();
      fake2.failNext('messenger', { status: 400, body: { error: { message: "(#551) This person isn't available right now.", type: 'OAuthException', code: 551, error_subcode: 1545041 } } });
      const blockedSurvey = await resolveOn(blocked);
      await state(blockedSurvey, 'failed');
      const c1 = customer();
      const s1 = await resolveOn(c1);
      const q1 = await eventually(async () => fake2.to('messenger', c1)[0], 15_000, 'the template again');
      assert.equal((q1.body.attachment as { payload: { template_type: string } }).payload.template_type, 'customer_feedback');
      await state(s1, 'asked');

      // A page that may not use the template: quick replies instead, from then on.
      fake2.feedbackTemplateAllowed = false;
      const c2 = customer();
      const surveyId2 = await resolveOn(c2);
      const q2 = await eventually(async () => fake2.to('messenger', c2)[0], 15_000, 'the question with quick replies');
      assert.equal((q2.body.quick_replies as unknown[]).length, 11);
      await state(surveyId2, 'asked');
    } finally {
      await fake2.settled();
      await app2.close();
      await fake2.stop();
    }
  });
});
