/**
 * Slack failing while the bot starts, through the real Bolt app and Web API client and
 * the fake Slack: `auth.test` answering 502 (past the client's own two quick retries)
 * and then 429 with Retry-After, and `apps.connections.open` answering 502 (which
 * Bolt's Socket Mode client gives up on at once); the bot keeps trying, logs a warn
 * per try without the token, connects and asks a survey. A refused token ends
 * start-up at once with one line naming the setting.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { SlackChannel } from '../../../src/channels/slack/slack-channel.ts';
import { readSlackSettings } from '../../../src/channels/slack/slack-settings.ts';
import { StartUpRefusedError } from '../../../src/channels/start-up-retry.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlack } from '../../fakes/slack-web-api.ts';
import { reactionAdded } from '../../fakes/slack-events.ts';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.ts';
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
  test('auth.test 502s then a 429, apps.connections.open 502s: the bot keeps trying, connects over Socket Mode and asks', async () => {
    const log = recordingLogger();
    fake.failures.set('auth.test', [502, 502, 502, 502, 502]);
    fake.rateLimits.set('auth.test', [1]);
    fake.failures.set('apps.connections.open', [502, 502, 502, 502]);
    app = await startTestApp({ label: 'slackstartup', env: env(), channels: [channelFor(env(), log.logger)] });

    const checks = fake.callsTo('auth.test');
    assert.deepEqual(checks.map((c) => c.status), [502, 502, 502, 502, 502, 429, 200]);
    assert.ok(checks[6]!.at - checks[5]!.at >= 900, 'auth.test after the 429 waited for Retry-After (1 s)');
    assert.deepEqual(fake.callsTo('apps.connections.open').map((c) => c.status), [502, 502, 502, 502, 200]);
    assert.ok(fake.socketConnected, 'Socket Mode is connected');

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
