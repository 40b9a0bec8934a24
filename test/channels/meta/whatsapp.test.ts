/**
 * The WhatsApp channel end to end: the whole bot (WHATSAPP_* / META_* settings) with its
 * Graph API client talking HTTP to the fake Cloud API, which — like the real one —
 * accepts a message first and then reports its fate (sent, delivered, or failed with
 * 131047 when the 24-hour window has closed) on the bot's /meta/whatsapp webhook.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FakeGraphApi, type SentMessage } from '../../fakes/graph-api.ts';
import { startApp } from '../../../src/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { authHeaders, eventually, TEST_API_TOKEN, type TestApp } from '../../helpers/app.ts';
import { startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { readSurvey } from '../../helpers/surveys.ts';

const VERSION = 'v24.0';
const APP_SECRET = 'whatsapp-app-secret-0123456789';
const PHONE_NUMBER_ID = '106540352242922';
const TOKEN = 'wa-token-e2e-0123456';

interface Setup { fake: FakeGraphApi; app: TestApp }

function whatsappEnv(fake: FakeGraphApi): Record<string, string> {
  return {
    WHATSAPP_ACCESS_TOKEN: TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    META_APP_SECRET: APP_SECRET,
    META_VERIFY_TOKEN: 'verify-token-e2e-whatsapp',
    META_GRAPH_URL: fake.url,
    META_GRAPH_VERSION: VERSION,
    WHATSAPP_STATUS_WAIT_SECONDS: '5',
    COMPANY_NAME: 'Acme',
  };
}

async function setup(label: string, extraEnv: Record<string, string> = {}): Promise<Setup> {
  return startBotWithFake({
    label,
    fake: () => FakeGraphApi.start({
      version: VERSION, appSecret: APP_SECRET,
      whatsapp: { phoneNumberId: PHONE_NUMBER_ID, businessAccountId: '102290129340398', token: TOKEN },
      templates: { nps_question: ['en', 'sv'] },
    }),
    env: (f) => ({ ...whatsappEnv(f), ...extraEnv }),
    webhooks: (f, url) => { f.webhookUrls.whatsapp = `${url}/meta/whatsapp`; },
  });
}

const teardown = (s: Setup | undefined) => stopBotWithFake({ fake: s?.fake, app: s?.app });

let main: Setup;
let nextCustomer = 46_701_000_000;
const customer = () => String(++nextCustomer);

beforeAll(async () => {
  main = await setup('whatsapp');
});

afterAll(async () => {
  await teardown(main);
});

async function resolve(s: Setup, customerId: string, agentId = 'agent-wera', locale?: string): Promise<string> {
  const res = await fetch(`${s.app.url}/api/resolutions`, {
    method: 'POST', headers: authHeaders(),
    body: JSON.stringify({ channel: 'whatsapp', conversationId: `wa-${customerId}`, customer: { id: customerId, ...(locale ? { locale } : {}) }, agent: { id: agentId } }),
  });
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json() as { surveyId: string }).surveyId;
}

async function stateIs(s: Setup, id: string, state: string) {
  return eventually(async () => {
    const doc = await readSurvey(s.app, { _id: id });
    return doc?.state === state ? doc : null;
  }, 20_000, `survey ${id} to be ${state}`);
}

async function questionLists(s: Setup, customerId: string, surveyId: string): Promise<SentMessage[]> {
  await stateIs(s, surveyId, 'asked');
  return eventually(async () => {
    const m = s.fake.to('whatsapp', customerId);
    return m.length >= 2 ? m : null;
  }, 10_000, 'both halves of the scale');
}

async function deliver(s: Setup, payload: unknown): Promise<void> {
  const res = await s.fake.deliver('whatsapp', payload);
  assert.equal(res.status, 200, await res.text());
}

type List = { type: string; body: { text: string }; action: { button: string; sections: Array<{ title?: string; rows: Array<{ id: string; title: string }> }> } };

describe('WhatsApp channel', () => {
  test('handshake on /meta/whatsapp', async () => {
    const ok = await fetch(`${main.app.url}/meta/whatsapp?hub.mode=subscribe&hub.verify_token=verify-token-e2e-whatsapp&hub.challenge=987654`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '987654');
    assert.equal((await fetch(`${main.app.url}/meta/whatsapp?hub.mode=subscribe&hub.verify_token=wrong-token-xx&hub.challenge=1`)).status, 403);
  });

  test('the question is two lists within WhatsApp\'s limits (0–5 with the question, 6–10); a tap on a row scores exactly', async () => {
    const c = customer();
    const surveyId = await resolve(main, c);
    const [first, second] = await questionLists(main, c, surveyId);
    const a = first!.body.interactive as List;
    const b = second!.body.interactive as List;
    assert.equal(first!.body.type, 'interactive');
    assert.equal(a.type, 'list');
    assert.match(a.body.text, /recommend Acme/);
    const rows = (l: List) => l.action.sections.flatMap((sec) => sec.rows);
    assert.deepEqual(rows(a).map((r) => r.title), ['0', '1', '2', '3', '4', '5']);
    assert.deepEqual(rows(b).map((r) => r.title), ['6', '7', '8', '9', '10']);
    assert.deepEqual([...rows(a), ...rows(b)].map((r) => r.id), Array.from({ length: 11 }, (_, n) => `nps:${surveyId}:${n}`));
    assert.ok(rows(a).length <= 10 && rows(b).length <= 10);
    assert.equal(a.action.button, '0 – 5');
    assert.equal(b.action.button, '6 – 10');

    // The statuses of what the bot sent (sent, delivered) are never answers.
    await main.fake.settled();
    assert.ok(main.fake.webhookAnswers.every((st) => st === 200));
    assert.equal((await readSurvey(main.app, { _id: surveyId }))?.state, 'asked');

    // A message the business sent from the WhatsApp Business app (coexistence) is echoed: never an answer.
    const echo = main.fake.whatsappMessage(c, { text: '10' }) as { entry: Array<{ changes: Array<{ field: string; value: Record<string, unknown> }> }> };
    const change = echo.entry[0]!.changes[0]!;
    change.field = 'smb_message_echoes';
    change.value = { ...change.value, message_echoes: [{ from: '15550001111', to: c, id: 'wamid.echo1', type: 'text', text: { body: '10' } }], messages: undefined };
    await deliver(main, echo);
    assert.equal((await readSurvey(main.app, { _id: surveyId }))?.state, 'asked');

    await deliver(main, main.fake.whatsappMessage(c, { listReply: { id: `nps:${surveyId}:9`, title: '9' } }));
    const scored = await stateIs(main, surveyId, 'scored');
    assert.equal(scored.score, 9);
    const followup = await eventually(async () => main.fake.to('whatsapp', c)[2], 5000, 'the follow-up');
    assert.equal(followup.body.type, 'text');
    assert.match((followup.body.text as { body: string }).body, /main reason/);

    await deliver(main, main.fake.whatsappMessage(c, { text: 'Fast and kind' }));
    assert.equal((await stateIs(main, surveyId, 'completed')).comment, 'Fast and kind');
    const thanks = await eventually(async () => main.fake.to('whatsapp', c)[3], 5000, 'the thanks');
    assert.equal(thanks.body.type, 'text');
    assert.match((thanks.body.text as { body: string }).body, /Thanks a lot/);
  });

  test('a typed number is always accepted', async () => {
    const c = customer();
    const surveyId = await resolve(main, c, 'agent-vik');
    await questionLists(main, c, surveyId);
    await deliver(main, main.fake.whatsappMessage(c, { text: 'nio' }));
    assert.equal((await stateIs(main, surveyId, 'scored')).score, 9);
  });

  test('unsigned and forged deliveries are refused; a redelivered message is handled once', async () => {
    const c = customer();
    const surveyId = await resolve(main, c, 'agent-vik');
    await questionLists(main, c, surveyId);
    const payload = main.fake.whatsappMessage(c, { text: '4' });
    assert.equal((await main.fake.deliver('whatsapp', payload, { signature: null })).status, 401);
    assert.equal((await main.fake.deliver('whatsapp', payload, { signature: 'sha256=' + 'ab'.repeat(32) })).status, 403);
    assert.equal((await main.fake.deliver('whatsapp', { object: 'page', entry: [] })).status, 400);
    assert.equal((await readSurvey(main.app, { _id: surveyId }))?.state, 'asked');
    await deliver(main, payload);
    await deliver(main, payload);
    assert.equal((await stateIs(main, surveyId, 'scored')).score, 4);
    await eventually(async () => main.fake.to('whatsapp', c).length >= 3, 5000, 'the follow-up');
    await main.fake.settled();
    assert.equal(main.fake.to('whatsapp', c).length, 3, 'two lists and one follow-up: the duplicate changed nothing');
  });

  test('a closed window (failed status 131047 after the send) skips the survey: window-closed', async () => {
    const c = customer();
    main.fake.closeWindow('whatsapp', c);
    const surveyId = await resolve(main, c);
    const s = await stateIs(main, surveyId, 'skipped');
    assert.equal(s.skipReason, 'window-closed');
    assert.match(String(s.lastError), /131047/);
    assert.equal(main.fake.to('whatsapp', c).length, 1, 'only the first list was tried; no template is configured');
  });

  test('with two bot processes, a 131047 that reaches the other one still skips the survey', async () => {
    // A second bot on the same database, without a scheduler: the first one asks, the second gets the webhooks.
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN, ...whatsappEnv(main.fake) });
    const other = await startApp({ config, logger: silentLogger(), database: { conn: main.app.conn, embedded: false, close: async () => {} }, schedule: false });
    main.fake.webhookUrls.whatsapp = `${other.url}/meta/whatsapp`;
    try {
      const c = customer();
      main.fake.closeWindow('whatsapp', c);
      const surveyId = await resolve(main, c);
      const s = await stateIs(main, surveyId, 'skipped');
      assert.equal(s.skipReason, 'window-closed');
      assert.match(String(s.lastError), /131047/);
    } finally {
      await main.fake.settled();
      main.fake.webhookUrls.whatsapp = `${main.app.url}/meta/whatsapp`;
      await other.stop();
    }
  });

  test('a throughput limit (130429) is waited out, then the question goes out', async () => {
    const c = customer();
    main.fake.failNext('whatsapp', { status: 400, body: { error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429, error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' } } } });
    const surveyId = await resolve(main, c);
    await questionLists(main, c, surveyId);
    assert.deepEqual(main.fake.attempts.filter((a) => a.to === c).map((a) => a.status), [400, 200, 200]);
  });

  test('an undeliverable number fails the survey with the reason, no retries', async () => {
    const c = customer();
    main.fake.failNext('whatsapp', { status: 400, body: { error: { message: '(#131026) Message undeliverable', type: 'OAuthException', code: 131026 } } });
    const surveyId = await resolve(main, c);
    const s = await stateIs(main, surveyId, 'failed');
    assert.match(String(s.lastError), /131026/);
    assert.equal(main.fake.attempts.filter((a) => a.to === c).length, 1);
  });

  test('the report shows whatsapp by channel and agent', async () => {
    const rows = await eventually(async () => {
      const res = await fetch(`${main.app.url}/api/reports/nps?by=channel,agent`, { headers: authHeaders() });
      const r = (await res.json() as { rows: Array<Record<string, unknown>> }).rows.filter((x) => x.channel === 'whatsapp');
      const vik = r.find((x) => x.agentId === 'agent-vik');
      return vik?.responses === 2 ? r : null;
    }, 20_000, 'the whatsapp rows');
    assert.equal(rows.find((x) => x.agentId === 'agent-wera')?.responses, 1);
  });
});

describe('WhatsApp with an approved template for closed windows', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup('whatsapptpl', { WHATSAPP_TEMPLATE_NAME: 'nps_question' });
  });
  afterAll(async () => {
    await teardown(t);
  });

  test('a closed window sends the template in the customer\'s language and the survey is asked; a tap on its button scores', async () => {
    const c = customer();
    t.fake.closeWindow('whatsapp', c);
    const surveyId = await resolve(t, c, 'agent-wera', 'sv');
    const s = await stateIs(t, surveyId, 'asked');
    assert.equal(s.skipReason ?? null, null);
    const sent = t.fake.to('whatsapp', c);
    assert.deepEqual(sent.map((m) => m.body.type), ['interactive', 'template']);
    assert.deepEqual(sent[1]!.body.template, { name: 'nps_question', language: { code: 'sv' } });

    // The customer taps a quick-reply button of the template (labelled with the score).
    await deliver(t, t.fake.whatsappMessage(c, { templateButton: { text: '10' } }));
    assert.equal((await stateIs(t, surveyId, 'scored')).score, 10);
  });

  test('a template Meta does not know (language) fails the survey with 132001', async () => {
    const c = customer();
    t.fake.closeWindow('whatsapp', c);
    const surveyId = await resolve(t, c, 'agent-wera', 'da');
    const s = await stateIs(t, surveyId, 'failed');
    assert.match(String(s.lastError), /132001/);
  });
});
