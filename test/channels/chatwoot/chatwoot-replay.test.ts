/**
 * Replays through Chatwoot's URL-token webhook (no signature, no timestamp header):
 * whoever saw a delivery's URL and body can send it again. A captured answer replayed
 * after the customer's next resolution changes nothing; a message whose `created_at` is
 * older than CHATWOOT_MAX_EVENT_AGE_MINUTES is ignored; a contact id that is not a
 * number is refused on the API.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FakeChatwootApi, type FakeConversation, type FakeMessage } from '../../fakes/chatwoot-api.ts';
import { followupModel } from '../../../src/reports/followups/followup-model.ts';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { surveyAppears, surveyInState, type SurveyId } from '../../helpers/survey-waits.ts';
import { readSurvey } from '../../helpers/surveys.ts';

const API_TOKEN = 'chatwoot-api-token-replay';
const TOKEN = 'url-token-replay-abcdefghijkl';

let fake: FakeChatwootApi;
let app: TestApp;

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'chatwootreplay',
    fake: () => FakeChatwootApi.start({ accountId: 5, apiToken: API_TOKEN }),
    env: (f) => ({
      CHATWOOT_URL: f.url, CHATWOOT_API_TOKEN: API_TOKEN, CHATWOOT_ACCOUNT_ID: '5', CHATWOOT_WEBHOOK_TOKEN: TOKEN,
      FATIGUE_DAYS: '0', CHATWOOT_MAX_EVENT_AGE_MINUTES: '20',
    }),
    webhooks: (f, url) => { f.webhookUrl = `${url}/chatwoot/webhook/${TOKEN}`; },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

const surveyOf = (c: FakeConversation) => surveyAppears(app, { conversationId: String(c.id) }, `a survey for conversation ${c.id}`);

const stateIs = (id: SurveyId, state: string) => surveyInState(app, id, state);

async function askedFor(c: FakeConversation) {
  assert.equal((await fake.resolve(c.id))?.status, 200);
  const s = await surveyOf(c);
  return stateIs(s._id, 'asked');
}

describe('Chatwoot replays (URL-token mode)', () => {
  test('a captured answer replayed after the customer\'s next resolution is refused: no score, no follow-up, no alert', async () => {
    const contact = { id: 501, name: 'Alva' };
    const first = fake.addConversation({ channel: 'Channel::Telegram', contact, assignee: { id: 3, name: 'Bo' } });
    const s1 = await askedFor(first);
    const { payload: captured, response } = await fake.customerWrites(first.id, '1');
    assert.equal(response.status, 200);
    await stateIs(s1._id, 'scored');
    assert.equal((await fake.customerWrites(first.id, 'It took a week')).response.status, 200);
    await stateIs(s1._id, 'completed');
    const followups = followupModel(app.conn);
    await eventually(async () => (await followups.countDocuments({})) === 1, 10_000, 'the detractor follow-up');

    const second = fake.addConversation({ channel: 'Channel::Telegram', contact, assignee: { id: 3, name: 'Bo' } });
    const s2 = await askedFor(second);
    await fake.settled();
    const sent = fake.sentTo(second.id).length;

    assert.equal((await fake.deliver(captured)).status, 200);
    await fake.settled();
    const after = await readSurvey(app, { _id: s2._id });
    assert.equal(after?.state, 'asked');
    assert.equal(after?.score, undefined);
    assert.equal(fake.sentTo(second.id).length, sent, 'no follow-up question');
    assert.equal(await followups.countDocuments({}), 1, 'no second detractor follow-up');
  });

  test('a message created longer ago than CHATWOOT_MAX_EVENT_AGE_MINUTES is ignored', async () => {
    const c = fake.addConversation({ channel: 'Channel::Telegram', contact: { id: 502, name: 'Kim' } });
    const s = await askedFor(c);
    const incoming = (id: number, content: string, minutesAgo: number): FakeMessage => ({
      id, content, messageType: 'incoming', contentType: 'text', contentAttributes: {}, private: false,
      sender: { id: 502, name: 'Kim', type: 'contact' }, createdAt: new Date(Date.now() - minutesAgo * 60_000),
    });
    const old = fake.messagePayload('message_created', c, incoming(900_001, '0', 21));
    assert.equal((await fake.deliver(old)).status, 200);
    assert.equal((await readSurvey(app, { _id: s._id }))?.score, undefined);
    const recent = fake.messagePayload('message_created', c, incoming(900_002, '8', 5));
    assert.equal((await fake.deliver(recent)).status, 200);
    assert.equal((await stateIs(s._id, 'scored')).score, 8);
  });

  test('a resolution whose customer id is not a Chatwoot contact id is refused (400 naming customer.id)', async () => {
    const res = await fetch(`${app.url}/api/resolutions`, {
      method: 'POST', headers: authHeaders(),
      body: JSON.stringify({ channel: 'chatwoot:whatsapp', conversationId: '77', customer: { id: '+46701234567' }, agent: { id: 'a1' } }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json() as { field: string }).field, 'customer.id');
  });
});
