/**
 * The Intercom bridge end to end: the whole bot (INTERCOM_* settings) talking HTTP to a
 * fake Intercom on 127.0.0.1, which delivers signed webhooks: a teammate closes a
 * conversation, the bot replies with 0–10 quick replies as its admin, the customer taps
 * or types, the bot follows up, thanks, and closes the conversation again.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FakeIntercomApi, signIntercom, type FakeIntercomConversation } from '../../fakes/intercom-api.ts';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { assertAccepted, startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { surveyAppears, surveyInState, type SurveyId } from '../../helpers/survey-waits.ts';
import { countSurveys, readSurvey } from '../../helpers/surveys.ts';

const BOT = '7000';
const ANNA = '7001';
const BO = '7002';
const OPTIONS = {
  accessToken: 'intercom-access-token-0123456789abcdef', clientSecret: 'intercom-client-secret-0123', appId: 'abc123de',
  admins: [{ id: ANNA, name: 'Anna' }, { id: BO, name: 'Bo' }, { id: BOT, name: 'NPS bot' }],
};

let fake: FakeIntercomApi;
let app: TestApp;

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'intercom',
    fake: () => FakeIntercomApi.start(OPTIONS),
    env: (f) => ({
      INTERCOM_ACCESS_TOKEN: OPTIONS.accessToken, INTERCOM_CLIENT_SECRET: OPTIONS.clientSecret, INTERCOM_ADMIN_ID: BOT,
      INTERCOM_URL: f.url, INTERCOM_APP_ID: OPTIONS.appId, INTERCOM_CLOSE_AFTER_THANKS: 'true', COMPANY_NAME: 'Acme',
    }),
    webhooks: (f, url) => { f.webhookUrl = `${url}/intercom/webhook`; },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

const surveyOf = (c: FakeIntercomConversation, channel: string) => surveyAppears(app, { channel, 'address.conversationId': c.id }, `a survey for conversation ${c.id}`);

const stateIs = (id: SurveyId, state: string) => surveyInState(app, id, state);

const closedBy = (c: FakeIntercomConversation, adminId: string) => assertAccepted(fake.close(c, adminId));

describe('Intercom bridge', () => {
  test('closed in the Messenger → 0–10 quick replies as the bot admin → a tap scores exactly → follow-up, thanks, closed again; one survey', async () => {
    const c = fake.addConversation({ customer: 'Maja', assigneeId: ANNA, replies: [ANNA, BO, ANNA] });
    await closedBy(c, BO);
    const s = await surveyOf(c, 'intercom:messenger');
    assert.equal(s.customer.id, c.contact.id);
    assert.equal(s.customer.name, 'Maja');
    assert.deepEqual(s.agent, { id: BO, name: 'Bo' }, 'the closing admin, not the assignee');
    assert.deepEqual(s.participants, [{ id: ANNA, name: 'Anna', replies: 2 }, { id: BO, name: 'Bo', replies: 1 }]);
    await stateIs(s._id, 'asked');

    const [q, ...more] = fake.sentBy(c, BOT);
    assert.equal(more.length, 0, 'one question');
    assert.equal(q!.part_type, 'quick_reply');
    assert.match(String(q!.body), /recommend Acme/);
    assert.deepEqual(q!.reply_options!.map((o) => o.text), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    assert.equal(new Set(q!.reply_options!.map((o) => o.uuid)).size, 11);

    assert.equal((await fake.customerTaps(c, '9')).status, 200);
    assert.equal(c.state, 'open', 'the reply reopened the conversation');
    assert.equal((await stateIs(s._id, 'scored')).score, 9);
    const followup = await eventually(async () => fake.sentBy(c, BOT)[1], 5000, 'the follow-up');
    assert.equal(followup.part_type, 'comment');
    assert.match(String(followup.body), /main reason/);

    await fake.customerWrites(c, 'Bo & Anna were quick');
    assert.equal((await stateIs(s._id, 'completed')).comment, 'Bo & Anna were quick');
    const thanks = await eventually(async () => fake.sentBy(c, BOT)[2], 5000, 'the thanks');
    assert.match(String(thanks.body), /Thanks a lot/);
    await eventually(async () => c.state === 'closed', 5000, 'closed again after the thanks');
    assert.equal(c.parts.at(-1)?.author.id, BOT);
    await fake.settled();
    assert.ok(fake.webhookAnswers.some((a) => a.topic === 'conversation.admin.closed' && a.status === 200));
    assert.equal(await countSurveys(app, { 'address.conversationId': c.id }), 1, "the bot's own close resolves nothing new");
  });

  test('the customer comes back in the same conversation and Anna closes it again: a new survey, skipped for fatigue', async () => {
    const c = fake.addConversation({ customer: 'Lo', assigneeId: ANNA });
    await closedBy(c, ANNA);
    const first = await surveyOf(c, 'intercom:messenger');
    await stateIs(first._id, 'asked');
    await fake.customerWrites(c, 'one more thing: where is my invoice?');
    await closedBy(c, ANNA);
    const both = await eventually(async () => {
      const n = await countSurveys(app, { 'address.conversationId': c.id });
      return n === 2 ? n : null;
    }, 10_000, 'a second survey');
    assert.equal(both, 2);
    const second = await eventually(async () => readSurvey(app, { 'address.conversationId': c.id, _id: { $ne: first._id } }), 5000, 'the second survey');
    assert.equal((await stateIs(second._id, 'skipped')).skipReason, 'fatigue');
    assert.equal(fake.sentBy(c, BOT).filter((p) => p.part_type === 'quick_reply').length, 1, 'asked once');
  });

  test('WhatsApp through Intercom: the question as text (quick replies are a Messenger thing), in the contact\'s language; a typed answer is read', async () => {
    const c = fake.addConversation({ sourceType: 'whatsapp', customer: 'Kim', browserLanguage: 'sv', assigneeId: ANNA });
    await closedBy(c, ANNA);
    const s = await surveyOf(c, 'intercom:whatsapp');
    assert.equal(s.customer.locale, 'sv');
    await stateIs(s._id, 'asked');
    assert.equal(fake.sentBy(c, BOT)[0]?.part_type, 'comment');
    assert.match(String(fake.sentBy(c, BOT)[0]?.body), /rekommendera/i);
    await fake.customerWrites(c, 'I guess 7/10');
    assert.equal((await stateIs(s._id, 'scored')).score, 7);
  });

  test('a workspace that refuses quick replies gets the question as a comment', async () => {
    const c = fake.addConversation({ customer: 'Ida', assigneeId: ANNA });
    fake.failNext('POST', `/conversations/${c.id}/reply`, { status: 400, body: { type: 'error.list', errors: [{ code: 'parameter_invalid', message: 'message_type must be comment or note' }] } });
    await closedBy(c, ANNA);
    const s = await surveyOf(c, 'intercom:messenger');
    await stateIs(s._id, 'asked');
    assert.equal(fake.sentBy(c, BOT)[0]?.part_type, 'comment');
    await fake.customerWrites(c, '10');
    assert.equal((await stateIs(s._id, 'scored')).score, 10);
  });

  test('unsigned and forged deliveries are refused and change nothing', async () => {
    const c = fake.addConversation({ customer: 'Nils' });
    c.state = 'closed';
    const payload = fake.notification('conversation.admin.closed', c, []);
    const body = JSON.stringify(payload);
    assert.equal((await fake.deliver(payload, { signature: null })).status, 401);
    assert.equal((await fake.deliver(payload, { signature: signIntercom(body, 'not-the-secret') })).status, 403);
    assert.equal((await fake.deliver(payload, { signature: signIntercom('{}', OPTIONS.clientSecret), rawBody: body })).status, 403);
    assert.equal(await countSurveys(app, { 'address.conversationId': c.id }), 0);
    assert.equal((await fake.deliver(null, { rawBody: '{"type":' })).status, 400);
    assert.equal((await fake.deliver(payload)).status, 200);
    await surveyOf(c, 'intercom:messenger');
  });

  test('the same notifications twice are handled once', async () => {
    const c = fake.addConversation({ customer: 'Rut', assigneeId: BO });
    await closedBy(c, BO);
    assert.equal((await fake.deliver(fake.notification('conversation.admin.closed', c, c.parts.slice(-1)))).status, 200);
    const s = await surveyOf(c, 'intercom:messenger');
    await stateIs(s._id, 'asked');
    const { body } = await fake.customerWrites(c, '6');
    assert.equal((await fake.deliver(body)).status, 200);
    assert.equal((await stateIs(s._id, 'scored')).score, 6);
    await eventually(async () => fake.sentBy(c, BOT).length >= 2, 5000, 'the follow-up');
    await fake.settled();
    assert.equal(fake.sentBy(c, BOT).length, 2, 'one question, one follow-up');
  });

  test('a conversation deleted before the question fails the survey with the reason', async () => {
    const c = fake.addConversation({ customer: 'Siv', assigneeId: ANNA });
    fake.failNext('POST', `/conversations/${c.id}/reply`, { status: 404, body: { type: 'error.list', errors: [{ code: 'not_found', message: 'Resource Not Found' }] } });
    await closedBy(c, ANNA);
    const s = await surveyOf(c, 'intercom:messenger');
    assert.match(String((await stateIs(s._id, 'failed')).lastError), /no longer exists/);
  });

  test('a 429 from Intercom is waited out, then the question is posted once', async () => {
    const c = fake.addConversation({ customer: 'Tor', assigneeId: ANNA });
    fake.failNext('POST', `/conversations/${c.id}/reply`);
    await closedBy(c, ANNA);
    const s = await surveyOf(c, 'intercom:messenger');
    await stateIs(s._id, 'asked');
    assert.ok(fake.requests.some((r) => r.status === 429));
    assert.equal(fake.sentBy(c, BOT).length, 1);
  });

  test('a notice for managers is an internal note', async () => {
    const c = fake.addConversation({ customer: 'Vera' });
    await app.outbox.post('intercom', c.id, { text: 'Detractor alert', fields: { score: '3' } });
    assert.equal(c.parts.at(-1)?.part_type, 'note');
    assert.match(String(c.parts.at(-1)?.body), /Detractor alert\nscore: 3/);
  });

  test('the report splits NPS by channel behind Intercom and by the closing admin', async () => {
    const rows = await eventually(async () => {
      const r = (await (await fetch(`${app.url}/api/reports/nps?by=channel`, { headers: authHeaders() })).json() as { rows: Array<Record<string, unknown>> }).rows;
      return r.find((x) => x.channel === 'intercom:messenger')?.responses === 3 ? r : null;
    }, 20_000, 'the intercom rows');
    const messenger = rows.find((x) => x.channel === 'intercom:messenger')!;
    assert.deepEqual([messenger.promoters, messenger.detractors], [2, 1]);
    assert.equal(rows.find((x) => x.channel === 'intercom:whatsapp')?.passives, 1);
    const byAgent = (await (await fetch(`${app.url}/api/reports/nps?by=agent`, { headers: authHeaders() })).json() as { rows: Array<Record<string, unknown>> }).rows;
    assert.equal(byAgent.find((r) => r.agentId === BO)?.responses, 2, 'Maja 9 and Rut 6, both closed by Bo');
  });
});
