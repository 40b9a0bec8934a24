/**
 * Socket Mode: with SLACK_APP_TOKEN set the real Bolt SocketModeReceiver opens a
 * WebSocket (URL from `apps.connections.open` on the fake Slack) and events and
 * interactions arrive over it as envelopes the bot acknowledges. No signing secret
 * is needed and nothing is served on /slack/events.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { eventually, type TestApp } from '../../helpers/app.ts';
import { startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { readSurvey } from '../../helpers/surveys.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlack, type FakeMessage } from '../../fakes/slack-web-api.ts';
import { buttonPress, dmMessage, reactionAdded } from '../../fakes/slack-events.ts';

const CARE = 'CCARESOCK';
const AGENT = 'UAGENTSOK';

let fake: FakeSlack;
let app: TestApp;

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'slacksocket',
    fake: async () => {
      const f = await new FakeSlack().start();
      f.addUser({ id: AGENT, real_name: 'Sam Agent' });
      return f;
    },
    env: (f) => ({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: f.apiUrl,
      SLACK_CARE_CHANNELS: CARE,
      SLACK_STAFF_IDS: AGENT,
    }),
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

describe('slack channel: Socket Mode', () => {
  test('connects with the app token; a reaction, a button press and a typed comment arrive over the socket', async () => {
    await eventually(async () => fake.socketConnected, 10_000, 'the Socket Mode connection');
    assert.ok(fake.callsTo('apps.connections.open').length >= 1);

    const cust = 'USOCKCUS1';
    fake.addUser({ id: cust, real_name: 'Sock Et', locale: 'da-DK' });
    const root = fake.say(CARE, cust, 'Hjælp');
    const reaction = reactionAdded(AGENT, 'white_check_mark', CARE, root, cust);
    await fake.socketSend('events_api', reaction.payload);
    // A redelivery over the socket changes nothing either.
    await fake.socketSend('events_api', reaction.payload, 1);

    const question = await eventually(async () => fake.botMessages(fake.dmChannelOf(cust))[0], 10_000, 'the question');
    assert.match(question.text ?? '', /anbefale/, 'Danish, from users.info');
    await eventually(async () => {
      const s = await readSurvey(app, { conversationId: `${CARE}:${root}` });
      return s?.state === 'asked';
    }, 5000, 'asked');

    const buttons = ((question.blocks ?? []).find((b) => (b as { type?: string }).type === 'actions') as { elements: Array<{ action_id: string; value: string }> }).elements;
    const ten = buttons[10]!;
    await fake.socketSend('interactive', buttonPress({ user: cust, channel: fake.dmChannelOf(cust), message: question as FakeMessage & { ts: string }, actionId: ten.action_id, value: ten.value }).payload);
    await eventually(async () => fake.botMessages(fake.dmChannelOf(cust))[1], 5000, 'the follow-up');
    await fake.socketSend('events_api', dmMessage(cust, 'Super hurtigt', '1800000002.000001').payload);
    await eventually(async () => fake.botMessages(fake.dmChannelOf(cust))[2], 5000, 'the thanks');

    const s = await readSurvey(app, { conversationId: `${CARE}:${root}` });
    assert.equal(s?.state, 'completed');
    assert.equal(s?.score, 10);
    assert.equal(s?.comment, 'Super hurtigt');
    assert.equal(fake.botMessages(fake.dmChannelOf(cust)).length, 3);

    const http = await fetch(`${app.url}/slack/events`, { method: 'POST', body: '{}' });
    assert.equal(http.status, 404, 'no HTTP events route in Socket Mode');
  });
});
