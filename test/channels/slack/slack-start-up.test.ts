/**
 * Slack failing while the bot starts, through the real Bolt app and Web API client and
 * the fake Slack: `auth.test` answering 502 (past the client's own two quick retries)
 * and then 429 with Retry-After, and `apps.connections.open` answering 502 (which
 * Bolt's Socket Mode client gives up on at once). Start-up does not wait for Slack: the
 * HTTP server opens while the adapter keeps trying in the background, logs a warn per
 * try without the token, connects and asks a survey; Events API deliveries before it
 * connected are answered 503 (Slack delivers them again), and a survey resolved
 * meanwhile is asked once Slack is back. A score button pressed before it connected (Slack
 * never delivers an interaction again) is taken: stored, answered 200, its follow-up sent
 * once Slack is back. A refused token still ends start-up at once
 * with one line naming the setting.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { SlackChannel } from '../../../src/channels/slack/slack-channel.ts';
import { readSlackSettings } from '../../../src/channels/slack/slack-settings.ts';
import { StartUpRefusedError } from '../../../src/channels/start-up-retry.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlack } from '../../fakes/slack-web-api.ts';
import { buttonPress, deliver, messageShortcut, reactionAdded, SIGNING_SECRET } from '../../fakes/slack-events.ts';
import { authHeaders, eventually, startTestApp, TEST_API_TOKEN, type TestApp } from '../../helpers/app.ts';
import { startApp, type RunningApp } from '../../../src/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import type { FakeMessage } from '../../fakes/slack-web-api.ts';
import { readSurvey } from '../../helpers/surveys.ts';
import { TransientSendError } from '../../../src/conversation/channel-contract/send-errors.ts';
import { MongoChannelStateStore } from '../../../src/shared-state/channel-state-store.ts';
import { Router } from 'express';
import { openTestDb } from '../../helpers/database.ts';
import { recordingLogger, WARN } from '../../helpers/log-lines.ts';

const CARE = 'CCARESTRT';
const AGENT = 'UAGENTSTR';
/** Short waits between tries: the behaviour is the same, the test is quick. */
const FAST = { firstDelayMs: 50, maxDelayMs: 200 };

let fake: FakeSlack;
let app: TestApp | undefined;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  fake.addUser({ id: AGENT, real_name: 'Sam Agent' });
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl, SLACK_CARE_CHANNELS: CARE, SLACK_STAFF_IDS: AGENT, ...extra };
}

function channelFor(vars: Record<string, string>, logger: ReturnType<typeof recordingLogger>['logger']): SlackChannel {
  return new SlackChannel(readSlackSettings(vars)!, logger, { startUpBackoff: FAST });
}

describe('slack start-up while Slack fails', () => {
  test('auth.test 502s then a 429, apps.connections.open 502s: start-up goes on, the bot keeps trying in the background, connects over Socket Mode and asks', async () => {
    const log = recordingLogger();
    fake.failures.set('auth.test', [502, 502, 502, 502, 502]);
    fake.rateLimits.set('auth.test', [1]);
    fake.failures.set('apps.connections.open', [502, 502, 502, 502]);
    app = await startTestApp({ label: 'slackstartup', env: env(), channels: [channelFor(env(), log.logger)] });
    assert.ok(log.lines.some((l) => l.level === WARN && /^slack: not connected yet; the bot starts without it/.test(l.msg)), 'start-up went on without Slack');

    await eventually(async () => fake.socketConnected && log.lines.some((l) => l.msg === 'slack: connected (in the background)'), 20_000, 'connected in the background');
    const checks = fake.callsTo('auth.test');
    assert.deepEqual(checks.map((c) => c.status), [502, 502, 502, 502, 502, 429, 200]);
    assert.ok(checks[6]!.at - checks[5]!.at >= 900, 'auth.test after the 429 waited for Retry-After (1 s)');
    assert.deepEqual(fake.callsTo('apps.connections.open').map((c) => c.status), [502, 502, 502, 502, 200]);

    const warns = log.lines.filter((l) => l.level === WARN && /failed; trying again$/.test(l.msg));
    assert.deepEqual([...new Set(warns.map((l) => `${l.msg} ${String(l.reason)}`))], [
      'slack: auth.test failed; trying again HTTP 502',
      'slack: auth.test failed; trying again ratelimited',
      'slack: opening Socket Mode failed; trying again HTTP 502',
    ]);
    assert.doesNotMatch(log.text(), /xoxb-|xapp-/, 'no token is logged');

    // Connected for real: a resolved thread gets its survey by DM.
    const customer = 'USTRTCUS1';
    fake.addUser({ id: customer, real_name: 'Stella Startup' });
    const root = fake.say(CARE, customer, 'Help');
    await fake.socketSend('events_api', reactionAdded(AGENT, 'white_check_mark', CARE, root, customer).payload);
    await eventually(async () => fake.botMessages(fake.dmChannelOf(customer))[0], 10_000, 'the question by DM');
  }, 60_000);

  test('Slack down at start (auth.test 503s, Events API over HTTP): the HTTP server answers, events are answered 503 until Slack is back, and a survey resolved meanwhile is asked then', async () => {
    const other = await new FakeSlack().start();
    other.addUser({ id: AGENT, real_name: 'Sam Agent' });
    other.failures.set('auth.test', Array.from({ length: 100_000 }, () => 503));
    const vars = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: other.apiUrl, SLACK_CARE_CHANNELS: CARE, SLACK_STAFF_IDS: AGENT, COMPANY_NAME: 'Acme' };
    const log = recordingLogger();
    const channel = channelFor(vars, log.logger);
    let started: TestApp | undefined;
    try {
      started = await startTestApp({ label: 'slackdown', env: vars, channels: [channel] });
      assert.equal((await fetch(`${started.url}/healthz`)).status, 200);

      // An event before auth.test succeeded: 503, so Slack delivers it again (not a 404, not dropped).
      const customer = 'UDOWNCUS1';
      other.addUser({ id: customer, real_name: 'Dana Down' });
      const root = other.say(CARE, customer, 'Help');
      const early = reactionAdded(AGENT, 'white_check_mark', CARE, root, customer);
      assert.equal((await deliver(started.url, early)).status, 503);

      // A survey resolved meanwhile waits, told when to come back: no failed attempt counted.
      const asker = 'UDOWNCUS2';
      other.addUser({ id: asker, real_name: 'Ash Api' });
      const res = await fetch(`${started.url}/api/resolutions`, {
        method: 'POST', headers: authHeaders(), body: JSON.stringify({ channel: 'slack', conversationId: 'slack-down-1', customer: { id: asker }, agent: { id: AGENT, name: 'Sam' } }),
      });
      assert.equal(res.status, 202, await res.clone().text());
      const { surveyId } = await res.json() as { surveyId: string };
      const waiting = await eventually(async () => {
        const s = await readSurvey(started!, { _id: surveyId });
        return s && /not connected/.test(s.lastError ?? '') ? s : undefined;
      }, 20_000, 'the survey put back while Slack is not connected');
      assert.notEqual(waiting.state, 'failed');
      assert.equal(waiting.attempts ?? 0, 0, 'waiting for the connection is not a failed attempt');
      await assert.rejects(channel.post(CARE, { text: 'hello' }), (err: unknown) => err instanceof TransientSendError && (err.retryAfterMs ?? 0) > 0);
      assert.equal(other.callsTo('chat.postMessage').length, 0, 'nothing sent before auth.test answered');

      // Slack comes back: auth.test answers in the background, the redelivered event is taken, the survey asked.
      other.failures.delete('auth.test');
      await eventually(async () => (await deliver(started!.url, early, { retryNum: 1 })).status === 200, 20_000, 'the redelivered event taken once Slack is back');
      await eventually(async () => other.botMessages(other.dmChannelOf(customer))[0], 20_000, 'the question for the redelivered resolution');
      await eventually(async () => other.botMessages(other.dmChannelOf(asker))[0], 20_000, 'the question for the survey resolved meanwhile');
      const asked = await eventually(async () => {
        const s = await readSurvey(started!, { _id: surveyId });
        return s?.state === 'asked' ? s : undefined;
      }, 20_000, 'the survey asked');
      assert.equal(asked.attempts ?? 0, 0);
      assert.equal(other.botMessages(other.dmChannelOf(asker)).length, 1, 'asked once');
    } finally {
      await started?.close();
      await other.close();
    }
  }, 90_000);

  test('a score pressed while Slack is down at our start-up (HTTP): answered 200 and stored; the follow-up goes once auth.test answers, once; a shortcut meanwhile is 503', async () => {
    const other = await new FakeSlack().start();
    other.addUser({ id: AGENT, real_name: 'Sam Agent' });
    const db = await openTestDb('slackpressdown');
    const vars = {
      PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN, SCHEDULER_INTERVAL_MS: '100', COMPANY_NAME: 'Acme',
      SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: other.apiUrl, SLACK_CARE_CHANNELS: CARE, SLACK_STAFF_IDS: AGENT,
    };
    // Two runs of the bot on one database: the question asked by the first, the press taken by the second.
    const run = (): Promise<RunningApp> => startApp({
      config: loadConfig(vars), logger: silentLogger(), channels: [channelFor(vars, silentLogger())],
      database: { conn: db.conn, embedded: false, close: async () => {} },
    });
    let first: RunningApp | undefined;
    let second: RunningApp | undefined;
    try {
      first = await run();
      const customer = 'UPRESSCU1';
      other.addUser({ id: customer, real_name: 'Pat Press' });
      const root = other.say(CARE, customer, 'Help');
      assert.equal((await deliver(first.url, reactionAdded(AGENT, 'white_check_mark', CARE, root, customer))).status, 200);
      const dm = other.dmChannelOf(customer);
      const question = await eventually(async () => other.botMessages(dm)[0], 20_000, 'the question by DM') as FakeMessage & { ts: string };
      const conversationId = `${CARE}:${root}`;
      await eventually(async () => (await readSurvey(first!, { conversationId }))?.state === 'asked', 20_000, 'asked');
      await first.stop();
      first = undefined;

      // The bot restarts while Slack's Web API is down; the customer presses 9 on the question.
      other.failures.set('auth.test', Array.from({ length: 100_000 }, () => 503));
      const postsBefore = other.callsTo('chat.postMessage').length;
      second = await run();
      assert.equal(second.channels.get('slack')!.connecting?.(), true);
      const actions = (question.blocks ?? []).find((b) => (b as { type?: string }).type === 'actions') as { elements: Array<{ action_id: string; value: string }> };
      const nine = actions.elements[9]!;
      const press = await deliver(second.url, buttonPress({ user: customer, channel: dm, message: question, actionId: nine.action_id, value: nine.value }));
      assert.equal(press.status, 200, 'acknowledged: Slack would not deliver it again');
      const scored = await readSurvey(second, { conversationId });
      assert.equal(scored?.state, 'scored', 'stored before the acknowledgement');
      assert.equal(scored?.score, 9);
      // The follow-up is owed and waits for the connection (told when to come back).
      await eventually(async () => {
        const s = await readSurvey(second!, { conversationId });
        return s?.owed && /not connected/.test(s.lastError ?? '') ? s : undefined;
      }, 20_000, 'the follow-up waiting for the connection');
      assert.equal(other.callsTo('chat.postMessage').length, postsBefore, 'nothing posted before auth.test answered');
      // A shortcut needs the thread from Slack: refused, so Slack tells the agent it failed.
      assert.equal((await deliver(second.url, messageShortcut({ user: AGENT, channel: CARE, ts: root, author: customer }))).status, 503);

      other.failures.delete('auth.test');
      const followup = await eventually(async () => other.botMessages(dm)[1], 20_000, 'the follow-up once Slack is back');
      assert.match(followup.text ?? '', /main reason/);
      await eventually(async () => (await readSurvey(second!, { conversationId }))?.owed === undefined, 20_000, 'the follow-up settled');
      assert.equal(other.botMessages(dm).length, 2, 'the follow-up went once');
      assert.equal(other.callsTo('chat.postMessage').length, postsBefore + 1);
      assert.equal((await readSurvey(second, { conversationId }))?.score, 9);
    } finally {
      await first?.stop();
      await second?.stop();
      await db.drop();
      await other.close();
    }
  }, 90_000);

  test('stopped while Slack keeps failing: stop() ends the background tries before it returns, and sends are told to wait', async () => {
    const other = await new FakeSlack().start();
    other.failures.set('auth.test', Array.from({ length: 100_000 }, () => 502));
    const db = await openTestDb('slackstop');
    const log = recordingLogger();
    const channel = channelFor({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: other.apiUrl, SLACK_CARE_CHANNELS: CARE }, log.logger);
    const sink = { resolved: () => Promise.reject(new Error('unused')), message: () => Promise.reject(new Error('unused')) };
    try {
      // The first try failed in a way that passes: start() returns, the tries go on.
      await channel.start({ sink, logger: log.logger, http: Router(), state: new MongoChannelStateStore(db.conn, 'slack') });
      await eventually(async () => log.lines.filter((l) => l.level === WARN && /^slack: auth.test failed; trying again/.test(l.msg)).length >= 2, 20_000, 'two failed tries');
      assert.equal(channel.connecting(), true);
      await channel.stop();
      // The loop has ended (it logs this only by leaving): no try comes after this.
      assert.ok(log.lines.some((l) => /^slack: stopped while connecting/.test(l.msg)), 'the background tries ended within stop()');
      assert.equal(channel.connecting(), false);
      await assert.rejects(channel.post(CARE, { text: 'hello' }), (err: unknown) => err instanceof TransientSendError && /not connected/.test(err.message));
    } finally {
      await db.drop();
      await other.close();
    }
  }, 60_000);

  test('a refused app token (invalid_auth from apps.connections.open): start-up fails at once, one call, naming SLACK_APP_TOKEN', async () => {
    const log = recordingLogger();
    const before = fake.callsTo('apps.connections.open').length;
    const vars = env({ SLACK_APP_TOKEN: 'xapp-revoked-0000' });
    await assert.rejects(
      startTestApp({ label: 'slackbadapp', env: vars, channels: [channelFor(vars, log.logger)] }),
      (err: Error) => err instanceof StartUpRefusedError && /^SLACK_APP_TOKEN: Slack refused the token \(invalid_auth\)/.test(err.message) && !err.message.includes('xapp-revoked'),
    );
    assert.equal(fake.callsTo('apps.connections.open').length - before, 1, 'no retry of a refused token');
    assert.equal(log.lines.filter((l) => l.level === WARN && /trying again/.test(l.msg)).length, 0);
  }, 60_000);
});
