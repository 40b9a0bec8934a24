/**
 * The Slack channel's small pure parts, by tables of cases: settings (each bad value
 * names its variable and never echoes a secret), the button value, the agent rule,
 * how Slack's errors map to retry-or-not, and the thread address.
 */
import { readFileSync } from 'node:fs';
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { webApi } from '@slack/bolt';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../../src/env-readers.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { PermanentSendError, TransientSendError } from '../../../src/conversation/channel-contract/send-errors.ts';
import { fromConfig } from '../../../src/channels/slack/index.ts';
import { readSlackSettings } from '../../../src/channels/slack/slack-settings.ts';
import { decodeButtonValue, encodeButtonValue, escapeText, questionBlocks } from '../../../src/channels/slack/slack-blocks.ts';
import { mostReplies } from '../../../src/channels/slack/slack-resolution.ts';
import { isDmRefusal, toSendError } from '../../../src/channels/slack/slack-errors.ts';
import { readAddress, threadOf } from '../../../src/channels/slack/slack-address.ts';

const BASE = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-123456' };

describe('slack settings', () => {
  test('off without SLACK_BOT_TOKEN; fromConfig returns null', () => {
    assert.equal(readSlackSettings({}), null);
    assert.equal(fromConfig(loadConfig({}), silentLogger()), null);
  });

  test('defaults', () => {
    const s = readSlackSettings(BASE)!;
    assert.equal(s.resolveEmoji, 'white_check_mark');
    assert.equal(s.agentRule, 'resolver');
    assert.equal(s.threadFallback, true);
    assert.equal(s.ratePerSecond, 1);
    assert.equal(s.shortcutCallbackId, 'mark_resolved');
    assert.equal(s.careChannels.size, 0);
    assert.equal(s.apiUrl, undefined);
  });

  test('values are read and normalised', () => {
    const s = readSlackSettings({
      ...BASE, SLACK_CARE_CHANNELS: ' C0001, G0002 ,', SLACK_STAFF_IDS: 'U0001,W0002', SLACK_THREAD_FALLBACK: 'off',
      SLACK_AGENT_RULE: 'most-replies', SLACK_RESOLVE_EMOJI: 'heavy_check_mark', SLACK_API_URL: 'http://127.0.0.1:9/api', SLACK_RATE_PER_SECOND: '3',
    })!;
    assert.deepEqual([...s.careChannels], ['C0001', 'G0002']);
    assert.deepEqual([...s.staffIds], ['U0001', 'W0002']);
    assert.equal(s.threadFallback, false);
    assert.equal(s.agentRule, 'most-replies');
    assert.equal(s.apiUrl, 'http://127.0.0.1:9/api/');
    assert.equal(s.ratePerSecond, 3);
  });

  test('Socket Mode needs no signing secret; HTTP mode does', () => {
    assert.ok(readSlackSettings({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A1-2' }));
    assert.throws(() => readSlackSettings({ SLACK_BOT_TOKEN: 'xoxb-1' }), (e: unknown) => e instanceof ConfigError && /^SLACK_SIGNING_SECRET: required/.test(e.message));
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ SLACK_BOT_TOKEN: 'xoxp-user-token' }, /^SLACK_BOT_TOKEN: expected a bot token/],
    [{ ...BASE, SLACK_APP_TOKEN: 'xoxb-nope' }, /^SLACK_APP_TOKEN: /],
    [{ ...BASE, SLACK_CARE_CHANNELS: 'general' }, /^SLACK_CARE_CHANNELS: expected comma-separated Slack channel/],
    [{ ...BASE, SLACK_STAFF_IDS: 'U1,@sam' }, /^SLACK_STAFF_IDS: /],
    [{ ...BASE, SLACK_RESOLVE_EMOJI: ':white_check_mark:' }, /^SLACK_RESOLVE_EMOJI: /],
    [{ ...BASE, SLACK_AGENT_RULE: 'loudest' }, /^SLACK_AGENT_RULE: expected resolver or most-replies/],
    [{ ...BASE, SLACK_THREAD_FALLBACK: 'maybe' }, /^SLACK_THREAD_FALLBACK: expected true or false/],
    [{ ...BASE, SLACK_RATE_PER_SECOND: '0' }, /^SLACK_RATE_PER_SECOND: must be at least 1/],
    [{ ...BASE, SLACK_API_URL: 'ftp://x' }, /^SLACK_API_URL: /],
    [{ ...BASE, SLACK_SIGNING_SECRET: 'short' }, /^SLACK_SIGNING_SECRET: /],
  ];
  for (const [env, message] of bad) {
    test(`refuses ${Object.entries(env).at(-1)!.join('=')}`, () => {
      assert.throws(() => readSlackSettings(env), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }

  test('a refused secret is never echoed', () => {
    assert.throws(() => readSlackSettings({ SLACK_BOT_TOKEN: 'xoxp-very-secret-value' }), (e: unknown) => e instanceof Error && !e.message.includes('very-secret') && e.message.includes('[hidden]'));
  });

  test('the adapter is named slack and paced by SLACK_RATE_PER_SECOND', () => {
    const adapter = fromConfig(loadConfig({ ...BASE, SLACK_RATE_PER_SECOND: '2' }), silentLogger());
    assert.equal(adapter?.name, 'slack');
    assert.equal(adapter?.rate?.perSecond, 2);
  });
});

describe('score buttons', () => {
  test('values round-trip; anything else is not ours', () => {
    const v = { surveyId: '65f0c0ffee0000000000abcd', score: 10, customerId: 'U123' };
    assert.deepEqual(decodeButtonValue(encodeButtonValue(v)), v);
    for (const junk of ['', 'x', '{}', '{"s":"a","n":11,"u":"U"}', '{"s":"a","n":-1,"u":"U"}', '{"s":"a","n":1.5,"u":"U"}', '[1]', 'null', `{"s":"${'a'.repeat(3000)}","n":1,"u":"U"}`]) {
      assert.equal(decodeButtonValue(junk), null, junk.slice(0, 40));
    }
  });

  test('eleven buttons with unique action ids, values within Slack limits', () => {
    const blocks = questionBlocks('How likely…', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'sid', 'U1', '<@U1>');
    assert.equal(blocks.length, 3);
    const actions = blocks[2] as { elements: Array<{ action_id: string; value: string }> };
    assert.equal(new Set(actions.elements.map((e) => e.action_id)).size, 11);
    assert.ok(actions.elements.every((e) => e.value.length <= 2000));
  });

  test('text escapes the three characters Slack treats as markup', () => {
    assert.equal(escapeText('a < b & c > d'), 'a &lt; b &amp; c &gt; d');
  });
});

describe('agent rule: most replies', () => {
  const staff = new Set(['UA', 'UB']);
  const m = (user: string, botId?: string) => ({ ts: '1.1', user, ...(botId ? { botId } : {}) });
  const cases: Array<[string, ReturnType<typeof m>[], string | undefined]> = [
    ['no staff replies', [m('UC'), m('UC')], undefined],
    ['most replies wins', [m('UA'), m('UB'), m('UB'), m('UC'), m('UC'), m('UC')], 'UB'],
    ['a tie goes to the latest replier', [m('UB'), m('UA'), m('UA'), m('UB')], 'UB'],
    ['bot posts do not count', [m('UA', 'B1'), m('UA', 'B1'), m('UB')], 'UB'],
  ];
  for (const [name, replies, expected] of cases) {
    test(name, () => assert.equal(mostReplies(replies, staff), expected));
  }
});

describe('slack errors → outbox errors', () => {
  const platform = (error: string) => new webApi.WebAPIPlatformError({ ok: false, error });
  test('a 429 is transient with its Retry-After', () => {
    const e = toSendError(new webApi.WebAPIRateLimitedError(7), 'chat.postMessage');
    assert.ok(e instanceof TransientSendError);
    assert.equal(e.retryAfterMs, 7000);
  });
  test('Slack saying "try later" is transient; "never" is permanent with the code', () => {
    assert.ok(toSendError(platform('internal_error'), 'x') instanceof TransientSendError);
    assert.ok(toSendError(platform('ratelimited'), 'x') instanceof TransientSendError);
    const never = toSendError(platform('cannot_dm_bot'), 'conversations.open');
    assert.ok(never instanceof PermanentSendError);
    assert.equal(never.code, 'cannot_dm_bot');
    assert.ok(toSendError(new webApi.WebAPIRequestError(new Error('ECONNRESET')), 'x') instanceof TransientSendError);
    assert.ok(toSendError(new webApi.WebAPIHTTPError(503, 'Service Unavailable', {}, ''), 'x') instanceof TransientSendError);
  });
  test('refusals of the person fall back to the thread; bot misconfiguration does not', () => {
    for (const code of ['cannot_dm_bot', 'user_not_found', 'not_allowed_token_type', 'invalid_user_combination', 'user_disabled']) assert.ok(isDmRefusal(code), code);
    for (const code of ['invalid_auth', 'missing_scope', 'msg_too_long', 'invalid_blocks']) assert.ok(!isDmRefusal(code), code);
  });
});

describe('addresses', () => {
  test('conversation id names the thread', () => {
    assert.deepEqual(threadOf('C0123:1700000000.000100'), { channel: 'C0123', threadTs: '1700000000.000100' });
    assert.equal(threadOf('webhook-conv-1'), null);
    assert.equal(threadOf('C0123:not-a-ts'), null);
  });
  test('stored addresses are checked', () => {
    assert.deepEqual(readAddress({ mode: 'dm', channel: 'D1' }), { mode: 'dm', channel: 'D1' });
    assert.deepEqual(readAddress({ mode: 'thread', channel: 'C1', thread_ts: '1.2' }), { mode: 'thread', channel: 'C1', thread_ts: '1.2' });
    assert.equal(readAddress({ mode: 'thread', channel: 'C1' }), null);
    // A DM address is a D… conversation, a thread's channel a C…/G… one: nothing a caller could point elsewhere.
    assert.equal(readAddress({ mode: 'dm', channel: 'C0INTERNAL' }), null);
    assert.equal(readAddress({ mode: 'thread', channel: 'U1> <!channel>', thread_ts: '1.2' }), null);
    assert.equal(readAddress(undefined), null);
  });
});

describe('slack app manifest', () => {
  test('subscribes to what the channel listens to, with the scopes its Web API calls need', () => {
    const manifest = parseYaml(readFileSync(new URL('../../../slack-app-manifest.yml', import.meta.url), 'utf8')) as {
      features: { shortcuts: Array<{ type: string; callback_id: string }> };
      oauth_config: { scopes: { bot: string[] } };
      settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string } };
    };
    const shortcut = manifest.features.shortcuts.find((s) => s.type === 'message');
    assert.equal(shortcut?.callback_id, readSlackSettings(BASE)!.shortcutCallbackId);
    for (const e of ['reaction_added', 'message.im', 'message.channels', 'message.groups']) assert.ok(manifest.settings.event_subscriptions.bot_events.includes(e), e);
    for (const s of ['chat:write', 'im:write', 'im:history', 'channels:history', 'groups:history', 'reactions:read', 'users:read', 'commands']) assert.ok(manifest.oauth_config.scopes.bot.includes(s), s);
    assert.ok(manifest.settings.interactivity.is_enabled);
    assert.match(manifest.settings.event_subscriptions.request_url, /\/slack\/events$/);
    assert.match(manifest.settings.interactivity.request_url, /\/slack\/events$/);
  });
});
