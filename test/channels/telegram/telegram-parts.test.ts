/**
 * The Telegram channel's parts on their own: settings, the keyboard, what Bot API
 * failures mean for the outbox, who /resolve names, and the per-chat pacing.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { GrammyError, HttpError } from 'grammy';
import { ConfigError } from '../../../src/env-readers.ts';
import { PermanentSendError, TransientSendError } from '../../../src/conversation/channel-contract/send-errors.ts';
import { readTelegramSettings } from '../../../src/channels/telegram/telegram-settings.ts';
import { answeredKeyboard, scoreKeyboard } from '../../../src/channels/telegram/telegram-question.ts';
import { toSendError } from '../../../src/channels/telegram/telegram-errors.ts';
import { isResolveCommand, resolveInBusinessChat, resolveInGroup } from '../../../src/channels/telegram/telegram-resolve-command.ts';
import { ChatPacer } from '../../../src/channels/telegram/telegram-chat-pacer.ts';
import type { TelegramMessage } from '../../../src/channels/telegram/telegram-update.ts';

const TOKEN = '123456789:AAHfake-telegram-token-0123456789abcd';

describe('settings', () => {
  test('off without a token; webhook mode needs the secret; polling does not; bad values name the variable', () => {
    assert.equal(readTelegramSettings({}), null);
    assert.throws(() => readTelegramSettings({ TELEGRAM_BOT_TOKEN: TOKEN }), (e: Error) => e instanceof ConfigError && /TELEGRAM_WEBHOOK_SECRET/.test(e.message));
    const polling = readTelegramSettings({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'polling' })!;
    assert.equal(polling.mode, 'polling');
    assert.equal(polling.apiRoot, 'https://api.telegram.org');
    assert.equal(polling.ratePerSecond, 30);
    assert.equal(polling.chatIntervalMs, 1000);
    assert.throws(() => readTelegramSettings({ TELEGRAM_BOT_TOKEN: 'not-a-token' }), (e: Error) => /TELEGRAM_BOT_TOKEN/.test(e.message) && !e.message.includes('not-a-token'));
    assert.throws(() => readTelegramSettings({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'has spaces in it, not allowed' }), /TELEGRAM_WEBHOOK_SECRET/);
    assert.throws(() => readTelegramSettings({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'polling', TELEGRAM_SUPPORT_CHAT_IDS: '-100123,@group' }), /TELEGRAM_SUPPORT_CHAT_IDS.*@group/);
    const s = readTelegramSettings({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'a-secret-of-enough-length', TELEGRAM_SUPPORT_CHAT_IDS: '-1001, -1002', TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/' })!;
    assert.deepEqual([...s.supportChatIds], ['-1001', '-1002']);
    assert.equal(s.apiRoot, 'http://127.0.0.1:8081');
  });
});

describe('keyboard', () => {
  test('0–5 and 6–10 in two rows, each carrying its survey and score in at most 64 bytes', () => {
    const k = scoreKeyboard('65a1b2c3d4e5f60718293a4b', Array.from({ length: 11 }, (_, n) => n));
    assert.deepEqual(k.inline_keyboard.map((r) => r.map((b) => b.text)), [['0', '1', '2', '3', '4', '5'], ['6', '7', '8', '9', '10']]);
    assert.ok(k.inline_keyboard.flat().every((b) => Buffer.byteLength(b.callback_data) <= 64));
    assert.throws(() => scoreKeyboard('x'.repeat(64), [0]), RangeError);
    assert.deepEqual(answeredKeyboard(9).inline_keyboard, [[{ text: '✅ 9/10', callback_data: 'nps:answered' }]]);
  });
});

describe('Bot API failures', () => {
  const grammy = (error_code: number, description: string, parameters = {}) => new GrammyError('call failed', { ok: false, error_code, description, parameters }, 'sendMessage', {});

  test('429 waits retry_after; 5xx and no answer are transient; 403 and 400 are permanent with Telegram\'s words', () => {
    const limited = toSendError(grammy(429, 'Too Many Requests: retry after 7', { retry_after: 7 }), 'sendMessage');
    assert.ok(limited instanceof TransientSendError);
    assert.equal(limited.retryAfterMs, 7000);
    assert.ok(toSendError(grammy(502, 'Bad Gateway'), 'sendMessage') instanceof TransientSendError);
    assert.ok(toSendError(new HttpError('Network request for sendMessage failed', new Error('ECONNRESET')), 'sendMessage') instanceof TransientSendError);
    const blocked = toSendError(grammy(403, 'Forbidden: bot was blocked by the user'), 'sendMessage');
    assert.ok(blocked instanceof PermanentSendError);
    assert.equal(blocked.code, 'telegram-403');
    assert.match(blocked.message, /blocked by the user/);
    const moved = toSendError(grammy(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1001234 }), 'sendMessage');
    assert.ok(moved instanceof PermanentSendError);
    assert.match(moved.message, /-1001234/);
  });
});

describe('/resolve', () => {
  const user = (id: number, extra: Record<string, unknown> = {}) => ({ id, is_bot: false, first_name: `U${id}`, ...extra });
  const base = { message_id: 40, date: 1_700_000_000, text: '/resolve' };

  test('the command, addressed or not, and only to this bot', () => {
    assert.ok(isResolveCommand('/resolve', 'acme_bot'));
    assert.ok(isResolveCommand('/resolve@Acme_Bot please', 'acme_bot'));
    assert.ok(!isResolveCommand('/resolve@other_bot', 'acme_bot'));
    assert.ok(!isResolveCommand('/resolved', 'acme_bot'));
    assert.ok(!isResolveCommand('please /resolve', 'acme_bot'));
  });

  test('business chat: the business side resolves; the customer typing it resolves nothing', () => {
    const chat = { id: 501, type: 'private', first_name: 'Mette' };
    const byOwner = { ...base, chat, from: user(900, { first_name: 'Acme' }), business_connection_id: 'bc1' } as TelegramMessage;
    const d = resolveInBusinessChat('telegram', byOwner, 'da');
    assert.equal(d.kind, 'resolve');
    if (d.kind !== 'resolve') return;
    assert.deepEqual(d.event.customer, { id: '501', name: 'Mette', locale: 'da' });
    assert.deepEqual(d.event.agent, { id: '900', name: 'Acme' });
    assert.deepEqual(d.event.address, { chat_id: '501', business_connection_id: 'bc1' });
    assert.equal(d.event.conversationId, 'business:501:40');
    const byCustomer = { ...base, chat, from: user(501), business_connection_id: 'bc1' } as TelegramMessage;
    assert.equal(resolveInBusinessChat('telegram', byCustomer, undefined).kind, 'refuse');
  });

  test('group: an administrator replying to the customer; members, anonymous admins and self-replies are refused', () => {
    const chat = { id: -1001, type: 'supergroup' };
    const customerMsg = { message_id: 12, chat, from: user(77, { language_code: 'nb' }), text: 'hjelp' };
    const reply = { ...base, chat, from: user(5), reply_to_message: customerMsg } as TelegramMessage;
    const ok = resolveInGroup('telegram', reply, true);
    assert.equal(ok.kind, 'resolve');
    if (ok.kind === 'resolve') {
      assert.equal(ok.event.customer.id, '77');
      assert.equal(ok.event.customer.locale, 'nb');
      assert.deepEqual(ok.event.address, { chat_id: '-1001', reply_to_message_id: '12' });
    }
    assert.equal(resolveInGroup('telegram', reply, false).kind, 'refuse');
    assert.equal(resolveInGroup('telegram', { ...reply, sender_chat: { id: -1001 } } as TelegramMessage, true).kind, 'refuse');
    assert.equal(resolveInGroup('telegram', { ...base, chat, from: user(5) } as TelegramMessage, true).kind, 'refuse');
    assert.equal(resolveInGroup('telegram', { ...reply, reply_to_message: { ...customerMsg, from: user(5) } } as TelegramMessage, true).kind, 'refuse');
  });
});

describe('per-chat pacing', () => {
  test('messages to one chat are spaced by the interval; other chats are not held up', () => {
    let now = 1000;
    const pacer = new ChatPacer(1000, () => now);
    assert.equal(pacer.book('a'), 0);
    assert.equal(pacer.book('a'), 1000);
    assert.equal(pacer.book('a'), 2000);
    assert.equal(pacer.book('b'), 0);
    now += 5000;
    assert.equal(pacer.book('a'), 0);
    assert.equal(new ChatPacer(0, () => now).book('a'), 0);
  });
});
