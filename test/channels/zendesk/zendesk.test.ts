/**
 * The Zendesk bridge end to end: the whole bot (ZENDESK_* settings) talking HTTP to a
 * fake Zendesk with Sunshine Conversations on 127.0.0.1. An agent solves a messaging
 * ticket (a signed Zendesk webhook), the bot asks in the customer's messaging
 * conversation with 0–10 replies, the customer taps or types (Sunshine webhooks), and
 * the answer shows in the report under `zendesk:<channel>` and the agent.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FakeZendeskApi, signZendesk, type FakeTicket } from '../../fakes/zendesk-api.ts';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { assertAccepted, startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { surveyAppears, surveyInState, type SurveyId } from '../../helpers/survey-waits.ts';
import { countSurveys, readSurvey } from '../../helpers/surveys.ts';

const OPTIONS = {
  email: 'bot@acme.example',
  apiToken: 'zendesk-api-token-0123456789',
  webhookSecret: 'zendesk-signing-secret-0123456789',
  appId: '5f1a2b3c4d5e6f7a8b9c0d1e',
  keyId: 'app_5f1a2b3c4d5e6f7a8b9c0d1f',
  keySecret: 'sunshine-key-secret-0123456789',
  sunshineWebhookSecret: 'sunshine-webhook-secret-0123456789',
};

let fake: FakeZendeskApi;
let app: TestApp;

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'zendesk',
    fake: () => FakeZendeskApi.start(OPTIONS),
    env: (f) => ({
      ZENDESK_URL: f.url,
      ZENDESK_EMAIL: OPTIONS.email,
      ZENDESK_API_TOKEN: OPTIONS.apiToken,
      ZENDESK_WEBHOOK_SECRET: OPTIONS.webhookSecret,
      ZENDESK_APP_ID: OPTIONS.appId,
      ZENDESK_KEY_ID: OPTIONS.keyId,
      ZENDESK_KEY_SECRET: OPTIONS.keySecret,
      ZENDESK_SUNSHINE_WEBHOOK_SECRET: OPTIONS.sunshineWebhookSecret,
      COMPANY_NAME: 'Acme',
    }),
    webhooks: (f, url) => {
      f.zendeskWebhookUrl = `${url}/zendesk/webhook`;
      f.sunshineWebhookUrl = `${url}/zendesk/sunshine/webhook`;
    },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

const surveyOf = (t: FakeTicket, channel: string) => surveyAppears(app, { channel, conversationId: String(t.id) }, `a survey for ticket ${t.id}`);
const stateIs = (id: SurveyId, state: string) => surveyInState(app, id, state);

const messagesPath = (t: FakeTicket) => `/sc/v2/apps/${OPTIONS.appId}/conversations/${t.conversation!.id}/messages`;

const solved = (t: FakeTicket) => assertAccepted(fake.solve(t));

describe('Zendesk bridge (messaging through Sunshine Conversations)', () => {
  test('Messenger ticket solved → one question with 0–10 replies → a tap scores exactly → follow-up and thanks', async () => {
    const t = fake.addMessagingTicket({ channel: 'messenger', customer: 'Maja', assignee: { id: 901, name: 'Anna' }, agentReplies: [{ id: 901, name: 'Anna' }, { id: 902, name: 'Bo' }, { id: 901, name: 'Anna' }] });
    await solved(t);
    const s = await surveyOf(t, 'zendesk:messenger');
    assert.equal(s.customer.id, t.user!.id, 'the customer is the messaging user');
    assert.equal(s.customer.name, 'Maja');
    assert.deepEqual(s.agent, { id: '901', name: 'Anna' });
    assert.deepEqual(s.participants, [{ id: '901', name: 'Anna', replies: 2 }, { id: '902', name: 'Bo', replies: 1 }]);
    assert.match(String(s.link), new RegExp(`/agent/tickets/${t.id}$`));
    await stateIs(s._id, 'asked');

    const [q, ...more] = fake.sentTo(t);
    assert.equal(more.length, 0, 'one question');
    assert.match(q!.content.text, /recommend Acme/);
    assert.deepEqual(q!.content.actions, Array.from({ length: 11 }, (_, n) => ({ type: 'reply', text: String(n), payload: `nps:${s._id}:${n}` })));
    assert.equal(q!.delivered, 'quick_replies');

    // Sunshine tells the webhook about the bot's own message: answered 200, never an answer.
    await fake.settled();
    assert.ok(fake.webhookAnswers.length > 0 && fake.webhookAnswers.every((a) => a.status === 200), JSON.stringify(fake.webhookAnswers));
    assert.equal((await readSurvey(app, { _id: s._id }))?.state, 'asked');

    assert.equal((await fake.customerTaps(t, '9')).status, 200);
    assert.equal((await stateIs(s._id, 'scored')).score, 9);
    const followup = await eventually(async () => fake.sentTo(t)[1], 5000, 'the follow-up');
    assert.match(followup.content.text, /main reason/);
    assert.equal(followup.content.actions, undefined);

    await fake.customerWrites(t, 'Anna sorted it in minutes');
    assert.equal((await stateIs(s._id, 'completed')).comment, 'Anna sorted it in minutes');
    const thanks = await eventually(async () => fake.sentTo(t)[2], 5000, 'the thanks');
    assert.match(thanks.content.text, /Thanks a lot/);
  });

  test('WhatsApp: the scale as two lists (0–5, 6–10), each within WhatsApp\'s 10 rows; a typed answer is read from the text', async () => {
    const t = fake.addMessagingTicket({ channel: 'whatsapp', customer: 'Kim', assignee: { id: 903, name: 'Cai' } });
    await solved(t);
    const s = await surveyOf(t, 'zendesk:whatsapp');
    await stateIs(s._id, 'asked');
    const [first, second] = fake.sentTo(t);
    assert.deepEqual(first!.content.actions!.map((a) => a.text), ['0', '1', '2', '3', '4', '5']);
    assert.deepEqual(second!.content.actions!.map((a) => a.text), ['6', '7', '8', '9', '10']);
    assert.deepEqual([first!.delivered, second!.delivered], ['list', 'list']);
    const { response } = await fake.customerWrites(t, 'maybe 7/10');
    assert.equal(response.status, 200);
    assert.equal((await stateIs(s._id, 'scored')).score, 7);
  });

  test('a postback with the score payload scores too; the question is in the language of the customer\'s messaging profile', async () => {
    const t = fake.addMessagingTicket({ channel: 'line', customer: 'Ida', locale: 'da-DK', assignee: { id: 903, name: 'Cai' } });
    await solved(t);
    const s = await surveyOf(t, 'zendesk:line');
    assert.equal(s.customer.locale, 'da');
    await stateIs(s._id, 'asked');
    assert.match(fake.sentTo(t)[0]!.content.text, /anbefale/, 'asked in Danish');
    assert.equal((await fake.deliverSunshine(fake.postbackBody(t, `nps:${s._id}:10`))).status, 200);
    assert.equal((await stateIs(s._id, 'scored')).score, 10);
  });

  test('a trigger-based webhook with the documented JSON body (placeholders filled in) works the same', async () => {
    const t = fake.addMessagingTicket({ channel: 'telegram', customer: 'Ebba', assignee: { id: 905, name: 'Eva' } });
    t.status = 'solved';
    // What Zendesk sends for the trigger body in docs/zendesk.md once it has filled in {{ticket.id}}, … (an unassigned ticket leaves "").
    const body = { type: 'zen:event-type:ticket.status_changed', detail: { id: String(t.id), assignee_id: '905', requester_id: String(t.requesterId) }, event: { current: 'Solved' } };
    assert.equal((await fake.deliverZendesk(body)).status, 200);
    const s = await surveyOf(t, 'zendesk:telegram');
    assert.deepEqual(s.agent, { id: '905', name: 'Eva' });
    await stateIs(s._id, 'asked');
    const unassigned = fake.addMessagingTicket({ channel: 'telegram', customer: 'Frej', assignee: null });
    assert.equal((await fake.deliverZendesk({ ...body, detail: { id: String(unassigned.id), assignee_id: '', requester_id: '1' } })).status, 200);
    assert.equal((await surveyOf(unassigned, 'zendesk:telegram')).agent.id, 'zendesk-unassigned');
  });

  test('an e-mail ticket (no messaging conversation) is stored on zendesk:email and skipped with its reason, never asked', async () => {
    const t = fake.addEmailTicket({ assignee: { id: 904, name: 'Dan' } });
    await solved(t);
    const s = await surveyOf(t, 'zendesk:email');
    const skipped = await stateIs(s._id, 'skipped');
    assert.equal(skipped.skipReason, 'no-messaging-conversation');
    assert.equal(skipped.customer.id, String(t.requesterId));
    assert.equal(skipped.agent.id, '904');
    assert.equal(fake.requests.filter((r) => r.path.includes('/messages') && r.method === 'POST' && r.path.includes(String(t.id))).length, 0);
  });

  test('unsigned, forged, stale and tampered Zendesk deliveries are refused and change nothing; Sunshine deliveries without the key too', async () => {
    const t = fake.addMessagingTicket({ channel: 'telegram', customer: 'Nils' });
    t.status = 'solved';
    const payload = fake.statusChangedPayload(t, 'open');
    const body = JSON.stringify(payload);
    const now = new Date().toISOString();
    assert.equal((await fake.deliverZendesk(payload, { signature: null })).status, 401);
    assert.equal((await fake.deliverZendesk(payload, { signature: signZendesk(now, body, 'not-the-secret-at-all'), timestamp: now })).status, 403);
    assert.equal((await fake.deliverZendesk(payload, { signature: signZendesk(now, '{"type":"x"}', OPTIONS.webhookSecret), timestamp: now })).status, 403);
    const old = new Date(Date.now() - 3_600_000).toISOString();
    assert.equal((await fake.deliverZendesk(payload, { timestamp: old })).status, 401, 'a replay an hour later');
    assert.equal(await countSurveys(app, { conversationId: String(t.id) }), 0);
    assert.equal((await fake.deliverZendesk(null, { rawBody: '{"type":' })).status, 400);

    const answer = fake.postbackBody(t, 'nps:abc:5');
    assert.equal((await fake.deliverSunshine(answer, { apiKey: null })).status, 401);
    assert.equal((await fake.deliverSunshine(answer, { apiKey: 'wrong-key-0123456789' })).status, 403);

    assert.equal((await fake.deliverZendesk(payload)).status, 200);
    await surveyOf(t, 'zendesk:telegram');
  });

  test('the same deliveries twice are handled once (Zendesk resolution, Sunshine answer by event id)', async () => {
    const t = fake.addMessagingTicket({ channel: 'viber', customer: 'Rut', assignee: { id: 903, name: 'Cai' } });
    await solved(t);
    assert.equal((await fake.deliverZendesk(fake.statusChangedPayload(t, 'open'))).status, 200, 'the resolution again');
    const s = await surveyOf(t, 'zendesk:viber');
    await stateIs(s._id, 'asked');
    assert.equal(await countSurveys(app, { conversationId: String(t.id) }), 1);
    const { body } = await fake.customerWrites(t, '6');
    assert.equal((await fake.deliverSunshine(body)).status, 200);
    assert.equal((await stateIs(s._id, 'scored')).score, 6);
    await eventually(async () => fake.sentTo(t).length >= 2, 5000, 'the follow-up');
    await fake.settled();
    assert.equal(fake.sentTo(t).length, 2, 'one question and one follow-up: nothing twice');
  });

  test('a conversation deleted in Sunshine before the question fails the survey with the reason', async () => {
    const t = fake.addMessagingTicket({ channel: 'web', customer: 'Siv' });
    fake.failNext({ method: 'POST', prefix: messagesPath(t) }, { status: 404, body: { errors: [{ code: 'conversation_not_found', title: 'Conversation not found' }] } });
    await solved(t);
    const s = await surveyOf(t, 'zendesk:web');
    const failed = await stateIs(s._id, 'failed');
    assert.match(String(failed.lastError), /no longer exists/);
    assert.equal(fake.sentTo(t).length, 0);
  });

  test('a customer with no Sunshine conversation left is skipped with the reason', async () => {
    const t = fake.addMessagingTicket({ channel: 'web', customer: 'Sven' });
    t.conversation!.gone = true;
    await solved(t);
    const s = await surveyOf(t, 'zendesk:email');
    assert.equal((await stateIs(s._id, 'skipped')).skipReason, 'no-messaging-conversation');
  });

  test('a 429 from Sunshine is waited out (Retry-After), then the question is posted once', async () => {
    const t = fake.addMessagingTicket({ channel: 'telegram', customer: 'Tor' });
    fake.failNext({ method: 'POST', prefix: messagesPath(t) });
    await solved(t);
    const s = await surveyOf(t, 'zendesk:telegram');
    await stateIs(s._id, 'asked');
    assert.ok(fake.requests.some((r) => r.status === 429));
    assert.equal(fake.sentTo(t).length, 1);
  });

  test('a notice for managers is a private note on the ticket given as the channel id', async () => {
    const t = fake.addEmailTicket({});
    await app.outbox.post('zendesk', String(t.id), { text: 'Detractor alert', fields: { score: '3' } });
    assert.deepEqual(t.notes, ['Detractor alert\nscore: 3']);
  });

  test('the report splits NPS by the channel behind Zendesk and by agent', async () => {
    const rows = await eventually(async () => {
      const res = await fetch(`${app.url}/api/reports/nps?by=channel`, { headers: authHeaders() });
      const r = (await res.json() as { rows: Array<Record<string, unknown>> }).rows;
      return r.find((x) => x.channel === 'zendesk:viber')?.responses === 1 ? r : null;
    }, 20_000, 'the zendesk rows');
    assert.equal(rows.find((x) => x.channel === 'zendesk:messenger')?.promoters, 1);
    assert.equal(rows.find((x) => x.channel === 'zendesk:whatsapp')?.passives, 1);
    assert.equal(rows.find((x) => x.channel === 'zendesk:viber')?.detractors, 1);
    const byAgent = await (await fetch(`${app.url}/api/reports/nps?by=agent`, { headers: authHeaders() })).json() as { rows: Array<Record<string, unknown>> };
    const anna = byAgent.rows.find((r) => r.agentId === '901');
    assert.equal(anna?.agentName, 'Anna');
    assert.equal(anna?.promoters, 1);
    const cai = byAgent.rows.find((r) => r.agentId === '903');
    assert.equal(cai?.responses, 3, 'whatsapp 7, line 10, viber 6');
  });
});
