/**
 * Discord failing while the bot starts, through the real discord.js client and the fake
 * Discord: `GET /gateway/bot` answering 502 (past discord.js's own three quick retries)
 * and then 429 with Retry-After before it answers. Start-up does not wait for Discord:
 * the HTTP server opens and the other channels work while the adapter keeps trying in
 * the background, logs a warn per try without the token, connects and asks a survey
 * resolved meanwhile (its waits not counted as failed attempts). A refused token (401)
 * still ends start-up at once, after one request, with one line naming DISCORD_TOKEN.
 */
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { DiscordChannel, readDiscordSettings } from '../../../src/channels/discord/index.ts';
import { StartUpRefusedError } from '../../../src/channels/start-up-retry.ts';
import { WebhookChannel } from '../../../src/channels/webhook-channel.ts';
import { TransientSendError } from '../../../src/conversation/channel-contract/send-errors.ts';
import { MongoChannelStateStore } from '../../../src/shared-state/channel-state-store.ts';
import { Router } from 'express';
import { openTestDb } from '../../helpers/database.ts';
import { FakeDiscord } from '../../fakes/discord-fake.ts';
import { buildSupportServer, TEST_DISCORD_TOKEN, type SupportServer } from '../../fakes/discord-support-server.ts';
import { WebhookReceiver } from '../../fakes/webhook-receiver.ts';
import { authHeaders, eventually, startTestApp, type TestApp } from '../../helpers/app.ts';
import { readSurvey } from '../../helpers/surveys.ts';
import { recordingLogger, WARN } from '../../helpers/log-lines.ts';

const WAIT = 15_000;
const GATEWAY_BOT = /^\/gateway\/bot$/;
/** Short waits between tries: the behaviour is the same, the test is quick. */
const FAST = { firstDelayMs: 50, maxDelayMs: 200 };
const HOOK_SECRET = 'webhook-secret-0123456789abcdef';

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

/** What a test started beside the shared Discord, undone after it, last first (its app, then its own Discord). */
const undo: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of undo.splice(0).reverse()) await step();
});

/** A Discord of the test's own, to make fail without touching the shared one; stopped after the test. */
async function ownDiscord(): Promise<{ other: FakeDiscord; otherServer: SupportServer }> {
  const other = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
  undo.push(() => other.stop());
  return { other, otherServer: buildSupportServer(other) };
}

/** An app started for one test, closed after it (before the test's own Discord stops). */
async function startOwnApp(opts: Parameters<typeof startTestApp>[0]): Promise<TestApp> {
  const started = await startTestApp(opts);
  undo.push(() => started.close());
  return started;
}

function channelFor(env: Record<string, string>, logger: ReturnType<typeof recordingLogger>['logger']): DiscordChannel {
  return new DiscordChannel(readDiscordSettings(env)!, logger, { startUpBackoff: FAST });
}

describe('discord start-up while Discord fails', () => {
  test('502s, then a 429 with Retry-After, on GET /gateway/bot: start-up goes on, the bot keeps trying in the background, connects and asks', async () => {
    const log = recordingLogger();
    // discord.js repeats a 5xx three times at once; six 502s outlast its first try and part of the next.
    discord.failNext('GET', GATEWAY_BOT, 6, 502);
    discord.rateLimitNext('GET', GATEWAY_BOT, 1, 0.3);
    const env = server.env({ COMPANY_NAME: 'Acme', DISCORD_THREAD_FALLBACK: 'false' });
    app = await startTestApp({ label: 'discordstartup', env, channels: [channelFor(env, log.logger)] });
    assert.ok(log.lines.some((l) => l.level === WARN && /^discord: not connected yet; the bot starts without it/.test(l.msg)), 'start-up went on without Discord');

    // Connected, /resolve registered and the look-back started: then the adapter says so.
    await eventually(async () => log.lines.some((l) => l.msg === 'discord: connected (in the background)'), WAIT, 'connected in the background');
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

  test('Discord down at start (the gateway lookup 502s): the HTTP server answers, another channel asks, and a Discord survey resolved meanwhile is asked once Discord is back', async () => {
    const { other, otherServer } = await ownDiscord();
    other.failNext('GET', GATEWAY_BOT, 100_000, 502);
    const hook = await new WebhookReceiver(HOOK_SECRET).start();
    undo.push(() => hook.stop());
    const env = otherServer.env({ COMPANY_NAME: 'Acme', DISCORD_THREAD_FALLBACK: 'false' });
    const log = recordingLogger();
    const discordChannel = channelFor(env, log.logger);
    const webhook = new WebhookChannel({ outboundUrl: hook.url, secret: HOOK_SECRET, ratePerSecond: 50 });
    // Discord first: before, start-up never got past it while Discord failed.
    const started = await startOwnApp({ label: 'discorddown', env, channels: [discordChannel, webhook] });
    assert.equal((await fetch(`${started.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${started.url}/readyz`)).status, 200, 'ready: the process serves every other channel');
    assert.ok(!other.gateway.connected, 'Discord is still down');
    assert.match(await scrape(started), /^nps_channel_connecting\{channel="discord"\} 1$/m, 'the metric says Discord is still connecting');
    assert.match(await scrape(started), /^nps_channel_connecting\{channel="webhook"\} 0$/m);

    // Another channel works meanwhile.
    assert.equal((await resolveVia(started, 'webhook', 'hook-1', 'cust-hook-1')).status, 202);
    await eventually(async () => hook.forCustomer('cust-hook-1')[0], WAIT, 'the webhook question');

    // A Discord survey resolved meanwhile waits, told when to come back: no failed attempt counted.
    const customer = otherServer.customer('Dana Down');
    const res = await resolveVia(started, 'discord', 'discord-down-1', customer.id);
    assert.equal(res.status, 202, await res.clone().text());
    const { surveyId } = await res.json() as { surveyId: string };
    const waiting = await eventually(async () => {
      const s = await readSurvey(started, { _id: surveyId });
      return s && /not connected/.test(s.lastError ?? '') ? s : undefined;
    }, WAIT, 'the survey put back while Discord is not connected');
    assert.notEqual(waiting.state, 'failed');
    assert.equal(waiting.attempts ?? 0, 0, 'waiting for the connection is not a failed attempt');
    const send = discordChannel.send({ surveyId: 's', conversationId: 'c', customerId: customer.id, locale: 'en' }, { kind: 'question', text: 'hi', choices: [] });
    await assert.rejects(send, (err: unknown) => err instanceof TransientSendError && (err.retryAfterMs ?? 0) > 0 && /not connected/.test(err.message));

    // Discord comes back: the adapter connects in the background and the survey is asked.
    other.clearFailures();
    const question = await eventually(async () => other.dmsTo(customer.id)[0], WAIT, 'the survey question by DM once Discord is back');
    assert.match(question.content, /Acme/);
    const asked = await eventually(async () => {
      const s = await readSurvey(started, { _id: surveyId });
      return s?.state === 'asked' ? s : undefined;
    }, WAIT, 'the survey asked');
    assert.equal(asked.attempts ?? 0, 0);
    assert.equal(other.dmsTo(customer.id).length, 1, 'asked once');
    assert.ok(log.lines.some((l) => /^discord: connected \(in the background\)/.test(l.msg)));
    assert.match(await scrape(started), /^nps_channel_connecting\{channel="discord"\} 0$/m);
  }, 90_000);

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
    const { other, otherServer } = await ownDiscord();
    other.gateway.closeOnIdentify.push(4000);
    const env = otherServer.env({ DISCORD_THREAD_FALLBACK: 'false' });
    const log = recordingLogger();
    const started = await startOwnApp({ label: 'discordidentify', env, channels: [channelFor(env, log.logger)] });
    assert.equal(other.gateway.identifies, 2, 'a closed IDENTIFY, then READY');
    assert.ok(other.gateway.connected);
    assert.deepEqual(other.requestsTo('GET', GATEWAY_BOT).map((r) => r.status), [200], 'one login: the reconnects are discord.js\'s own');
  }, 60_000);

  test('the first try does not answer in time (READY held back by a closed IDENTIFY): start-up goes on without waiting for it, and the try connects in the background', async () => {
    const { other, otherServer } = await ownDiscord();
    // discord.js identifies again only after 5 s: the first try takes that long to become READY.
    other.gateway.closeOnIdentify.push(4000);
    const env = otherServer.env({ DISCORD_THREAD_FALLBACK: 'false' });
    const log = recordingLogger();
    const channel = new DiscordChannel(readDiscordSettings(env)!, log.logger, { startUpBackoff: FAST, startUpForegroundMs: 300 });
    const started = await startOwnApp({ label: 'discordslow', env, channels: [channel] });
    // Said when start-up went on (before start() returned), and before READY came.
    const wentOn = log.lines.findIndex((l) => l.level === WARN && /^discord: not connected yet/.test(l.msg) && /no answer within/.test(String(l.why)));
    assert.ok(wentOn >= 0, 'start-up went on without waiting for the first try');
    await eventually(async () => log.lines.some((l) => l.msg === 'discord: connected (in the background)'), WAIT, 'connected in the background');
    assert.ok(wentOn < log.lines.findIndex((l) => l.msg === 'discord: connected (in the background)'));
    assert.equal(other.gateway.identifies, 2);
    assert.deepEqual(other.requestsTo('GET', GATEWAY_BOT).map((r) => r.status), [200], 'the same try, not a new login');
    assert.equal(channel.connecting(), false);
  }, 60_000);

  test('READY does not come in time: that client is destroyed and a fresh one logs in again', async () => {
    const { other, otherServer } = await ownDiscord();
    // discord.js would identify again only after 5 s; the try gives up on READY before that.
    other.gateway.closeOnIdentify.push(4000);
    const env = otherServer.env({ DISCORD_THREAD_FALLBACK: 'false' });
    const log = recordingLogger();
    const channel = new DiscordChannel(readDiscordSettings(env)!, log.logger, { startUpBackoff: FAST, readyTimeoutMs: 1_500 });
    const started = await startOwnApp({ label: 'discordready', env, channels: [channel] });
    await eventually(async () => other.gateway.connected, WAIT, 'connected by a second login');
    assert.ok(other.requestsTo('GET', GATEWAY_BOT).length >= 2, 'a second login');
    const retries = log.lines.filter((l) => l.level === WARN && /^discord: connecting failed; trying again/.test(l.msg));
    assert.match(String(retries[0]?.reason), /did not become ready/);
  }, 60_000);

  test('stopped while Discord keeps failing: stop() ends the background tries before it returns, and sends are told to wait', async () => {
    const { other, otherServer } = await ownDiscord();
    other.failNext('GET', GATEWAY_BOT, 10_000, 503);
    const db = await openTestDb('discordstop');
    undo.push(() => db.drop());
    const log = recordingLogger();
    const channel = channelFor(otherServer.env({ DISCORD_THREAD_FALLBACK: 'false' }), log.logger);
    const sink = { resolved: () => Promise.reject(new Error('unused')), message: () => Promise.reject(new Error('unused')) };
    const question = () => channel.send({ surveyId: 's', conversationId: 'c', customerId: otherServer.agent.id, locale: 'en' }, { kind: 'question', text: 'hi', choices: [] });
    // The first try failed in a way that passes: start() returns, the tries go on.
    await channel.start({ sink, logger: log.logger, http: Router(), state: new MongoChannelStateStore(db.conn, 'discord') });
    await eventually(async () => log.lines.filter((l) => l.level === WARN && /trying again/.test(l.msg)).length >= 2, WAIT, 'two failed tries');
    await assert.rejects(question(), (err: unknown) => err instanceof TransientSendError && (err.retryAfterMs ?? 0) > 0);
    await channel.stop();
    // The loop has ended (it logs this only by leaving): no try comes after this.
    assert.ok(log.lines.some((l) => /^discord: stopped while connecting/.test(l.msg)), 'the background tries ended within stop()');
    await assert.rejects(question(), (err: unknown) => err instanceof TransientSendError && /not connected/.test(err.message));
  }, 60_000);
});

async function scrape(app: TestApp): Promise<string> {
  const res = await fetch(`${app.url}/metrics`, { headers: authHeaders() });
  assert.equal(res.status, 200);
  return res.text();
}

function resolveVia(app: TestApp, channel: string, conversationId: string, customerId: string): Promise<Response> {
  return fetch(`${app.url}/api/resolutions`, {
    method: 'POST', headers: authHeaders(), body: JSON.stringify({ channel, conversationId, customer: { id: customerId }, agent: { id: 'agent-1', name: 'Sam' } }),
  });
}
