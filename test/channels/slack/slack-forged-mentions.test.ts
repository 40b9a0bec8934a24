/**
 * Forged mentions and routing on Slack (the whole bot against the fake Slack): a
 * customer id that is not a Slack user id is refused where it enters, so no mrkdwn can
 * ride into `<@…>`; an ingest token may not choose where the bot posts (`address`,
 * `link`); and the thread fallback asks in public only inside SLACK_CARE_CHANNELS,
 * whatever conversation id or address a caller sent.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { authHeaders, eventually, type TestApp } from '../../helpers/app.ts';
import { startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { readSurvey } from '../../helpers/surveys.ts';
import { BOT_TOKEN, FakeSlack } from '../../fakes/slack-web-api.ts';
import { SIGNING_SECRET } from '../../fakes/slack-events.ts';

const CARE = 'CCARE0042';
const INTERNAL = 'CINTERNAL7';
const INGEST = 'ingest-token-slack-0123456789abcdefgh';
const FORGED = 'U1> <!channel> <https://evil.example|Reset your SSO password';

let fake: FakeSlack;
let app: TestApp;

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'slackforged',
    fake: () => new FakeSlack().start(),
    env: (f) => ({
      SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: f.apiUrl,
      SLACK_CARE_CHANNELS: CARE, SLACK_THREAD_FALLBACK: 'true', INGEST_TOKENS: INGEST, FATIGUE_DAYS: '0',
    }),
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

function post(body: unknown, token?: string): Promise<Response> {
  return fetch(`${app.url}/api/resolutions`, { method: 'POST', headers: authHeaders(token), body: JSON.stringify(body) });
}

async function failed(surveyId: string) {
  return eventually(async () => {
    const s = await readSurvey(app, { _id: surveyId });
    return s?.state === 'failed' ? s : null;
  }, 10_000, `survey ${surveyId} to fail`);
}

describe('slack: ids and routing from callers', () => {
  test('a customer id that is not a Slack user id is refused with a 400, from any token; nothing is posted', async () => {
    for (const token of [undefined, INGEST]) {
      for (const id of [FORGED, 'u123abc', 'casey', 'C0CHANNEL1', 'U1 2']) {
        const res = await post({ channel: 'slack', conversationId: `${CARE}:1700000000.000100`, customer: { id }, agent: { id: 'UAGENT1' } }, token);
        assert.equal(res.status, 400, id);
        assert.equal((await res.json() as { field: string }).field, 'customer.id');
      }
    }
    assert.equal(fake.callsTo('chat.postMessage').length, 0);
  });

  test('an ingest token may not send address or link; a manager may', async () => {
    const base = { channel: 'slack', conversationId: `${CARE}:1700000000.000200`, customer: { id: 'UCUSTOM01' }, agent: { id: 'UAGENT1' } };
    for (const extra of [{ address: { mode: 'thread', channel: INTERNAL, thread_ts: '1700000000.000300' } }, { link: 'https://evil.example/login' }]) {
      const res = await post({ ...base, ...extra }, INGEST);
      assert.equal(res.status, 400);
      const body = await res.json() as { field: string; error: string };
      assert.equal(body.field, Object.keys(extra)[0]);
      assert.match(body.error, /not accepted from an ingest token/);
    }
    assert.equal((await post(base, INGEST)).status, 202);
  });

  test('a DM Slack refuses falls back to the thread only inside a care channel', async () => {
    const cust = 'UREFUSED01';
    fake.addUser({ id: cust, real_name: 'Rae Fused' });
    fake.dmRefusals.set(cust, 'invalid_user_combination');
    // A conversation id naming a channel the bot is in, but not a care channel.
    const outside = await post({ channel: 'slack', conversationId: `${INTERNAL}:1700000000.000400`, customer: { id: cust }, agent: { id: 'UAGENT1' } });
    assert.equal(outside.status, 202);
    const s = await failed((await outside.json() as { surveyId: string }).surveyId);
    assert.match(String(s.lastError), /invalid_user_combination/);
    assert.equal(fake.botMessages(INTERNAL).length, 0);

    // The same refusal in a care thread asks there, mentioning the customer.
    const root = fake.say(CARE, cust, 'Help please');
    const inside = await post({ channel: 'slack', conversationId: `${CARE}:${root}`, customer: { id: cust }, agent: { id: 'UAGENT1' } });
    assert.equal(inside.status, 202);
    const asked = await eventually(async () => fake.botMessages(CARE).find((m) => m.thread_ts === root), 10_000, 'the question in the care thread');
    assert.match(String(asked.text), new RegExp(`^<@${cust}> `));
  });

  test('a manager\'s thread address outside the care channels is never asked in', async () => {
    const cust = 'UADDRESS01';
    fake.addUser({ id: cust, real_name: 'Ada Dress' });
    const res = await post({
      channel: 'slack', conversationId: `${CARE}:1700000000.000500`, customer: { id: cust }, agent: { id: 'UAGENT1' },
      address: { mode: 'thread', channel: INTERNAL, thread_ts: '1700000000.000600' },
    });
    assert.equal(res.status, 202);
    const s = await failed((await res.json() as { surveyId: string }).surveyId);
    assert.match(String(s.lastError), /outside SLACK_CARE_CHANNELS/);
    assert.equal(fake.botMessages(INTERNAL).length, 0);
  });
});
