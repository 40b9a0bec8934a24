/**
 * Resolutions that must not be lost when Discord or the bot has trouble: the real
 * discord.js client against the fake Discord, the whole bot on a real database, stopped
 * and started again on the same database as a restarted process would be.
 *
 * - Discord answering 5xx while the bot reads the audit log (who archived the thread?):
 *   the read is retried, and when Discord keeps failing the thread is checked again later.
 * - A thread archived, locked or tagged while the bot was down (or after it received the
 *   update but before the survey was stored): found when the bot connects, surveyed once.
 * - /resolve registration failing at start-up: retried in the background.
 */
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { startApp, type RunningApp } from '../../../src/app.ts';
import type { DiscordChannel } from '../../../src/channels/discord/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { createLogger, silentLogger } from '../../../src/logger.ts';
import { FakeDiscord } from '../../fakes/discord-fake.ts';
import { buildSupportServer, TEST_DISCORD_TOKEN, type SupportServer } from '../../fakes/discord-support-server.ts';
import type { UserJson } from '../../fakes/discord-world.ts';
import { eventually, TEST_API_TOKEN } from '../../helpers/app.ts';
import { openTestDb } from '../../helpers/database.ts';
import { countSurveys, readSurvey } from '../../helpers/surveys.ts';

/** Generous: the database is shared with other test files; healthy runs take a fraction of this. */
const WAIT = 45_000;

let discord: FakeDiscord;
let server: SupportServer;
let db: Awaited<ReturnType<typeof openTestDb>>;
let app: RunningApp | null = null;

beforeAll(async () => {
  discord = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
  server = buildSupportServer(discord);
  db = await openTestDb('discordrec');
});

afterEach(async () => {
  discord.clearFailures();
  discord.storm = null;
});

afterAll(async () => {
  await stopBot();
  await db?.drop();
  await discord?.stop();
});

/** Start the bot (a fresh process, as far as Discord can tell) on the test database. */
async function startBot(): Promise<RunningApp> {
  assert.equal(app, null, 'one bot at a time');
  app = await startApp({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN, SCHEDULER_INTERVAL_MS: '100', ...server.env({ COMPANY_NAME: 'Acme' }) }),
    logger: process.env.TEST_LOG ? createLogger(process.env.TEST_LOG) : silentLogger(),
    database: { conn: db.conn, embedded: false, close: async () => {} },
  });
  return app;
}

async function stopBot(): Promise<void> {
  const running = app;
  app = null;
  await running?.stop();
}

function discordChannel(): DiscordChannel {
  assert.ok(app, 'the bot is running');
  return app.channels.get('discord') as DiscordChannel;
}

function survey(conversationId: string) {
  return readSurvey(db, { channel: 'discord', conversationId });
}

function surveys(conversationId: string) {
  return countSurveys(db, { channel: 'discord', conversationId });
}

function auditRequests(status?: number): number {
  return discord.requestsTo('GET', /\/audit-logs$/).filter((r) => status === undefined || r.status === status).length;
}

/** A support thread by a new customer, with a staff answer (forum post unless `parentId` says otherwise). */
function helpedThread(name: string, parentId: string = server.forum.id, helper: UserJson = server.agent) {
  const customer = server.customer(name);
  const thread = discord.openThread(parentId, customer.id, `${name} needs help`, 'Something is broken');
  discord.post(thread.id, helper.id, 'Fixed on our side, please try again');
  discord.post(thread.id, customer.id, 'Works now, thanks!');
  return { customer, thread };
}

/** Every dispatch so far received by the client and handled, so "nothing happened" is not checked too early. */
async function settled(): Promise<void> {
  const seq = discord.gateway.sequence;
  await eventually(async () => discord.gateway.acknowledged >= seq, WAIT, 'the client to receive every dispatch');
  await discordChannel().drain();
}

function snowflakeAt(ms: number): string {
  return (((BigInt(ms) - 1_420_070_400_000n) << 22n) | 9n).toString();
}

describe('discord: Discord failing while the bot checks who closed a thread', () => {
  test('a 502 on the audit-log look-up (past discord.js\'s own retries) is retried: one survey', async () => {
    if (!app) await startBot();
    const { customer, thread } = helpedThread('Bad Gateway Bo');
    const failedBefore = auditRequests(502);
    // discord.js tries a request 4 times on a 5xx before it gives up: these 6 outlast one call.
    discord.failNext('GET', /\/audit-logs$/, 6, 502);
    discord.changeThread(thread.id, { archived: true }, server.agent.id);

    const s = await eventually(() => survey(thread.id), WAIT, 'the survey');
    assert.equal(s.customer.id, customer.id);
    assert.equal(s.agent.id, server.agent.id);
    assert.equal(auditRequests(502), failedBefore + 6, 'every planned failure was met');
    await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the DM question');
    await settled();
    assert.equal(await surveys(thread.id), 1);
    assert.equal(discord.dmsTo(customer.id).length, 1);
  });

  test('a 5xx storm longer than the retries: the thread is kept and checked again once Discord is back', async () => {
    if (!app) await startBot();
    const { customer, thread } = helpedThread('Storm Stina');
    const failed = () => discord.requests.filter((r) => r.status === 503).length;
    const auditFailedBefore = auditRequests(503);
    const failedBefore = failed();
    discord.storm = { status: 503 };
    discord.changeThread(thread.id, { archived: true }, server.agent.id);
    // Past the in-line retries (discord.js tries each request 4 times, the bot a few times more, seconds apart).
    await eventually(async () => failed() >= failedBefore + 24, WAIT, 'Discord\'s REST API to fail for a while');
    assert.ok(auditRequests(503) >= auditFailedBefore + 16, 'the audit-log look-up was retried');
    assert.equal(await survey(thread.id), null);
    discord.storm = null;

    const s = await eventually(() => survey(thread.id), WAIT, 'the survey after the storm');
    assert.equal(s.agent.id, server.agent.id);
    await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the DM question');
    assert.equal(await surveys(thread.id), 1);
  });
});

describe('discord: resolutions the running bot never finished', () => {
  test('threads closed while the bot was down are found when it connects; a restart repeats nothing', async () => {
    if (!app) await startBot();
    const archived = helpedThread('Offline Olivia');
    const locked = helpedThread('Offline Lars', server.support.id, server.agent2);
    const tagged = helpedThread('Offline Tove');
    const idle = helpedThread('Idle Ivan');
    const byCustomer = helpedThread('Self Closing Sven');
    const longAgo = helpedThread('Long Ago Lena');
    const notCare = helpedThread('General Gita', server.general.id);
    await settled();
    await stopBot();

    discord.changeThread(archived.thread.id, { archived: true }, server.agent.id);
    discord.changeThread(locked.thread.id, { locked: true }, server.agent2.id);
    discord.changeThread(tagged.thread.id, { appliedTags: [server.resolvedTagId] }, server.agent.id);
    discord.changeThread(idle.thread.id, { archived: true }, null); // Discord archiving an idle thread: no audit entry
    discord.changeThread(byCustomer.thread.id, { archived: true }, byCustomer.customer.id);
    discord.changeThread(notCare.thread.id, { archived: true }, server.agent.id);
    // Archived by staff two days ago: outside the window the bot looks back over.
    discord.changeThread(longAgo.thread.id, { archived: true }, server.agent.id);
    const twoDaysAgo = Date.now() - 48 * 3_600_000;
    discord.world.channel(longAgo.thread.id).thread_metadata!.archive_timestamp = new Date(twoDaysAgo).toISOString();
    const entry = discord.world.guild(server.guildId).audit.at(-1)!;
    assert.equal(entry.target_id, longAgo.thread.id);
    entry.id = snowflakeAt(twoDaysAgo);

    const startedAt = Date.now();
    await startBot();
    for (const { thread, customer } of [archived, locked, tagged]) {
      const s = await eventually(() => survey(thread.id), WAIT, `the survey of ${thread.name}`);
      assert.equal(s.customer.id, customer.id);
      assert.ok(s.resolvedAt.getTime() <= startedAt, 'resolved when staff closed it, not when the bot found out');
      await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, `the DM question to ${customer.global_name}`);
    }
    assert.equal((await survey(locked.thread.id))?.agent.id, server.agent2.id);
    await settled();
    for (const t of [idle, byCustomer, longAgo, notCare]) {
      assert.equal(await survey(t.thread.id), null, `${t.thread.name}: not a resolution`);
    }

    // Another restart looks at the same threads again: nothing new.
    const requestsBefore = discord.requests.length;
    await stopBot();
    await startBot();
    await eventually(async () => discord.requests.slice(requestsBefore).some((r) => /\/threads\/archived\/public$/.test(r.path)), WAIT, 'the look-back after the restart');
    await discordChannel().lookBackIdle();
    await settled();
    for (const { thread, customer } of [archived, locked, tagged]) {
      assert.equal(await surveys(thread.id), 1);
      assert.equal(discord.dmsTo(customer.id).length, 1);
      // Remembered as checked (in the channel's shared state): not even read again.
      const readAgain = discord.requests.slice(requestsBefore).filter((r) => r.method === 'GET' && r.path === `/channels/${thread.id}/messages`);
      assert.equal(readAgain.length, 0, `${thread.name} was checked again`);
    }
    for (const t of [idle, byCustomer, longAgo, notCare]) assert.equal(await survey(t.thread.id), null);
  });

  test('the bot stopped after receiving the update but before storing the survey: surveyed after the restart', async () => {
    if (!app) await startBot();
    const { customer, thread } = helpedThread('Interrupted Ida');
    await settled();
    const failedBefore = auditRequests(502);
    discord.failNext('GET', /\/audit-logs$/, 10_000, 502);
    discord.changeThread(thread.id, { archived: true }, server.agent.id);
    await eventually(async () => auditRequests(502) > failedBefore, WAIT, 'the bot to be checking the thread');
    await stopBot();
    discord.clearFailures();
    assert.equal(await survey(thread.id), null);

    await startBot();
    const s = await eventually(() => survey(thread.id), WAIT, 'the survey after the restart');
    assert.equal(s.agent.id, server.agent.id);
    await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the DM question');
    await settled();
    assert.equal(await surveys(thread.id), 1);
    assert.equal(discord.dmsTo(customer.id).length, 1);
  });
});

describe('discord: /resolve registration', () => {
  test('Discord failing when the bot registers /resolve at start-up: retried in the background', async () => {
    await stopBot();
    discord.commands.delete(server.guildId);
    const failedBefore = discord.requestsTo('PUT', /\/commands$/).filter((r) => r.status === 503).length;
    discord.failNext('PUT', /\/commands$/, 6, 503);
    await startBot();
    const commands = await eventually(async () => discord.commands.get(server.guildId), WAIT, '/resolve to be registered');
    assert.deepEqual(commands.map((c) => c.name), ['resolve']);
    assert.equal(discord.requestsTo('PUT', /\/commands$/).filter((r) => r.status === 503).length, failedBefore + 6);

    // And it works: staff resolve a thread with it.
    const { thread } = helpedThread('Command Cajsa');
    const run = discord.runCommand(thread.id, server.agent.id, 'resolve');
    await eventually(async () => run.edited, WAIT, 'the reply');
    assert.match(String(run.edited?.content), /^Resolved\./);
    assert.equal(await surveys(thread.id), 1);
  });
});
