/**
 * Answers typed in a Discord DM that no process handled live: the gateway delivers a
 * message once, so an answer typed while the bot was down, or one the bot held through a
 * database outage and then lost (stopped or killed while holding it), is read back from
 * the DM (GET /channels/{id}/messages?after=) when the bot connects again, and applied
 * once. Real discord.js client, fake Discord, the bot's database through a proxy the test cuts.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Connection } from 'mongoose';
import { startApp, type RunningApp } from '../../../src/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { closeTestDbBehindOutage, DatabaseOutage, openTestDbBehindOutage, type TestDbBehindOutage } from '../../fakes/database-outage.ts';
import { FakeDiscord } from '../../fakes/discord-fake.ts';
import { buildSupportServer, TEST_DISCORD_TOKEN, type SupportServer } from '../../fakes/discord-support-server.ts';
import { eventually, TEST_API_TOKEN } from '../../helpers/app.ts';
import { readSurvey } from '../../helpers/surveys.ts';

const WAIT = 20_000;

let discord: FakeDiscord;
let server: SupportServer;
let db: TestDbBehindOutage | undefined;
let outage: DatabaseOutage;
let direct: TestDbBehindOutage['direct'];
let conn: Connection;
let app: RunningApp | null = null;

function start(): Promise<RunningApp> {
  return startApp({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN, SCHEDULER_INTERVAL_MS: '100', ...server.env({ COMPANY_NAME: 'Acme' }) }),
    logger: silentLogger(),
    database: { conn, embedded: false, close: async () => {} },
  });
}

beforeAll(async () => {
  discord = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
  server = buildSupportServer(discord);
  db = await openTestDbBehindOutage('discordlookback');
  ({ outage, direct, conn } = db);
  app = await start();
});

afterAll(async () => {
  await closeTestDbBehindOutage(db, async () => app?.stop());
  await discord?.stop();
});

/** A resolved support thread whose customer has been asked by DM. */
async function askedCustomer(name: string): Promise<{ customerId: string; threadId: string }> {
  const customer = server.customer(name);
  const thread = discord.openThread(server.forum.id, customer.id, `Problem of ${name}`, 'It is broken');
  discord.post(thread.id, server.agent.id, 'Fixed it');
  discord.runCommand(thread.id, server.agent.id, 'resolve');
  await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the DM question');
  await eventually(async () => (await readSurvey(direct, { channel: 'discord', conversationId: thread.id }))?.state === 'asked', WAIT, 'asked');
  return { customerId: customer.id, threadId: thread.id };
}

/** Until the bot's client has received every dispatch sent so far (its heartbeat reports the sequence). */
async function botReceivedAll(): Promise<void> {
  const seq = discord.gateway.shardState(0)?.seq ?? 0;
  await eventually(async () => (discord.gateway.shardState(0)?.acked ?? 0) >= seq, WAIT, 'the dispatch received');
}

describe('discord: the DM look-back after a restart', () => {
  test('an answer typed while no bot was connected is applied once the bot is back', async () => {
    const { customerId, threadId } = await askedCustomer('Dora Down');
    await app!.stop();
    app = null;
    discord.dm(customerId, '8');
    assert.equal(discord.gateway.shardState(0)?.connected, false, 'nobody received that dispatch');

    app = await start();
    await eventually(async () => (await readSurvey(direct, { channel: 'discord', conversationId: threadId }))?.score === 8, WAIT, 'the score read back');
    await eventually(async () => discord.dmsTo(customerId)[1], WAIT, 'the follow-up');
    discord.dm(customerId, 'quick and kind');
    await eventually(async () => (await readSurvey(direct, { channel: 'discord', conversationId: threadId }))?.state === 'completed', WAIT, 'completed');
    const done = await readSurvey(direct, { channel: 'discord', conversationId: threadId });
    assert.equal(done?.score, 8);
    assert.equal(done?.comment, 'quick and kind', 'the score was not taken again as the comment');
    assert.equal(discord.dmsTo(customerId).filter((m) => /how likely/i.test(m.content)).length, 1, 'asked once');
  });

  test('an answer held through a database outage by a bot that then stopped is not lost', async () => {
    const { customerId, threadId } = await askedCustomer('Hilda Held');
    outage.cut();
    discord.dm(customerId, 'STOP');
    await botReceivedAll();
    // The bot holds the answer (it cannot be stored) and is stopped with it in memory.
    await app!.stop();
    app = null;
    assert.equal((await readSurvey(direct, { channel: 'discord', conversationId: threadId }))?.state, 'asked', 'not stored before the restart');

    await outage.restoreFor(conn);
    app = await start();
    await eventually(async () => (await readSurvey(direct, { channel: 'discord', conversationId: threadId }))?.state === 'skipped', WAIT, 'the opt-out read back');
    const s = await readSurvey(direct, { channel: 'discord', conversationId: threadId });
    assert.equal(s?.skipReason, 'opted-out');
    await eventually(async () => discord.dmsTo(customerId).some((m) => /will not send you/i.test(m.content)), WAIT, 'the opt-out confirmed');
  });
});
