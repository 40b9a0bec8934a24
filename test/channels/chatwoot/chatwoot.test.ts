/**
 * The Chatwoot bridge end to end: the whole bot (CHATWOOT_* settings) with its API
 * client talking HTTP to a fake Chatwoot on 127.0.0.1, which delivers signed webhooks
 * to the bot the way Chatwoot does: an agent resolves a conversation, the bot posts the
 * question into it (an `input_select` where the inbox renders one), the customer
 * answers, and the answer shows in the report under `chatwoot:<kind>` and the agent.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FakeChatwootApi, signChatwoot, type FakeConversation } from '../../fakes/chatwoot-api.ts';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { assertAccepted, startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { surveyAppears, surveyInState, type SurveyId } from '../../helpers/survey-waits.ts';
import { countSurveys, readSurvey } from '../../helpers/surveys.ts';

const SECRET = 'chatwoot-webhook-secret-0123456789';
const API_TOKEN = 'chatwoot-api-token-e2e';

let fake: FakeChatwootApi;
let app: TestApp;
let nextContact = 300;
const contact = (name = 'Maja') => ({ id: ++nextContact, name, phone: `+4670${nextContact}0000` });

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'chatwoot',
    fake: () => FakeChatwootApi.start({ accountId: 1, apiToken: API_TOKEN, webhookSecret: SECRET }),
    env: (f) => ({
      CHATWOOT_URL: f.url,
      CHATWOOT_API_TOKEN: API_TOKEN,
      CHATWOOT_ACCOUNT_ID: '1',
      CHATWOOT_WEBHOOK_SECRET: SECRET,
      COMPANY_NAME: 'Acme',
    }),
    webhooks: (f, url) => { f.webhookUrl = `${url}/chatwoot/webhook`; },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

const surveyOf = (c: FakeConversation, channel: string) => surveyAppears(app, { channel, conversationId: String(c.id) }, `a survey for conversation ${c.id}`);

const stateIs = (id: SurveyId, state: string) => surveyInState(app, id, state);

const resolved = (c: FakeConversation) => assertAccepted(fake.resolve(c.id));
const says = async (c: FakeConversation, text: string) => assertAccepted((await fake.customerWrites(c.id, text)).response);

type Items = Array<{ title: string; value: string }>;

describe('Chatwoot bridge (signed webhooks)', () => {
  test('WhatsApp inbox: resolved → the question as two input_selects (0–5, 6–10) → a reply is stored → follow-up and thanks as text', async () => {
    const c = fake.addConversation({ channel: 'Channel::Whatsapp', contact: contact('Maja'), assignee: { id: 7, name: 'Anna' } });
    await resolved(c);
    const s = await surveyOf(c, 'chatwoot:whatsapp');
    assert.equal(s.customer.id, String(c.contact.id));
    assert.equal(s.customer.name, 'Maja');
    assert.equal(s.agent.id, '7');
    assert.equal(s.agent.name, 'Anna');
    assert.match(String(s.link), new RegExp(`/app/accounts/1/conversations/${c.id}$`));
    await stateIs(s._id, 'asked');

    const [first, second] = fake.sentTo(c.id);
    assert.equal(first?.contentType, 'input_select');
    assert.match(first!.content, /recommend Acme/);
    assert.deepEqual(first!.contentAttributes.items, [0, 1, 2, 3, 4, 5].map((n) => ({ title: String(n), value: `nps:${s._id}:${n}` })));
    assert.equal(second?.contentType, 'input_select');
    assert.deepEqual((second!.contentAttributes.items as Items).map((i) => i.title), ['6', '7', '8', '9', '10']);
    // Each became a WhatsApp list (≤ 10 rows); one input_select of 11 would have failed on WhatsApp.
    assert.deepEqual([first!.delivered, second!.delivered], ['list', 'list']);

    // Chatwoot tells the webhook about the bot's own messages: answered 200, never answers.
    await fake.settled();
    assert.ok(fake.webhookAnswers.some((a) => a.event === 'message_created'));
    assert.ok(fake.webhookAnswers.every((a) => a.status === 200), JSON.stringify(fake.webhookAnswers));
    assert.equal((await readSurvey(app, { _id: s._id }))?.state, 'asked');

    // The customer taps "9" in the WhatsApp list: Chatwoot records it as the incoming message "9".
    await says(c, '9');
    const scored = await stateIs(s._id, 'scored');
    assert.equal(scored.score, 9);
    const followup = await eventually(async () => fake.sentTo(c.id)[2], 5000, 'the follow-up');
    assert.equal(followup.contentType, 'text');
    assert.match(followup.content, /main reason/);

    await says(c, 'Anna sorted it in minutes');
    assert.equal((await stateIs(s._id, 'completed')).comment, 'Anna sorted it in minutes');
    const thanks = await eventually(async () => fake.sentTo(c.id)[3], 5000, 'the thanks');
    assert.equal(thanks.contentType, 'text');
    assert.match(thanks.content, /Thanks a lot/);
  });

  test('web widget: one input_select of 0–10; the customer picks an option (message_updated) and it scores exactly', async () => {
    const c = fake.addConversation({ channel: 'Channel::WebWidget', contact: contact('Olle'), assignee: { id: 8, name: 'Bo' }, additionalAttributes: { browser_language: 'sv' } });
    await resolved(c);
    const s = await surveyOf(c, 'chatwoot:web');
    assert.equal(s.customer.locale, 'sv');
    await stateIs(s._id, 'asked');
    const [q] = fake.sentTo(c.id);
    assert.equal(q?.delivered, 'widget_options');
    assert.equal((q!.contentAttributes.items as Items).length, 11);
    assert.match(q!.content, /rekommendera/i, 'asked in Swedish, from the browser language');
    const res = await fake.widgetPick(c.id, q!.id, `nps:${s._id}:10`);
    assert.equal(res.status, 200);
    assert.equal((await stateIs(s._id, 'scored')).score, 10);
  });

  test('Facebook inbox (quick replies through Chatwoot): a typed answer is read from the text', async () => {
    const c = fake.addConversation({ channel: 'Channel::FacebookPage', contact: contact('Kim'), assignee: { id: 7, name: 'Anna' } });
    await resolved(c);
    const s = await surveyOf(c, 'chatwoot:facebook');
    await stateIs(s._id, 'asked');
    assert.equal(fake.sentTo(c.id)[0]?.delivered, 'quick_replies');
    await says(c, 'maybe 8/10');
    assert.equal((await stateIs(s._id, 'scored')).score, 8);
  });

  test('Instagram through a Facebook page inbox is reported as chatwoot:instagram; an e-mail inbox gets plain text', async () => {
    const ig = fake.addConversation({ channel: 'Channel::FacebookPage', contact: contact('Ida'), additionalAttributes: { type: 'instagram_direct_message' } });
    await resolved(ig);
    await stateIs((await surveyOf(ig, 'chatwoot:instagram'))._id, 'asked');
    const mail = fake.addConversation({ channel: 'Channel::Email', contact: contact('Eva') });
    await resolved(mail);
    await stateIs((await surveyOf(mail, 'chatwoot:email'))._id, 'asked');
    assert.equal(fake.sentTo(mail.id)[0]?.contentType, 'text');
  });

  test('unsigned, forged, stale and tampered deliveries are refused and change nothing', async () => {
    const c = fake.addConversation({ channel: 'Channel::Whatsapp', contact: contact('Nils') });
    c.status = 'resolved';
    const payload = fake.statusChangedPayload(c, 'open');
    const body = JSON.stringify(payload);
    const now = String(Math.floor(Date.now() / 1000));
    assert.equal((await fake.deliver(payload, { signature: null })).status, 401);
    assert.equal((await fake.deliver(payload, { signature: signChatwoot(now, body, 'not-the-secret-at-all') })).status, 403);
    assert.equal((await fake.deliver(payload, { signature: signChatwoot(now, '{"event":"x"}', SECRET), timestamp: now })).status, 403);
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    assert.equal((await fake.deliver(payload, { timestamp: old })).status, 401, 'a replay an hour later');
    assert.equal((await fake.deliver(payload, { signature: 'sha256=zz', timestamp: now })).status, 403);
    assert.equal(await countSurveys(app, { conversationId: String(c.id), channel: 'chatwoot:whatsapp' }), 0);
    // Signed but not JSON: 400.
    assert.equal((await fake.deliver(null, { rawBody: '{"event":' })).status, 400);
    // The same event, properly signed, is taken.
    assert.equal((await fake.deliver(payload)).status, 200);
    await surveyOf(c, 'chatwoot:whatsapp');
  });

  test("agents' and the bot's outgoing messages and private notes are never answers", async () => {
    const c = fake.addConversation({ channel: 'Channel::Whatsapp', contact: contact('Pia'), assignee: { id: 9, name: 'Cai' } });
    await resolved(c);
    const s = await surveyOf(c, 'chatwoot:whatsapp');
    await stateIs(s._id, 'asked');
    const agentMessage = {
      ...fake.messagePayload('message_created', c, { id: 99_001, content: '10', messageType: 'outgoing', contentType: 'text', contentAttributes: {}, private: false, sender: { id: 9, name: 'Cai', type: 'user' }, createdAt: new Date() }),
    };
    assert.equal((await fake.deliver(agentMessage)).status, 200);
    const note = fake.messagePayload('message_created', c, { id: 99_002, content: '10', messageType: 'incoming', contentType: 'text', contentAttributes: {}, private: true, sender: { id: 9, name: 'Cai', type: 'user' }, createdAt: new Date() });
    assert.equal((await fake.deliver(note)).status, 200);
    assert.equal((await readSurvey(app, { _id: s._id }))?.state, 'asked');
    await says(c, '2');
    assert.equal((await stateIs(s._id, 'scored')).score, 2);
  });

  test('the same webhook delivered twice is handled once', async () => {
    const c = fake.addConversation({ channel: 'Channel::Whatsapp', contact: contact('Rut'), assignee: { id: 9, name: 'Cai' } });
    await resolved(c);
    assert.equal((await fake.deliver(fake.statusChangedPayload(c, 'open'))).status, 200, 'the resolution again');
    const s = await surveyOf(c, 'chatwoot:whatsapp');
    await stateIs(s._id, 'asked');
    assert.equal(await countSurveys(app, { channel: 'chatwoot:whatsapp', conversationId: String(c.id) }), 1);
    const { payload } = await fake.customerWrites(c.id, '6');
    assert.equal((await fake.deliver(payload)).status, 200);
    assert.equal((await stateIs(s._id, 'scored')).score, 6);
    await eventually(async () => fake.sentTo(c.id).length >= 3, 5000, 'the follow-up');
    await fake.settled();
    assert.equal(fake.sentTo(c.id).length, 3, 'two halves of the question and one follow-up: nothing twice');
  });

  test("a conversation Chatwoot says cannot be replied to (window closed) skips the survey: window-closed, nothing posted", async () => {
    const c = fake.addConversation({ channel: 'Channel::Whatsapp', contact: contact('Siv'), canReply: false });
    await resolved(c);
    const s = await surveyOf(c, 'chatwoot:whatsapp');
    const skipped = await stateIs(s._id, 'skipped');
    assert.equal(skipped.skipReason, 'window-closed');
    assert.equal(fake.sentTo(c.id).length, 0);
  });

  test('a 429 from Chatwoot is waited out (Retry-After), then the question is posted', async () => {
    const c = fake.addConversation({ channel: 'Channel::Api', contact: contact('Tor') });
    fake.failNext({ status: 429, body: 'Retry later\n', headers: { 'retry-after': '1' } });
    await resolved(c);
    const s = await surveyOf(c, 'chatwoot:api');
    await stateIs(s._id, 'asked');
    assert.ok(fake.requests.some((r) => r.status === 429));
    assert.equal(fake.sentTo(c.id).length, 1);
  });

  test('events of another account are ignored; a resolution from an external flow (API) on chatwoot:<kind> is asked and answered', async () => {
    const c = fake.addConversation({ channel: 'Channel::Whatsapp', contact: contact('Ulf') });
    c.status = 'resolved';
    const foreign = { ...fake.statusChangedPayload(c, 'open'), account_id: 2 };
    assert.equal((await fake.deliver(foreign)).status, 200);
    assert.equal(await countSurveys(app, { conversationId: String(c.id) }), 0);

    const res = await fetch(`${app.url}/api/resolutions`, {
      method: 'POST', headers: authHeaders(),
      body: JSON.stringify({ channel: 'chatwoot:whatsapp', conversationId: String(c.id), customer: { id: String(c.contact.id) }, agent: { id: 'agent-ext' } }),
    });
    assert.equal(res.status, 202);
    const { surveyId } = await res.json() as { surveyId: string };
    await stateIs(surveyId, 'asked');
    assert.deepEqual(fake.sentTo(c.id).map((m) => m.delivered), ['list', 'list']);
    // Chatwoot's own resolution of the same conversation is the same survey.
    assert.equal((await fake.deliver(fake.statusChangedPayload(c, 'open'))).status, 200);
    assert.equal(await countSurveys(app, { conversationId: String(c.id) }), 1);
    await says(c, '10');
    assert.equal((await stateIs(surveyId, 'scored')).score, 10);
  });

  test('plain `chatwoot` only posts notices: a survey on it fails at once with the reason', async () => {
    const c = fake.addConversation({ channel: 'Channel::Whatsapp', contact: contact('Ylva') });
    const res = await fetch(`${app.url}/api/resolutions`, {
      method: 'POST', headers: authHeaders(),
      body: JSON.stringify({ channel: 'chatwoot', conversationId: String(c.id), customer: { id: String(c.contact.id) }, agent: { id: 'agent-ext' } }),
    });
    const { surveyId } = await res.json() as { surveyId: string };
    const s = await stateIs(surveyId, 'failed');
    assert.match(String(s.lastError), /chatwoot:<kind>/);
    assert.equal(fake.sentTo(c.id).length, 0);
  });

  test('a notice for managers is a private note in the conversation given as the channel id', async () => {
    const c = fake.addConversation({ channel: 'Channel::Api', contact: contact('Vera') });
    await app.outbox.post('chatwoot', String(c.id), { text: 'Detractor alert', fields: { score: '3' } });
    assert.deepEqual(fake.notes(c.id).map((m) => m.content), ['Detractor alert\nscore: 3']);
    assert.equal(fake.sentTo(c.id).length, 0);
  });

  test('the report splits NPS by the real channel (chatwoot:whatsapp, …) and by agent', async () => {
    const rows = await eventually(async () => {
      const res = await fetch(`${app.url}/api/reports/nps?by=channel`, { headers: authHeaders() });
      const r = (await res.json() as { rows: Array<Record<string, unknown>> }).rows;
      const wa = r.find((x) => x.channel === 'chatwoot:whatsapp');
      return wa?.responses === 4 ? r : null;
    }, 20_000, 'the chatwoot:whatsapp row');
    const wa = rows.find((x) => x.channel === 'chatwoot:whatsapp')!;
    assert.deepEqual([wa.promoters, wa.passives, wa.detractors], [2, 0, 2]); // 9, 10, 2, 6
    assert.equal(rows.find((x) => x.channel === 'chatwoot:web')?.promoters, 1);
    assert.equal(rows.find((x) => x.channel === 'chatwoot:facebook')?.passives, 1);

    const byAgent = await (await fetch(`${app.url}/api/reports/nps?by=channel,agent&channel=chatwoot:whatsapp`, { headers: authHeaders() })).json() as { rows: Array<Record<string, unknown>> };
    const anna = byAgent.rows.find((r) => r.agentId === '7');
    assert.equal(anna?.responses, 1);
    assert.equal(anna?.agentName, 'Anna');
    assert.equal(anna?.nps, 100);
    assert.equal(byAgent.rows.find((r) => r.agentId === '9')?.responses, 2);
  });
});

describe('Chatwoot bridge (a server that does not sign: secret token in the webhook URL)', () => {
  let fake2: FakeChatwootApi;
  let app2: TestApp;
  const TOKEN = 'url-token-abcdefghijklmnop';

  beforeAll(async () => {
    ({ fake: fake2, app: app2 } = await startBotWithFake({
      label: 'chatwoottoken',
      fake: () => FakeChatwootApi.start({ accountId: 4, apiToken: API_TOKEN }),
      env: (f) => ({ CHATWOOT_URL: f.url, CHATWOOT_API_TOKEN: API_TOKEN, CHATWOOT_ACCOUNT_ID: '4', CHATWOOT_WEBHOOK_TOKEN: TOKEN }),
      webhooks: (f, url) => { f.webhookUrl = `${url}/chatwoot/webhook/${TOKEN}`; },
    }));
  });

  afterAll(() => stopBotWithFake({ fake: fake2, app: app2 }));

  test('only the URL with the token is a webhook; through it a resolution asks and an answer scores', async () => {
    const c = fake2.addConversation({ channel: 'Channel::Telegram', contact: { id: 1, name: 'Alva' } });
    c.status = 'resolved';
    const payload = fake2.statusChangedPayload(c, 'open');
    assert.equal((await fake2.deliver(payload, { url: `${app2.url}/chatwoot/webhook` })).status, 404);
    assert.equal((await fake2.deliver(payload, { url: `${app2.url}/chatwoot/webhook/not-the-token-0000000` })).status, 404);
    assert.equal(await countSurveys(app2, {}), 0);
    assert.equal((await fake2.deliver(payload)).status, 200);
    const s = await eventually(async () => readSurvey(app2, { channel: 'chatwoot:telegram' }), 10_000, 'the survey');
    await eventually(async () => (await readSurvey(app2, { _id: s._id }))?.state === 'asked', 10_000, 'asked');
    assert.equal(fake2.sentTo(c.id)[0]?.contentType, 'text', 'telegram is not in CHATWOOT_INPUT_SELECT by default');
    const { response } = await fake2.customerWrites(c.id, '10');
    assert.equal(response.status, 200);
    await eventually(async () => (await readSurvey(app2, { _id: s._id }))?.score === 10, 10_000, 'scored 10');
  });
});
