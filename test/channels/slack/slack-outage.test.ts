/**
 * Answers during a database outage, in both of Slack's transports, with the real Bolt
 * app and Web API client against the fake Slack and the bot's database connection
 * going through a proxy the test cuts (test/fakes/database-outage.ts).
 *
 * What must hold: while nothing can be stored, Slack is not told the event was handled
 * (HTTP: a 5xx; Socket Mode: no ack), so Slack delivers it again; the customer is not
 * shown an answer as recorded; once the database is back (the bot's connection has
 * noticed: a condition waited for, not a fixed time) the redelivery is stored, once.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import mongoose, { type Connection } from 'mongoose';
import { startApp, type RunningApp } from '../../../src/app.ts';
import { NOT_RECORDED } from '../../../src/channels/slack/slack-answers.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { DatabaseOutage } from '../../fakes/database-outage.ts';
import { buttonPress, deliver, dmMessage, reactionAdded, SIGNING_SECRET } from '../../fakes/slack-events.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlack, type FakeMessage } from '../../fakes/slack-web-api.ts';
import { eventually, TEST_API_TOKEN } from '../../helpers/app.ts';
import { openTestDb } from '../../helpers/database.ts';
import { readSurvey } from '../../helpers/surveys.ts';

const CARE = 'CCAREOUT1';
const AGENT = 'UAGENTOUT';
// A bound, not a pause: generous, because a loaded machine is slow and a passing test does not wait it out.
const WAIT = 30_000;

interface Bot { fake: FakeSlack; app: RunningApp; conn: Connection; direct: Awaited<ReturnType<typeof openTestDb>> }

let outage: DatabaseOutage;

/** A bot whose database connection runs through the outage proxy; `direct` reads the same database around it. */
async function startBot(label: string, env: Record<string, string>): Promise<Bot> {
  const fake = await new FakeSlack().start();
  fake.addUser({ id: AGENT, real_name: 'Sam Agent' });
  const direct = await openTestDb(label);
  const conn = await mongoose.createConnection(outage.uri, { dbName: direct.dbName, ...outage.fastFailure }).asPromise();
  outage.watch(conn);
  const app = await startApp({
    config: loadConfig({
      PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN, SCHEDULER_INTERVAL_MS: '100',
      SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: fake.apiUrl, SLACK_CARE_CHANNELS: CARE, SLACK_STAFF_IDS: AGENT, SLACK_RATE_PER_SECOND: '20',
      ...env,
    }),
    logger: silentLogger(),
    database: { conn, embedded: false, uri: outage.uri, close: async () => {} },
  });
  return { fake, app, conn, direct };
}

async function stopBot(bot: Bot | undefined): Promise<void> {
  if (!bot) return;
  outage.restore();
  await bot.app.stop();
  await bot.conn.close();
  await bot.direct.drop();
  await bot.fake.close();
}

/** A customer whose care thread staff resolved, once the question is in their DM and stored as asked. */
async function asked(bot: Bot, cust: string, deliverReaction: (post: ReturnType<typeof reactionAdded>) => Promise<void>) {
  bot.fake.addUser({ id: cust, real_name: 'Out Age', locale: 'en-GB' });
  const root = bot.fake.say(CARE, cust, 'Where is my parcel?');
  await deliverReaction(reactionAdded(AGENT, 'white_check_mark', CARE, root, cust));
  const question = await eventually(async () => bot.fake.botMessages(bot.fake.dmChannelOf(cust))[0], WAIT, 'the question');
  const conversationId = `${CARE}:${root}`;
  await eventually(async () => (await readSurvey(bot.direct, { conversationId }))?.state === 'asked', WAIT, 'asked');
  return { question: question as FakeMessage & { ts: string }, conversationId };
}

function button(question: FakeMessage, score: number): { action_id: string; value: string } {
  const actions = (question.blocks ?? []).find((b) => (b as { type?: string }).type === 'actions') as { elements: Array<{ action_id: string; value: string }> };
  return actions.elements[score]!;
}

beforeAll(async () => {
  outage = await DatabaseOutage.start();
});

afterAll(async () => {
  await outage?.stop();
});

describe('slack, HTTP mode: answers during a database outage', () => {
  let bot: Bot;
  beforeAll(async () => { bot = await startBot('slackout', { SLACK_SIGNING_SECRET: SIGNING_SECRET }); });
  afterAll(async () => { await stopBot(bot); });

  const ok = async (post: Parameters<typeof deliver>[1]) => assert.equal((await deliver(bot.app.url, post)).status, 200);

  test('a typed score: 5xx while the database is down, stored once from Slack\'s retry', async () => {
    const cust = 'UOUTTYPE1';
    const { conversationId } = await asked(bot, cust, ok);

    outage.cut();
    const answer = dmMessage(cust, '9', '1800000100.000100');
    const first = await deliver(bot.app.url, answer);
    assert.ok(first.status >= 500, `answered ${first.status} while nothing could be stored: Slack would not retry`);
    assert.equal(bot.fake.botMessages(bot.fake.dmChannelOf(cust)).length, 1, 'no follow-up: the customer is not told it was recorded');
    assert.equal((await readSurvey(bot.direct, { conversationId }))?.state, 'asked');

    await outage.restoreFor(bot.conn);
    const retry = await deliver(bot.app.url, answer, { retryNum: 1 });
    assert.equal(retry.status, 200, retry.text);
    const scored = await readSurvey(bot.direct, { conversationId });
    assert.equal(scored?.state, 'scored');
    assert.equal(scored?.score, 9);
    await eventually(async () => bot.fake.botMessages(bot.fake.dmChannelOf(cust))[1], WAIT, 'the follow-up');

    // Slack's next retry (its first answer may have been lost) changes nothing.
    assert.equal((await deliver(bot.app.url, answer, { retryNum: 2 })).status, 200);
    assert.equal(bot.fake.botMessages(bot.fake.dmChannelOf(cust)).length, 2, 'one follow-up');
    assert.equal((await readSurvey(bot.direct, { conversationId }))?.eventIds?.filter((e) => e === `msg:${bot.fake.dmChannelOf(cust)}:1800000100.000100`).length, 1);
  });

  test('a button: the question keeps its buttons and the customer is asked to press again; the next press counts', async () => {
    const cust = 'UOUTBUTN1';
    const { question, conversationId } = await asked(bot, cust, ok);
    const seven = button(question, 7);

    outage.cut();
    await ok(buttonPress({ user: cust, channel: bot.fake.dmChannelOf(cust), message: question, actionId: seven.action_id, value: seven.value }));
    const apology = await eventually(async () => bot.fake.callsTo('chat.postEphemeral').find((c) => c.params.user === cust), WAIT, 'the apology');
    assert.equal(apology.params.text, NOT_RECORDED);
    assert.equal(bot.fake.callsTo('chat.update').filter((c) => c.params.ts === question.ts).length, 0, 'the question is not shown as answered');
    assert.equal((await readSurvey(bot.direct, { conversationId }))?.state, 'asked');

    await outage.restoreFor(bot.conn);
    await ok(buttonPress({ user: cust, channel: bot.fake.dmChannelOf(cust), message: question, actionId: seven.action_id, value: seven.value }));
    await eventually(async () => bot.fake.callsTo('chat.update').find((c) => c.params.ts === question.ts), WAIT, 'the answered question');
    const scored = await readSurvey(bot.direct, { conversationId });
    assert.equal(scored?.state, 'scored');
    assert.equal(scored?.score, 7);
  });

  test('a button while the database stalls: never acknowledged as taken before it is stored (a process killed then would lose it)', async () => {
    const cust = 'UOUTSTAL1';
    const { question, conversationId } = await asked(bot, cust, ok);
    const four = button(question, 4);

    outage.hold();
    try {
      await ok(buttonPress({ user: cust, channel: bot.fake.dmChannelOf(cust), message: question, actionId: four.action_id, value: four.value }));
      // Slack will not deliver this press again: when it is acknowledged, the customer has been asked to press again.
      const told = bot.fake.callsTo('chat.postEphemeral').find((c) => c.params.user === cust);
      assert.equal(told?.params.text, NOT_RECORDED, 'asked to press again by the time the press is acknowledged');
      assert.equal((await readSurvey(bot.direct, { conversationId }))?.state, 'asked', 'not stored while the database stalls');
      assert.equal(bot.fake.callsTo('chat.update').filter((c) => c.params.ts === question.ts).length, 0);
      outage.release();
      // The score held in the stalled connection is stored late after all: shown on the question, once, and asked again no more.
      await eventually(async () => bot.fake.callsTo('chat.update').find((c) => c.params.ts === question.ts), WAIT, 'the answered question');
    } finally {
      outage.release();
    }
    const scored = await readSurvey(bot.direct, { conversationId });
    assert.equal(scored?.state, 'scored');
    assert.equal(scored?.score, 4);
    assert.equal(bot.fake.callsTo('chat.postEphemeral').filter((c) => c.params.user === cust).length, 1, 'asked to press again once');
  });
});

describe('slack, Socket Mode: answers during a database outage', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await startBot('slacksockout', { SLACK_APP_TOKEN: APP_TOKEN });
    await eventually(async () => bot.fake.socketConnected, WAIT, 'the Socket Mode connection');
  });
  afterAll(async () => { await stopBot(bot); });

  test('a typed score is not acknowledged while the database is down; the redelivery is stored once', async () => {
    const cust = 'UOUTSOCK1';
    const { conversationId } = await asked(bot, cust, async (post) => { await bot.fake.socketSend('events_api', post.payload, 0, WAIT); });

    outage.cut();
    const answer = dmMessage(cust, '4', '1800000200.000100');
    await assert.rejects(bot.fake.socketSend('events_api', answer.payload, 0, 4000), /no ack/, 'acknowledged although nothing was stored');
    assert.equal(bot.fake.botMessages(bot.fake.dmChannelOf(cust)).length, 1, 'no follow-up');
    assert.equal((await readSurvey(bot.direct, { conversationId }))?.state, 'asked');

    await outage.restoreFor(bot.conn);
    // Acknowledged once stored: wait for the ack with a bound (the default 5 s is short on a loaded machine).
    await bot.fake.socketSend('events_api', answer.payload, 1, WAIT);
    const scored = await readSurvey(bot.direct, { conversationId });
    assert.equal(scored?.state, 'scored', 'stored before the ack');
    assert.equal(scored?.score, 4);
    await bot.fake.socketSend('events_api', answer.payload, 2, WAIT);
    await eventually(async () => bot.fake.botMessages(bot.fake.dmChannelOf(cust))[1], WAIT, 'the follow-up');
    assert.equal(bot.fake.botMessages(bot.fake.dmChannelOf(cust)).length, 2, 'one follow-up');
  });
});
