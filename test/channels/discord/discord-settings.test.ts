/**
 * The Discord channel's pure parts, by tables of cases: settings (defaults and one-line
 * errors), intents, the invite URL, buttons and their custom ids, nonces, what in a
 * thread update counts as resolved, audit-log matching, and error mapping.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { DiscordAPIError, GatewayIntentBits, HTTPError } from 'discord.js';
import { ConfigError } from '../../../src/env-readers.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { fromConfig } from '../../../src/channels/discord/index.ts';
import { readDiscordSettings } from '../../../src/channels/discord/discord-settings.ts';
import { intentsFor } from '../../../src/channels/discord/discord-client.ts';
import { BOT_PERMISSIONS, inviteUrl } from '../../../src/channels/discord/discord-invite-url.ts';
import { answeredContent, buttonRows, messageNonce, parseButtonCustomId, surveyMessageBody } from '../../../src/channels/discord/discord-survey-message.ts';
import { resolutionTriggers, tagIdByName } from '../../../src/channels/discord/discord-thread-resolution.ts';
import { findChange, matches } from '../../../src/channels/discord/discord-thread-audit.ts';
import { isTransientDiscordError, toSendError } from '../../../src/channels/discord/discord-errors.ts';
import { backoffMs } from '../../../src/backoff.ts';
import { PermanentSendError, TransientSendError } from '../../../src/conversation/channel-contract/send-errors.ts';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.fake-token-for-tests-0123456789abcdefghijklmnop';
const FORUM = '1234567890123456789';
const base = { DISCORD_TOKEN: TOKEN, DISCORD_CARE_CHANNELS: FORUM, DISCORD_AGENT_ROLE: 'Support' };

describe('discord settings', () => {
  test('off without DISCORD_TOKEN (unset or blank): fromConfig gives null', () => {
    assert.equal(readDiscordSettings({}), null);
    assert.equal(readDiscordSettings({ DISCORD_TOKEN: '  ' }), null);
    assert.equal(fromConfig(loadConfig({}), silentLogger()), null);
  });

  test('defaults', () => {
    const s = readDiscordSettings(base)!;
    assert.deepEqual(s, {
      token: TOKEN, applicationId: undefined, guildIds: [], careChannelIds: [FORUM], agentRole: 'Support',
      resolvedTag: 'Resolved', resolveOnArchive: true, resolveOnLock: true, threadFallback: true,
      apiUrl: 'https://discord.com/api', ratePerSecond: 5, recheckHours: 24, recheckMinutes: 5,
    });
    const channel = fromConfig(loadConfig(base), silentLogger());
    assert.equal(channel?.name, 'discord');
    assert.equal(channel?.rate?.perSecond, 5);
    assert.equal(channel?.rate?.concurrent, 4);
  });

  test('every setting read', () => {
    const s = readDiscordSettings({
      ...base,
      DISCORD_APPLICATION_ID: '111111111111111111',
      DISCORD_GUILD_IDS: '222222222222222222, 333333333333333333',
      DISCORD_CARE_CHANNELS: `${FORUM},444444444444444444`,
      DISCORD_AGENT_ROLE: '555555555555555555',
      DISCORD_RESOLVED_TAG: 'Solved',
      DISCORD_RESOLVE_ON_ARCHIVE: 'no',
      DISCORD_RESOLVE_ON_LOCK: 'false',
      DISCORD_THREAD_FALLBACK: 'off',
      DISCORD_API_URL: 'http://127.0.0.1:9999/api/',
      DISCORD_RATE_PER_SECOND: '2',
      DISCORD_SHARDS: 'auto',
      DISCORD_RECHECK_HOURS: '48',
      DISCORD_RECHECK_MINUTES: '10',
    })!;
    assert.equal(s.applicationId, '111111111111111111');
    assert.deepEqual(s.guildIds, ['222222222222222222', '333333333333333333']);
    assert.deepEqual(s.careChannelIds, [FORUM, '444444444444444444']);
    assert.equal(s.resolvedTag, 'Solved');
    assert.equal(s.resolveOnArchive, false);
    assert.equal(s.resolveOnLock, false);
    assert.equal(s.threadFallback, false);
    assert.equal(s.apiUrl, 'http://127.0.0.1:9999/api');
    assert.equal(s.ratePerSecond, 2);
    assert.equal(s.shards, 'auto');
    assert.equal(s.recheckHours, 48);
    assert.equal(s.recheckMinutes, 10);
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ DISCORD_TOKEN: TOKEN, DISCORD_AGENT_ROLE: 'Support' }, /^DISCORD_CARE_CHANNELS: required when DISCORD_TOKEN is set/],
    [{ DISCORD_TOKEN: TOKEN, DISCORD_CARE_CHANNELS: FORUM }, /^DISCORD_AGENT_ROLE: required when DISCORD_TOKEN is set/],
    [{ ...base, DISCORD_TOKEN: 'short' }, /^DISCORD_TOKEN: .*\(got "\[hidden\]"\)$/],
    [{ ...base, DISCORD_CARE_CHANNELS: 'help-forum' }, /^DISCORD_CARE_CHANNELS: expected a comma-separated list of forum or text channel ids/],
    [{ ...base, DISCORD_CARE_CHANNELS: ',' }, /^DISCORD_CARE_CHANNELS: must list at least one channel id/],
    [{ ...base, DISCORD_GUILD_IDS: '123' }, /^DISCORD_GUILD_IDS: expected a comma-separated list of server/],
    [{ ...base, DISCORD_APPLICATION_ID: 'my-app' }, /^DISCORD_APPLICATION_ID: expected the application id/],
    [{ ...base, DISCORD_RESOLVE_ON_ARCHIVE: 'maybe' }, /^DISCORD_RESOLVE_ON_ARCHIVE: expected true or false/],
    [{ ...base, DISCORD_API_URL: 'ftp://x' }, /^DISCORD_API_URL: expected an http\(s\) URL/],
    [{ ...base, DISCORD_RATE_PER_SECOND: '0' }, /^DISCORD_RATE_PER_SECOND: must be at least 1/],
    [{ ...base, DISCORD_RESOLVED_TAG: 'x'.repeat(21) }, /^DISCORD_RESOLVED_TAG: must be at most 20/],
    [{ ...base, DISCORD_SHARDS: '4' }, /^DISCORD_SHARDS: expected "auto"/],
    [{ ...base, DISCORD_RECHECK_HOURS: '0' }, /^DISCORD_RECHECK_HOURS: must be at least 1/],
    [{ ...base, DISCORD_RECHECK_HOURS: '200' }, /^DISCORD_RECHECK_HOURS: must be at most 168/],
    [{ ...base, DISCORD_RECHECK_MINUTES: 'often' }, /^DISCORD_RECHECK_MINUTES: expected a whole number/],
  ];
  for (const [env, message] of bad) {
    test(`one clear line: ${message.source.slice(1, 40)}`, () => {
      assert.throws(() => readDiscordSettings(env), (err: unknown) => err instanceof ConfigError && message.test(err.message) && !err.message.includes(TOKEN));
    });
  }
});

describe('discord intents and invite', () => {
  test('no privileged intent unless the thread fallback needs message content', () => {
    assert.deepEqual(intentsFor({ threadFallback: false }), [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages]);
    assert.deepEqual(intentsFor({ threadFallback: true }), [
      GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent,
    ]);
  });

  test('invite URL: bot + applications.commands with the computed permission integer', () => {
    // View Channels 1024 + Send Messages 2048 + View Audit Log 128 + Read Message History 65536 + Send Messages in Threads 2^38
    assert.equal(BOT_PERMISSIONS.bitfield, 1024n + 2048n + 128n + 65536n + 274877906944n);
    assert.equal(inviteUrl('111111111111111111'),
      'https://discord.com/oauth2/authorize?client_id=111111111111111111&scope=bot%20applications.commands&permissions=274877975680');
  });
});

describe('discord survey messages', () => {
  const surveyId = '665f1c2e9b1e8a0012345678';
  const customerId = '987654321098765432';

  test('buttons 0–10 in rows of at most five, each carrying survey, customer and score', () => {
    const rows = buttonRows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], surveyId, customerId);
    assert.deepEqual(rows.map((r) => r.components.length), [5, 5, 1]);
    for (const b of rows.flatMap((r) => r.components)) {
      assert.ok(b.custom_id.length <= 100);
      assert.deepEqual(parseButtonCustomId(b.custom_id), { surveyId, customerId, score: Number(b.label) });
    }
  });

  const junk: unknown[] = [undefined, 42, '', 'nps:abc:1:11', 'nps:abc:12:-1', 'other:abc:123:5', `nps:${'a'.repeat(41)}:1:5`, 'nps:a b:1:5', `nps:${surveyId}:${customerId}:5:extra`];
  test('custom ids that are not ours (or out of range) are refused', () => {
    for (const j of junk) assert.equal(parseButtonCustomId(j), null, String(j));
  });

  test('a question: text for clients without components, buttons, nonce enforced, nobody pinged', () => {
    const body = surveyMessageBody({ surveyId, customerId }, { kind: 'question', text: 'How likely…', choices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, false);
    assert.equal(body.content, 'How likely…');
    assert.equal(body.components?.length, 3);
    assert.equal(body.enforce_nonce, true);
    assert.ok(body.nonce.length <= 25);
    assert.deepEqual(body.allowed_mentions, { parse: [] });
    const inThread = surveyMessageBody({ surveyId, customerId }, { kind: 'followup', text: 'Why?', choices: null }, true);
    assert.equal(inThread.content, `<@${customerId}> Why?`);
    assert.equal(inThread.components, undefined);
    assert.deepEqual(inThread.allowed_mentions, { parse: [], users: [customerId] });
  });

  test('nonces: the same survey and kind give the same nonce; anything else differs', () => {
    assert.equal(messageNonce(surveyId, 'question'), messageNonce(surveyId, 'question'));
    assert.notEqual(messageNonce(surveyId, 'question'), messageNonce(surveyId, 'followup'));
    assert.notEqual(messageNonce(surveyId, 'question'), messageNonce('665f1c2e9b1e8a0012345679', 'question'));
  });

  test('the answered question keeps its text, shows the score, and stays within 2000 characters', () => {
    assert.equal(answeredContent('How likely?', 7), 'How likely?\n\n✅ **7** / 10');
    assert.equal(answeredContent('x'.repeat(2500), 7).length, 2000);
  });
});

describe('discord resolution triggers', () => {
  const open = { archived: false, locked: false, appliedTags: [] as string[] };
  const on = { resolvedTagId: 'T', onArchive: true, onLock: true };
  const cases: Array<[string, typeof open, typeof open, typeof on, string[]]> = [
    ['tag added', open, { ...open, appliedTags: ['B', 'T'] }, on, ['tag']],
    ['another tag added', open, { ...open, appliedTags: ['B'] }, on, []],
    ['tag already there (repeated update)', { ...open, appliedTags: ['T'] }, { ...open, appliedTags: ['T'] }, on, []],
    ['tag removed', { ...open, appliedTags: ['T'] }, open, on, []],
    ['forum without the tag', open, { ...open, appliedTags: ['T'] }, { ...on, resolvedTagId: undefined as unknown as string }, []],
    ['locked', open, { ...open, locked: true }, on, ['lock']],
    ['locked, lock off', open, { ...open, locked: true }, { ...on, onLock: false }, []],
    ['archived', open, { ...open, archived: true }, on, ['archive']],
    ['archived, archive off', open, { ...open, archived: true }, { ...on, onArchive: false }, []],
    ['closed and locked at once', open, { ...open, archived: true, locked: true }, on, ['lock', 'archive']],
    ['reopened', { ...open, archived: true }, open, on, []],
    ['nothing changed', open, open, on, []],
  ];
  for (const [name, before, after, opts, expected] of cases) {
    test(name, () => assert.deepEqual(resolutionTriggers(before, after, opts), expected));
  }

  test('the resolved tag is found by name, whatever the case', () => {
    const tags = [{ id: '1', name: 'Bug' }, { id: '2', name: 'RESOLVED ' }];
    assert.equal(tagIdByName(tags, 'resolved'), '2');
    assert.equal(tagIdByName(tags, 'Solved'), undefined);
  });
});

describe('discord audit-log matching', () => {
  const at = new Date('2025-03-01T12:00:00Z');
  const idAt = (ms: number) => (((BigInt(ms) - 1_420_070_400_000n) << 22n) | 1n).toString();
  const entry = (over: Partial<{ id: string; user_id: string; target_id: string; changes: Array<{ key: string; old_value?: unknown; new_value?: unknown }> }>) => ({
    id: idAt(at.getTime() + 200), user_id: '42', target_id: 'T1', action_type: 111,
    changes: [{ key: 'archived', old_value: false, new_value: true }], ...over,
  });

  test('the entry for this thread and change, at that time', () => {
    assert.equal(matches(entry({}), 'T1', { key: 'archived' }, at), true);
    assert.equal(matches(entry({ target_id: 'T2' }), 'T1', { key: 'archived' }, at), false);
    assert.equal(matches(entry({}), 'T1', { key: 'locked' }, at), false);
    assert.equal(matches(entry({ changes: [{ key: 'archived', old_value: true, new_value: false }] }), 'T1', { key: 'archived' }, at), false);
    assert.equal(matches(entry({ id: idAt(at.getTime() - 3_600_000) }), 'T1', { key: 'archived' }, at), false, 'an old archive');
  });

  test('a tag entry counts only when it added the tag', () => {
    const tagged = entry({ changes: [{ key: 'applied_tags', old_value: ['B'], new_value: ['B', 'T'] }] });
    assert.equal(matches(tagged, 'T1', { key: 'applied_tags', tagId: 'T' }, at), true);
    assert.equal(matches(tagged, 'T1', { key: 'applied_tags', tagId: 'B' }, at), false);
  });

  test('looking back: the newest entry making the change (at the archive time, for an archive)', () => {
    const newer = entry({ id: idAt(at.getTime() + 5000), user_id: '43', changes: [{ key: 'locked', old_value: false, new_value: true }] });
    const older = entry({ id: idAt(at.getTime() - 3_600_000), user_id: '44', changes: [{ key: 'locked', old_value: false, new_value: true }] });
    const archived = entry({});
    const entries = [newer, archived, older];
    assert.equal(findChange(entries, 'T1', { key: 'locked' })?.user_id, '43');
    assert.equal(findChange(entries, 'T2', { key: 'locked' }), undefined);
    assert.equal(findChange(entries, 'T1', { key: 'archived' }, at)?.id, archived.id);
    assert.equal(findChange(entries, 'T1', { key: 'archived' }, new Date(at.getTime() - 7_200_000)), undefined, 'no entry at that archive time');
  });
});

describe('discord errors for the outbox', () => {
  const apiError = (code: number, status: number) => new DiscordAPIError({ code, message: 'nope' }, code, status, 'POST', '/x', { body: undefined, files: undefined });
  test('refusals are permanent with Discord\'s code; 5xx and network trouble are transient', () => {
    const refused = toSendError(apiError(50007, 403), 'dm');
    assert.ok(refused instanceof PermanentSendError);
    assert.equal(refused.code, '50007');
    assert.ok(toSendError(apiError(0, 502), 'dm') instanceof TransientSendError);
    assert.ok(toSendError(new HTTPError(503, 'Service Unavailable', 'POST', '/x', { body: undefined, files: undefined }), 'dm') instanceof TransientSendError);
    assert.ok(toSendError(new Error('ECONNRESET'), 'dm') instanceof TransientSendError);
  });

  test('what the resolution checks try again: 5xx, 429 and network trouble, never a refusal', () => {
    assert.equal(isTransientDiscordError(apiError(0, 502)), true);
    assert.equal(isTransientDiscordError(apiError(0, 429)), true);
    assert.equal(isTransientDiscordError(new HTTPError(502, 'Bad Gateway', 'GET', '/x', { body: undefined, files: undefined })), true);
    assert.equal(isTransientDiscordError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
    assert.equal(isTransientDiscordError(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })), true);
    assert.equal(isTransientDiscordError(apiError(50013, 403)), false);
    assert.equal(isTransientDiscordError(apiError(10003, 404)), false);
    assert.equal(isTransientDiscordError(new HTTPError(401, 'Unauthorized', 'GET', '/x', { body: undefined, files: undefined })), false);
    assert.equal(isTransientDiscordError(new Error('bad data')), false);
  });

  test('retry waits grow and stay bounded', () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const ms = backoffMs(attempt, 500, 4000);
      assert.ok(ms >= 0.75 * Math.min(4000, 500 * 2 ** (attempt - 1)) && ms <= 1.25 * 4000, `attempt ${attempt}: ${ms}`);
    }
  });
});
