/**
 * Discord failing while the bot starts, through the real discord.js client and the fake
 * Discord: `GET /gateway/bot` answering 502 (past discord.js's own three quick retries)
 * and then 429 with Retry-After before it answers; the bot keeps trying, logs a warn
 * per try without the token, connects and asks a survey. A refused token (401) ends
 * start-up at once, after one request, with one line naming DISCORD_TOKEN.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { DiscordChannel, readDiscordSettings } from '../../../src/channels/discord/index.ts';
import { StartUpRefusedError, StartUpStoppedError } from '../../../src/channels/start-up-retry.ts';
import { MongoChannelStateStore } from '../../../src/shared-state/channel-state-store.ts';
import { Router } from 'express';
import { openTestDb } from '../../helpers/database.ts';
import { FakeDiscord } from '../../fakes/discord-fake.ts';
import { buildSupportServer, TEST_DISCORD_TOKEN, type SupportServer } from '../../fakes/discord-support-server.ts';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.ts';
import { recordingLogger, WARN } from '../../helpers/log-lines.ts';

const WAIT = 15_000;
const GATEWAY_BOT = /^\/gateway\/bot$/;
/** Short waits between tries: the behaviour is the same, the test is quick. */
const FAST = { firstDelayMs: 50, maxDelayMs: 200 };

let discord: FakeDiscord;
let server: SupportServer;
let app: TestApp | undefined;

beforeAll(async () => {
  discord = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
  server = buildSupportServer(discord);
});

afterAll(async () => {
  await app?.close();
  await discord?.stop();
});

function channelFor(env: Record<string, string>, logger: ReturnType<typeof recordingLogger>['logger']): DiscordChannel {
  return new DiscordChannel(readDiscordSettings(env)!, logger, { startUpBackoff: FAST });
}

describe('discord start-up while Discord fails', () => {
  test('502s, then a 429 with Retry-After, on GET /gateway/bot: the bot keeps trying, connects and asks', async () => {
    const log = recordingLogger();
    // discord.js repeats a 5xx three times at once; six 502s outlast its first try and part of the next.
    discord.failNext('GET', GATEWAY_BOT, 6, 502);
    discord.rateLimitNext('GET', GATEWAY_BOT, 1, 0.3);
    const env = server.env({ COMPANY_NAME: 'Acme', DISCORD_THREAD_FALLBACK: 'false' });
    app = await startTestApp({ label: 'discordstartup', env, channels: [channelFor(env, log.logger)] });

    const lookups = discord.requestsTo('GET', GATEWAY_BOT);
    assert.deepEqual(lookups.map((r) => r.status), [502, 502, 502, 502, 502, 502, 429, 200]);
    const limited = lookups[6]!;
    assert.ok(lookups[7]!.at - limited.at >= 250, 'the lookup after the 429 waited for Retry-After');

    const retries = log.lines.filter((l) => l.level === WARN && /^discord: connecting failed; trying again/.test(l.msg));
    assert.ok(retries.length >= 1, 'a warn for the failed try');
    assert.equal(retries[0]!.reason, 'HTTP 502');
    assert.doesNotMatch(log.text(), new RegExp(TEST_DISCORD_TOKEN.slice(0, 20)), 'the token is never logged');

    // Connected for real: a resolved thread gets its survey by DM.
    const customer = server.customer('Stella Startup');
    const thread = discord.openThread(server.forum.id, customer.id, 'Login', 'I cannot log in');
    discord.post(thread.id, server.agent.id, 'Fixed it');
    discord.runCommand(thread.id, server.agent.id, 'resolve');
    const question = await eventually(async () => discord.dmsTo(customer.id)[0], WAIT, 'the survey question by DM');
    assert.match(question.content, /Acme/);
  }, 60_000);

  test('a refused token (401 on GET /gateway/bot): start-up fails at once, one request, naming DISCORD_TOKEN', async () => {
    const log = recordingLogger();
    const before = discord.requestsTo('GET', GATEWAY_BOT).length;
    const env = server.env({ DISCORD_TOKEN: `${TEST_DISCORD_TOKEN}-revoked`, DISCORD_THREAD_FALLBACK: 'false' });
    await assert.rejects(
      startTestApp({ label: 'discordbadtoken', env, channels: [channelFor(env, log.logger)] }),
      (err: Error) => err instanceof StartUpRefusedError && /^DISCORD_TOKEN: Discord refused the token \(401 Unauthorized\)/.test(err.message),
    );
    const tries = discord.requestsTo('GET', GATEWAY_BOT).slice(before);
    assert.deepEqual(tries.map((r) => r.status), [401], 'no retry of a refused token');
    assert.equal(log.lines.filter((l) => l.level === WARN && /trying again/.test(l.msg)).length, 0);
  }, 60_000);

  test('the gateway closes the connection right after IDENTIFY (4000): discord.js identifies again (after its 5 s identify spacing) and start-up completes', async () => {
    const other = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
    const otherServer = buildSupportServer(other);
    other.gateway.closeOnIdentify.push(4000);
    const env = otherServer.env({ DISCORD_THREAD_FALLBACK: 'false' });
    const log = recordingLogger();
    let started: TestApp | undefined;
    try {
      started = await startTestApp({ label: 'discordidentify', env, channels: [channelFor(env, log.logger)] });
      assert.equal(other.gateway.identifies, 2, 'a closed IDENTIFY, then READY');
      assert.ok(other.gateway.connected);
      assert.deepEqual(other.requestsTo('GET', GATEWAY_BOT).map((r) => r.status), [200], 'one login: the reconnects are discord.js\'s own');
    } finally {
      await started?.close();
      await other.stop();
    }
  }, 60_000);

  test('READY does not come in time: that client is destroyed and a fresh one logs in again', async () => {
    const other = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
    const otherServer = buildSupportServer(other);
    // discord.js would identify again only after 5 s; the try gives up on READY before that.
    other.gateway.closeOnIdentify.push(4000);
    const env = otherServer.env({ DISCORD_THREAD_FALLBACK: 'false' });
    const log = recordingLogger();
    const channel = new DiscordChannel(readDiscordSettings(env)!, log.logger, { startUpBackoff: FAST, readyTimeoutMs: 1_500 });
    let started: TestApp | undefined;
    try {
      started = await startTestApp({ label: 'discordready', env, channels: [channel] });
      assert.ok(other.gateway.connected);
      assert.ok(other.requestsTo('GET', GATEWAY_BOT).length >= 2, 'a second login');
      const retries = log.lines.filter((l) => l.level === WARN && /^discord: connecting failed; trying again/.test(l.msg));
      assert.match(String(retries[0]?.reason), /did not become ready/);
    } finally {
      await started?.close();
      await other.stop();
    }
  }, 60_000);

  test('stopped while Discord keeps failing: start() ends with StartUpStoppedError and no client is left', async () => {
    const other = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
    const otherServer = buildSupportServer(other);
    other.failNext('GET', GATEWAY_BOT, 10_000, 503);
    const db = await openTestDb('discordstop');
    const log = recordingLogger();
    const channel = channelFor(otherServer.env({ DISCORD_THREAD_FALLBACK: 'false' }), log.logger);
    const sink = { resolved: () => Promise.reject(new Error('unused')), message: () => Promise.reject(new Error('unused')) };
    try {
      const starting = channel.start({ sink, logger: log.logger, http: Router(), state: new MongoChannelStateStore(db.conn, 'discord') });
      starting.catch(() => undefined);
      await eventually(async () => log.lines.filter((l) => l.level === WARN && /trying again/.test(l.msg)).length >= 2, WAIT, 'two failed tries');
      await channel.stop();
      // The loop has ended (it settles only by leaving): no try comes after this.
      await assert.rejects(starting, StartUpStoppedError);
      await assert.rejects(channel.send({ surveyId: 's', conversationId: 'c', customerId: otherServer.agent.id, locale: 'en' }, { kind: 'question', text: 'hi', choices: [] }), /not connected/);
    } finally {
      await db.drop();
      await other.stop();
    }
  }, 60_000);
});
