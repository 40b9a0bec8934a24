/**
 * The Freshchat bridge end to end: the whole bot (FRESHCHAT_* settings) talking HTTP to a
 * fake Freshchat on 127.0.0.1, which signs its webhooks with the account's RSA key: an
 * agent resolves a conversation, the bot asks with 0–10 quick-reply buttons in the web
 * widget (text elsewhere), the customer taps or types, follow-up and thanks.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FakeFreshchatApi, newAccountKeys, signFreshchat, type FakeFreshchatConversation } from '../../fakes/freshchat-api.ts';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { assertAccepted, startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { surveyAppears, surveyInState, type SurveyId } from '../../helpers/survey-waits.ts';
import { countSurveys, readSurvey } from '../../helpers/surveys.ts';

const ANNA = '5f7e1c2a-0000-4000-8000-000000000001';
const BO = '5f7e1c2a-0000-4000-8000-000000000002';
const BOT = '5f7e1c2a-0000-4000-8000-0000000000b0';
const OPTIONS = {
  apiKey: 'freshchat-api-key-0123456789abcdef', appId: '87f6d88a-3921-4515-8acf-18fe4d2b4149',
  agents: [{ id: ANNA, first_name: 'Anna', last_name: 'Berg' }, { id: BO, first_name: 'Bo', last_name: 'Ek' }, { id: BOT, first_name: 'NPS', last_name: 'Bot' }],
};

let fake: FakeFreshchatApi;
let app: TestApp;

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'freshchat',
    fake: () => FakeFreshchatApi.start(OPTIONS),
    env: (f) => ({
      FRESHCHAT_URL: f.url, FRESHCHAT_API_KEY: OPTIONS.apiKey, FRESHCHAT_AGENT_ID: BOT,
      // As admins paste it into an env file: one line, newlines escaped.
      FRESHCHAT_WEBHOOK_PUBLIC_KEY: f.keys.publicKeyPem.trim().replace(/\n/g, '\\n'),
      COMPANY_NAME: 'Acme',
    }),
    webhooks: (f, url) => { f.webhookUrl = `${url}/freshchat/webhook`; },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

const surveyOf = (c: FakeFreshchatConversation, channel: string) => surveyAppears(app, { channel, 'address.conversationId': c.id }, `a survey for conversation ${c.id}`);

const stateIs = (id: SurveyId, state: string) => surveyInState(app, id, state);

const resolvedBy = (c: FakeFreshchatConversation, agentId: string) => assertAccepted(fake.resolve(c, agentId));

describe('Freshchat bridge', () => {
  test('web widget: resolved → one question with 0–10 buttons → a tap scores → follow-up and thanks; resolver and every replying agent recorded', async () => {
    const c = fake.addConversation({ assignedAgentId: ANNA, replies: [ANNA, BO, ANNA] });
    await resolvedBy(c, BO);
    const s = await surveyOf(c, 'freshchat:web');
    assert.equal(s.customer.id, c.userId);
    assert.deepEqual(s.agent, { id: BO, name: 'Bo Ek' }, 'the resolver the payload names');
    assert.deepEqual(s.participants?.map((p) => [p.id, p.replies]).sort(), [[ANNA, 2], [BO, 1]]);
    await stateIs(s._id, 'asked');
    const [q, ...more] = fake.sentBy(c, BOT);
    assert.equal(more.length, 0);
    assert.match(q!.message_parts[0]!.text.content, /recommend Acme/);
    assert.deepEqual(FakeFreshchatApi.buttons(q), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);

    // Freshchat tells the webhook about the bot's own message: 200, never an answer.
    await fake.settled();
    assert.ok(fake.webhookAnswers.length > 0 && fake.webhookAnswers.every((a) => a.status === 200));
    assert.equal((await readSurvey(app, { _id: s._id }))?.state, 'asked');

    assert.equal((await fake.customerWrites(c, '9')).response.status, 200, 'a tapped button arrives as its label');
    assert.equal((await stateIs(s._id, 'scored')).score, 9);
    const followup = await eventually(async () => fake.sentBy(c, BOT)[1], 5000, 'the follow-up');
    assert.match(followup.message_parts[0]!.text.content, /main reason/);
    assert.deepEqual(FakeFreshchatApi.buttons(followup), []);
    await fake.customerWrites(c, 'Bo was quick');
    assert.equal((await stateIs(s._id, 'completed')).comment, 'Bo was quick');
    await eventually(async () => fake.sentBy(c, BOT)[2], 5000, 'the thanks');
  });

  test('WhatsApp behind Freshchat: the question as text; a typed answer is read', async () => {
    const c = fake.addConversation({ source: 'whatsapp', assignedAgentId: ANNA });
    await resolvedBy(c, ANNA);
    const s = await surveyOf(c, 'freshchat:whatsapp');
    await stateIs(s._id, 'asked');
    assert.deepEqual(FakeFreshchatApi.buttons(fake.sentBy(c, BOT)[0]), []);
    await fake.customerWrites(c, 'hmm, 7 out of 10');
    assert.equal((await stateIs(s._id, 'scored')).score, 7);
  });

  test('unsigned, forged (another key) and tampered deliveries are refused and change nothing', async () => {
    const c = fake.addConversation({});
    const payload = fake.resolutionPayload(c, ANNA);
    const body = JSON.stringify(payload);
    assert.equal((await fake.deliver(payload, { signature: null })).status, 401);
    assert.equal((await fake.deliver(payload, { signature: signFreshchat(body, newAccountKeys().privateKey) })).status, 403);
    assert.equal((await fake.deliver(payload, { signature: signFreshchat('{}', fake.keys.privateKey), rawBody: body })).status, 403);
    assert.equal((await fake.deliver(payload, { signature: 'bm90IGEgc2lnbmF0dXJl' })).status, 403);
    assert.equal(await countSurveys(app, { 'address.conversationId': c.id }), 0);
    assert.equal((await fake.deliver(null, { rawBody: '{"action":' })).status, 400);
    assert.equal((await fake.deliver(payload)).status, 200);
    await surveyOf(c, 'freshchat:web');
  });

  test('the same deliveries twice are handled once', async () => {
    const c = fake.addConversation({ assignedAgentId: BO, replies: [BO] });
    const resolution = fake.resolutionPayload(c, BO);
    assert.equal((await fake.deliver(resolution)).status, 200);
    assert.equal((await fake.deliver(resolution)).status, 200, 'Freshchat delivers it again (X-Retry-Count)');
    const s = await surveyOf(c, 'freshchat:web');
    await stateIs(s._id, 'asked');
    assert.equal(await countSurveys(app, { 'address.conversationId': c.id }), 1);
    const { body } = await fake.customerWrites(c, '6');
    assert.equal((await fake.deliver(body)).status, 200);
    assert.equal((await stateIs(s._id, 'scored')).score, 6);
    await eventually(async () => fake.sentBy(c, BOT).length >= 2, 5000, 'the follow-up');
    await fake.settled();
    assert.equal(fake.sentBy(c, BOT).length, 2, 'one question, one follow-up');
  });

  test('buttons refused: the question as text; a conversation gone: failed with the reason', async () => {
    const c = fake.addConversation({ assignedAgentId: ANNA });
    fake.failNext('POST', `/conversations/${c.id}/messages`, { status: 400, body: { code: 400, status: 'BAD_REQUEST', message: 'reply_parts not supported' } });
    await resolvedBy(c, ANNA);
    const s = await surveyOf(c, 'freshchat:web');
    await stateIs(s._id, 'asked');
    assert.deepEqual(FakeFreshchatApi.buttons(fake.sentBy(c, BOT)[0]), []);

    const gone = fake.addConversation({ assignedAgentId: ANNA });
    fake.failNext('POST', `/conversations/${gone.id}/messages`, { status: 404, body: { code: 404, status: 'NOT_FOUND', message: 'Conversation not found' } });
    await resolvedBy(gone, ANNA);
    const g = await surveyOf(gone, 'freshchat:web');
    assert.match(String((await stateIs(g._id, 'failed')).lastError), /no longer exists/);
  });

  test('a 429 from Freshchat is waited out, then the question is posted once', async () => {
    const c = fake.addConversation({ assignedAgentId: ANNA });
    fake.failNext('POST', `/conversations/${c.id}/messages`);
    await resolvedBy(c, ANNA);
    const s = await surveyOf(c, 'freshchat:web');
    await stateIs(s._id, 'asked');
    assert.ok(fake.requests.some((r) => r.status === 429));
    assert.equal(fake.sentBy(c, BOT).length, 1);
  });

  test('the report splits NPS by channel behind Freshchat and by the resolver', async () => {
    const rows = await eventually(async () => {
      const r = (await (await fetch(`${app.url}/api/reports/nps?by=channel`, { headers: authHeaders() })).json() as { rows: Array<Record<string, unknown>> }).rows;
      return r.find((x) => x.channel === 'freshchat:web')?.responses === 2 ? r : null;
    }, 20_000, 'the freshchat rows');
    const web = rows.find((x) => x.channel === 'freshchat:web')!;
    assert.deepEqual([web.promoters, web.detractors], [1, 1]);
    assert.equal(rows.find((x) => x.channel === 'freshchat:whatsapp')?.passives, 1);
    const byAgent = (await (await fetch(`${app.url}/api/reports/nps?by=agent`, { headers: authHeaders() })).json() as { rows: Array<Record<string, unknown>> }).rows;
    const bo = byAgent.find((r) => r.agentId === BO);
    assert.equal(bo?.responses, 2);
    assert.equal(bo?.agentName, 'Bo Ek');
  });
});
