/**
 * A button press during a database outage, through the real discord.js client and the
 * fake Discord, with the bot's database connection running through a proxy the test
 * cuts (test/fakes/database-outage.ts). The press is acknowledged in time with a
 * deferred update; the question is shown answered only once the answer is stored; while
 * nothing can be stored the buttons stay and the customer is asked, in a message only
 * they see, to press again; the next press counts once.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Connection } from 'mongoose';
import { startApp, type RunningApp } from '../../../src/app.ts';
import { NOT_RECORDED } from '../../../src/channels/discord/discord-answer-handler.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { closeTestDbBehindOutage, DatabaseOutage, openTestDbBehindOutage, type TestDbBehindOutage } from '../../fakes/database-outage.ts';
import { FakeDiscord } from '../../fakes/discord-fake.ts';
import { buildSupportServer, TEST_DISCORD_TOKEN, type SupportServer } from '../../fakes/discord-support-server.ts';
import type { MessageJson } from '../../fakes/discord-world.ts';
import { eventually, TEST_API_TOKEN } from '../../helpers/app.ts';
import { readSurvey } from '../../helpers/surveys.ts';

const WAIT = 15_000;
const EPHEMERAL = 64;

let discord: FakeDiscord;
let server: SupportServer;
let db: TestDbBehindOutage | undefined;
let outage: DatabaseOutage;
let direct: TestDbBehindOutage['direct'];
let conn: Connection;
let app: RunningApp;

beforeAll(async () => {
  discord = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
  server = buildSupportServer(discord);
  db = await openTestDbBehindOutage('discordout');
  ({ outage, direct, conn } = db);
  app = await startApp({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN, SCHEDULER_INTERVAL_MS: '100', ...server.env({ COMPANY_NAME: 'Acme' }) }),
    logger: silentLogger(),
    database: { conn, embedded: false, uri: outage.uri, close: async () => {} },
  });
});

afterAll(async () => {
  await closeTestDbBehindOutage(db, async () => app?.stop());
  await discord?.stop();
});

function buttonFor(question: MessageJson, score: number): string {
  const button = question.components.flatMap((row) => row.components).find((b) => b.label === String(score));
  assert.ok(button?.custom_id, `a button for ${score}`);
  return button.custom_id;
}

describe('discord: a button pressed during a database outage', () => {
  test('not shown as recorded, the customer is asked to press again, and the next press is stored once', async () => {
    const customer = server.customer('Olle Outage');
    const thread = discord.openThread(server.forum.id, customer.id, 'Broken login', 'I cannot log in');
    discord.post(thread.id, server.agent.id, 'Reset it for you');
    discord.runCommand(thread.id, server.agent.id, 'resolve');
    const question = await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the DM question');
    await eventually(async () => (await readSurvey(direct, { channel: 'discord', conversationId: thread.id }))?.state === 'asked', WAIT, 'asked');

    outage.cut();
    const first = discord.pressButton(question.id, customer.id, buttonFor(question, 9));
    const apology = await eventually(async () => first.followUps[0], WAIT, 'the apology');
    assert.equal(first.callback?.type, 6, 'acknowledged in time, with nothing shown');
    assert.equal(apology.content, NOT_RECORDED);
    assert.equal(apology.flags, EPHEMERAL, 'only the customer sees it');
    assert.equal(first.edited, undefined, 'the question is not shown as answered');
    assert.equal(discord.dmsTo(customer.id)[0]?.components.length, 3, 'the buttons stay');
    assert.doesNotMatch(discord.dmsTo(customer.id)[0]?.content ?? '', /✅/);
    assert.equal((await readSurvey(direct, { channel: 'discord', conversationId: thread.id }))?.state, 'asked');

    await outage.restoreFor(conn);
    const again = discord.pressButton(question.id, customer.id, buttonFor(question, 9));
    await eventually(async () => again.callback, WAIT, 'the press answered');
    assert.equal(again.callback?.type, 7, 'answered once stored, with the question updated');
    assert.match(String(again.callback?.data?.content), /✅ \*\*9\*\* \/ 10/);
    assert.match(discord.dmsTo(customer.id)[0]?.content ?? '', /✅ \*\*9\*\* \/ 10/);
    assert.deepEqual(discord.dmsTo(customer.id)[0]?.components, [], 'buttons gone once stored');
    const scored = await readSurvey(direct, { channel: 'discord', conversationId: thread.id });
    assert.equal(scored?.state, 'scored');
    assert.equal(scored?.score, 9);
    await eventually(async () => discord.dmsTo(customer.id)[1], WAIT, 'the follow-up');
    assert.equal(again.followUps.length, 0);
  });

  test('a press while the database stalls is never acknowledged as taken before it is stored (a process killed then would lose it)', async () => {
    const customer = server.customer('Stina Stall');
    const thread = discord.openThread(server.forum.id, customer.id, 'Slow page', 'It is slow');
    discord.post(thread.id, server.agent.id, 'Sped it up');
    discord.runCommand(thread.id, server.agent.id, 'resolve');
    const question = await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the DM question');
    await eventually(async () => (await readSurvey(direct, { channel: 'discord', conversationId: thread.id }))?.state === 'asked', WAIT, 'asked');

    outage.hold();
    try {
      const press = discord.pressButton(question.id, customer.id, buttonFor(question, 4));
      // Discord will not deliver this press again: while nothing can be stored, its
      // acknowledgement must come with the request to press again.
      await eventually(async () => press.callback, WAIT, 'the press acknowledged in time');
      const told = await eventually(async () => press.followUps.find((f) => f.content === NOT_RECORDED), 8_000, 'asked to press again while nothing is stored');
      assert.equal(told.flags, EPHEMERAL);
      assert.equal(press.callback?.type, 6, 'nothing shown as taken');
      assert.equal((await readSurvey(direct, { channel: 'discord', conversationId: thread.id }))?.state, 'asked', 'not stored while the database stalls');
      assert.equal(discord.dmsTo(customer.id)[0]?.components.length, 3, 'the buttons stay');
      outage.release();
      // The press held in the stalled connection is stored late after all: shown, once.
      await eventually(async () => press.edited, WAIT, 'the question shown answered once stored');
      assert.match(String(press.edited?.content), /✅ \*\*4\*\* \/ 10/);
    } finally {
      outage.release();
    }
    const scored = await readSurvey(direct, { channel: 'discord', conversationId: thread.id });
    assert.equal(scored?.state, 'scored');
    assert.equal(scored?.score, 4);
  });
});
