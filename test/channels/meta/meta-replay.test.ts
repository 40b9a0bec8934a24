/**
 * Replayed and stale Meta deliveries, and WhatsApp ids in two forms, on the whole bot
 * with the fake Cloud API: a captured, validly signed answer delivered again after the
 * customer's next resolution changes nothing (no score, no follow-up question, no
 * detractor follow-up); a message older than META_MAX_EVENT_AGE_MINUTES is ignored; a
 * resolution for `+46…` is stored as Meta's digits-only id, so the customer's answers
 * and STOP match it.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FakeGraphApi } from '../../fakes/graph-api.ts';
import { followupModel } from '../../../src/reports/followups/followup-model.ts';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { assertAccepted, startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { surveyInState } from '../../helpers/survey-waits.ts';
import { readSurvey, readSurveys } from '../../helpers/surveys.ts';

const VERSION = 'v24.0';
const APP_SECRET = 'whatsapp-replay-secret-0123456789';
const PHONE_NUMBER_ID = '106540352242922';
const TOKEN = 'wa-token-replay-0123456';

let fake: FakeGraphApi;
let app: TestApp;

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'metareplay',
    fake: () => FakeGraphApi.start({
      version: VERSION, appSecret: APP_SECRET,
      whatsapp: { phoneNumberId: PHONE_NUMBER_ID, businessAccountId: '102290129340398', token: TOKEN },
    }),
    env: (f) => ({
      WHATSAPP_ACCESS_TOKEN: TOKEN, WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID, META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: 'verify-token-replay', META_GRAPH_URL: f.url, META_GRAPH_VERSION: VERSION,
      WHATSAPP_STATUS_WAIT_SECONDS: '0', FATIGUE_DAYS: '0', META_MAX_EVENT_AGE_MINUTES: '30', TESTIMONIAL_CONSENT: 'true',
    }),
    webhooks: (f, url) => { f.webhookUrls.whatsapp = `${url}/meta/whatsapp`; },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

async function resolve(conversationId: string, customerId: string): Promise<Response> {
  return fetch(`${app.url}/api/resolutions`, {
    method: 'POST', headers: authHeaders(),
    body: JSON.stringify({ channel: 'whatsapp', conversationId, customer: { id: customerId }, agent: { id: 'agent-wera' } }),
  });
}

async function surveyIdOf(res: Response): Promise<string> {
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json() as { surveyId: string }).surveyId;
}

const stateIs = (id: string, state: string) => surveyInState(app, id, state);

const deliver = (payload: unknown) => assertAccepted(fake.deliver('whatsapp', payload));

const sentTo = (waId: string) => fake.to('whatsapp', waId).length;

describe('replayed and stale WhatsApp deliveries', () => {
  test('a captured answer replayed after the customer\'s next resolution is refused: no score, no follow-up, no alert', async () => {
    const waId = '46701110001';
    const first = await surveyIdOf(await resolve('wa-replay-1', waId));
    await stateIs(first, 'asked');
    const captured = fake.whatsappMessage(waId, { text: '2' });
    await deliver(captured);
    await stateIs(first, 'scored');
    await deliver(fake.whatsappMessage(waId, { text: 'Nobody called me back' }));
    await stateIs(first, 'completed');
    const followups = followupModel(app.conn);
    await eventually(async () => (await followups.countDocuments({})) === 1, 10_000, 'the detractor follow-up');

    const second = await surveyIdOf(await resolve('wa-replay-2', waId));
    await stateIs(second, 'asked');
    await fake.settled();
    const sentBefore = sentTo(waId);

    // The same signed body again: Meta would never, whoever captured it might.
    await deliver(captured);
    const after = await readSurvey(app, { _id: second });
    assert.equal(after?.state, 'asked');
    assert.equal(after?.score, undefined);
    await fake.settled();
    assert.equal(sentTo(waId), sentBefore, 'no follow-up question went out');
    assert.equal(await followups.countDocuments({}), 1, 'no second detractor follow-up');

    // The customer's own fresh answer still counts.
    await deliver(fake.whatsappMessage(waId, { text: '9' }));
    assert.equal((await stateIs(second, 'scored')).score, 9);
  });

  test('a captured consent "yes" replayed at the next survey\'s consent question grants nothing', async () => {
    const waId = '46701110003';
    const promoterUntilConsent = async (conversationId: string) => {
      const id = await surveyIdOf(await resolve(conversationId, waId));
      await stateIs(id, 'asked');
      await deliver(fake.whatsappMessage(waId, { text: '10' }));
      await stateIs(id, 'scored');
      await deliver(fake.whatsappMessage(waId, { text: 'Lovely service' }));
      return eventually(async () => {
        const s = await readSurvey(app, { _id: id });
        return s?.testimonial?.askedAt ? s : null;
      }, 10_000, 'the consent question');
    };
    const first = await promoterUntilConsent('wa-consent-1');
    const yes = fake.whatsappMessage(waId, { text: 'yes' });
    await deliver(yes);
    await eventually(async () => (await readSurvey(app, { _id: first._id }))?.testimonial?.granted === true, 10_000, 'consent granted');

    const second = await promoterUntilConsent('wa-consent-2');
    await deliver(yes);
    await fake.settled();
    assert.equal((await readSurvey(app, { _id: second._id }))?.testimonial?.granted, undefined, 'the replayed yes is not consent');
  });

  test('a message older than META_MAX_EVENT_AGE_MINUTES is ignored (answered 200, so Meta stops)', async () => {
    const waId = '46701110002';
    const id = await surveyIdOf(await resolve('wa-stale-1', waId));
    await stateIs(id, 'asked');
    const old = fake.whatsappMessage(waId, { text: '0' }) as { entry: Array<{ changes: Array<{ value: { messages: Array<{ timestamp: string }> } }> }> };
    old.entry[0]!.changes[0]!.value.messages[0]!.timestamp = String(Math.floor(Date.now() / 1000) - 31 * 60);
    await deliver(old);
    const doc = await readSurvey(app, { _id: id });
    assert.equal(doc?.state, 'asked');
    assert.equal(doc?.score, undefined);
    // Within the window it is an answer.
    const recent = fake.whatsappMessage(waId, { text: '7' }) as typeof old;
    recent.entry[0]!.changes[0]!.value.messages[0]!.timestamp = String(Math.floor(Date.now() / 1000) - 25 * 60);
    await deliver(recent);
    assert.equal((await stateIs(id, 'scored')).score, 7);
  });
});

describe('WhatsApp ids in their canonical form', () => {
  test('a resolution for +46… is stored and asked as Meta\'s digits-only id; the customer\'s STOP then opts them out', async () => {
    const id = await surveyIdOf(await resolve('wa-plus-1', '+46 70-999 99 99'));
    const asked = await stateIs(id, 'asked');
    assert.equal(asked.customer.id, '46709999999');
    assert.ok(sentTo('46709999999') >= 1);

    await deliver(fake.whatsappMessage('46709999999', { text: 'STOP' }));
    await stateIs(id, 'skipped').catch(() => undefined);
    const next = await surveyIdOf(await resolve('wa-plus-2', '+46709999999'));
    const skipped = await stateIs(next, 'skipped');
    assert.equal(skipped.skipReason, 'opted-out');
    assert.equal((await readSurveys(app, { 'customer.id': '+46709999999' })).length, 0);
  });

  test('a customer id that is not a WhatsApp number is refused with a 400 naming customer.id', async () => {
    for (const bad of ['casey@example.com', '+46 70 abc', '123']) {
      const res = await resolve(`wa-bad-${bad}`, bad);
      assert.equal(res.status, 400);
      const body = await res.json() as { field: string; error: string };
      assert.equal(body.field, 'customer.id');
      assert.match(body.error, /not a customer id of channel "whatsapp"/);
    }
  });
});
