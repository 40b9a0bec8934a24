/**
 * The Telegram channel end to end: the whole bot (started from TELEGRAM_* settings) with
 * grammY talking HTTP to a fake Bot API on 127.0.0.1, and updates delivered to the bot's
 * /telegram/webhook the way Telegram does (after `setWebhook` with a secret token), or
 * fetched by long polling.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FakeTelegramBotApi, type TgMessage, type TgUpdate, type TgUser } from '../../fakes/telegram-bot-api.ts';
import { authHeaders, eventually, startTestApp, type TestApp } from '../../helpers/app.ts';
import { assertAccepted, startBotWithFake, stopBotWithFake } from '../../helpers/bot-with-fake.ts';
import { surveyInState } from '../../helpers/survey-waits.ts';
import { readSurvey } from '../../helpers/surveys.ts';
import { recordingLogger, WARN } from '../../helpers/log-lines.ts';
import { TelegramChannel } from '../../../src/channels/telegram/telegram-channel.ts';
import { readTelegramSettings } from '../../../src/channels/telegram/telegram-settings.ts';

const TOKEN = '123456789:AAHfake-telegram-token-0123456789abcd';
const SECRET = 'telegram-webhook-secret-0123456789';
const SUPPORT_GROUP = -1001500000001;
const PACE_MS = 400;

let fake: FakeTelegramBotApi;
let app: TestApp;

beforeAll(async () => {
  ({ fake, app } = await startBotWithFake({
    label: 'telegram',
    fake: async () => {
      const f = await FakeTelegramBotApi.start({ token: TOKEN });
      // Telegram refuses a second message to one chat sooner than this: the bot's pacing must keep to it.
      f.perChatIntervalMs = PACE_MS;
      return f;
    },
    env: (f) => ({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: f.url,
      TELEGRAM_SUPPORT_CHAT_IDS: String(SUPPORT_GROUP),
      TELEGRAM_CHAT_INTERVAL_MS: String(PACE_MS),
      COMPANY_NAME: 'Acme',
    }),
    // What an admin does once (docs/telegram.md): point Telegram at the bot, with the secret.
    webhooks: async (f, url) => {
      const set = await fetch(`${f.url}/bot${TOKEN}/setWebhook`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${url}/telegram/webhook`, secret_token: SECRET, allowed_updates: ['message', 'business_message', 'callback_query'] }),
      });
      assert.equal(set.status, 200);
    },
  }));
});

afterAll(() => stopBotWithFake({ fake, app }));

async function resolve(customer: TgUser, agent: { id: string; name?: string } = { id: 'agent-anna', name: 'Anna' }, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${app.url}/api/resolutions`, {
    method: 'POST', headers: authHeaders(),
    body: JSON.stringify({ channel: 'telegram', conversationId: `care-${customer.id}-${Math.random()}`, customer: { id: String(customer.id) }, agent, ...extra }),
  });
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json() as { surveyId: string }).surveyId;
}

const stateIs = (id: string, state: string) => surveyInState(app, id, state);

async function question(chatId: number, surveyId: string): Promise<TgMessage> {
  const q = await eventually(async () => fake.to(chatId)[0], 15_000, `the question in chat ${chatId}`);
  await stateIs(surveyId, 'asked');
  return q;
}

const deliver = (update: TgUpdate) => assertAccepted(fake.deliver(update));

const labels = (m: TgMessage) => m.reply_markup?.inline_keyboard.map((row) => row.map((b) => b.text));

describe('Telegram channel (webhook)', () => {
  test('updates without the secret token are refused (401), with a wrong one 403; bad bodies 400; the right one is taken', async () => {
    const u = fake.user();
    fake.startChat(u);
    const s = await resolve(u, { id: 'agent-carl', name: 'Carl' });
    const q = await question(u.id, s);
    const tap = fake.tap(q, u, '10');
    assert.equal((await fake.deliver(tap, { secret: null })).status, 401);
    assert.equal((await fake.deliver(tap, { secret: 'not-the-secret-token-at-all' })).status, 403);
    assert.equal((await fake.deliver(tap, { secret: `${SECRET}x` })).status, 403);
    const notJson = await fetch(`${app.url}/telegram/webhook`, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': SECRET }, body: '{"update_id":' });
    assert.equal(notJson.status, 400);
    const noId = await fetch(`${app.url}/telegram/webhook`, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': SECRET, 'content-type': 'application/json' }, body: '{"message":{}}' });
    assert.equal(noId.status, 400);
    const huge = await fetch(`${app.url}/telegram/webhook`, {
      method: 'POST', headers: { 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify({ update_id: 1, pad: 'x'.repeat(300 * 1024) }),
    });
    assert.equal(huge.status, 413);
    assert.equal((await readSurvey(app, { _id: s }))?.state, 'asked', 'nothing refused changed the survey');
    await deliver(tap);
    assert.equal((await stateIs(s, 'scored')).score, 10);
  });

  test('a resolution asks with 0–10 in two rows; a tap scores, is answered, and the keyboard becomes "✅ 9/10"; follow-up and thanks are plain', async () => {
    const u = fake.user({ first_name: 'Dana' });
    await deliver(fake.privateMessage(u, '/start'));
    const surveyId = await resolve(u);
    const q = await question(u.id, surveyId);
    assert.match(String(q.text), /recommend Acme/);
    assert.deepEqual(labels(q), [['0', '1', '2', '3', '4', '5'], ['6', '7', '8', '9', '10']]);
    assert.deepEqual(q.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data), Array.from({ length: 11 }, (_, n) => `nps:${surveyId}:${n}`));

    const tap = fake.tap(q, u, '9');
    await deliver(tap);
    const scored = await stateIs(surveyId, 'scored');
    assert.equal(scored.score, 9);
    assert.equal(scored.category, 'promoter');
    assert.ok(fake.answeredCallbacks.includes((tap.callback_query as { id: string }).id), 'the tap was answered');
    assert.deepEqual(labels(fake.message(u.id, q.message_id)!), [['✅ 9/10']]);
    const followup = await eventually(async () => fake.to(u.id)[1], 5000, 'the follow-up');
    assert.match(String(followup.text), /main reason/);
    assert.equal(followup.reply_markup, undefined);

    await deliver(fake.privateMessage(u, 'Quick and friendly'));
    assert.equal((await stateIs(surveyId, 'completed')).comment, 'Quick and friendly');
    const thanks = await eventually(async () => fake.to(u.id)[2], 5000, 'the thanks');
    assert.match(String(thanks.text), /Thanks a lot/);
  });

  test('a typed answer is read from the text; commands and other bots are not answers', async () => {
    const u = fake.user();
    fake.startChat(u);
    const surveyId = await resolve(u, { id: 'agent-carl', name: 'Carl' });
    await question(u.id, surveyId);
    await deliver(fake.privateMessage(u, '/help'));
    assert.equal((await readSurvey(app, { _id: surveyId }))?.state, 'asked');
    await deliver(fake.privateMessage(u, "I'd say 6/10"));
    const s = await stateIs(surveyId, 'scored');
    assert.equal(s.score, 6);
    assert.equal(s.category, 'detractor');
  });

  test('the same update delivered twice is handled once (tap and comment)', async () => {
    const u = fake.user();
    fake.startChat(u);
    const surveyId = await resolve(u, { id: 'agent-dana', name: 'Dana' });
    const q = await question(u.id, surveyId);
    const tap = fake.tap(q, u, '7');
    await deliver(tap);
    await deliver(tap);
    assert.equal((await stateIs(surveyId, 'scored')).score, 7);
    const comment = fake.privateMessage(u, 'Took a while but fine');
    await deliver(comment);
    await deliver(comment);
    await stateIs(surveyId, 'completed');
    await eventually(async () => fake.to(u.id).length >= 3, 5000, 'the thanks');
    await new Promise((r) => setTimeout(r, 3 * PACE_MS)); // room for a wrongly repeated message to show
    assert.equal(fake.to(u.id).length, 3, 'one question, one follow-up, one thank-you');
    assert.equal(fake.answeredCallbacks.filter((id) => id === (tap.callback_query as { id: string }).id).length, 1);
  });

  test('someone else tapping the buttons (in a group) scores nothing', async () => {
    const owner = fake.user();
    const stranger = fake.user();
    fake.startChat(owner);
    const surveyId = await resolve(owner);
    const q = await question(owner.id, surveyId);
    await deliver(fake.tap(q, stranger, '0'));
    assert.equal((await readSurvey(app, { _id: surveyId }))?.state, 'asked');
    assert.equal(labels(fake.message(owner.id, q.message_id)!)!.flat().length, 11, 'the keyboard stays for the customer');
  });

  test('Telegram Business: the business types /resolve in the customer\'s chat; the bot asks there as the business, in the customer\'s language', async () => {
    const owner = fake.user({ first_name: 'Acme', last_name: 'Support' });
    const customer = fake.user({ first_name: 'Mette', language_code: 'da' });
    const connection = fake.connectBusiness(owner);
    await deliver(fake.businessMessage(connection, customer, customer, 'Hej, min pakke er ikke kommet'));
    await deliver(fake.businessMessage(connection, customer, owner, 'Den er sendt igen nu. /resolve kommer her:'));
    assert.equal(fake.to(customer.id).length, 0, 'an ordinary business message resolves nothing');
    await deliver(fake.businessMessage(connection, customer, owner, '/resolve'));
    const q = await eventually(async () => fake.to(customer.id)[0], 15_000, 'the question in the business chat');
    assert.equal(q.business_connection_id, connection);
    assert.equal(q.from?.id, owner.id, 'sent as the business');
    assert.match(String(q.text), /anbefale Acme/, 'in Danish');
    const survey = await eventually(async () => readSurvey(app, { channel: 'telegram', 'customer.id': String(customer.id) }), 5000, 'the survey');
    assert.equal(survey.agent.id, String(owner.id));
    await stateIs(String(survey._id), 'asked');

    // The business writing "10" is not the customer's answer; the customer's tap is.
    await deliver(fake.businessMessage(connection, customer, owner, '10'));
    assert.equal((await readSurvey(app, { _id: survey._id }))?.state, 'asked');
    await deliver(fake.tap(q, customer, '8'));
    assert.equal((await stateIs(String(survey._id), 'scored')).score, 8);
    assert.deepEqual(labels(fake.message(customer.id, q.message_id)!), [['✅ 8/10']]);
    const followup = await eventually(async () => fake.to(customer.id)[1], 5000, 'the follow-up');
    assert.equal(followup.business_connection_id, connection);
  });

  test('a resolution through the API may name the business connection to ask in', async () => {
    const owner = fake.user();
    const customer = fake.user();
    const connection = fake.connectBusiness(owner);
    await deliver(fake.businessMessage(connection, customer, customer, 'Where is my order?'));
    const surveyId = await resolve(customer, { id: 'agent-ola', name: 'Ola' }, { address: { business_connection_id: connection } });
    const q = await question(customer.id, surveyId);
    assert.equal(q.business_connection_id, connection);
    await deliver(fake.businessMessage(connection, customer, customer, 'nine'));
    assert.equal((await stateIs(surveyId, 'scored')).score, 9);

    // The business switched the bot off: Telegram refuses, the survey fails with its words.
    const other = fake.user();
    await deliver(fake.businessMessage(connection, other, other, 'hello'));
    fake.disableBusiness(connection);
    const failed = await stateIs(await resolve(other, { id: 'agent-ola' }, { address: { business_connection_id: connection } }), 'failed');
    assert.match(String(failed.lastError), /BUSINESS_CONNECTION_INVALID/);
  });

  test('Telegram Business: a chat where the customer has not written for 24 hours is skipped as a closed window, without calling Telegram', async () => {
    const owner = fake.user();
    const customer = fake.user();
    const connection = fake.connectBusiness(owner);
    await deliver(fake.businessMessage(connection, customer, customer, 'thanks, bye', { date: Math.floor(Date.now() / 1000) - 25 * 3600 }));
    const s = await stateIs(await resolve(customer, { id: 'agent-ola' }, { address: { business_connection_id: connection } }), 'skipped');
    assert.equal(s.skipReason, 'window-closed');
    assert.equal(fake.attempts.filter((a) => a.chatId === String(customer.id)).length, 0);
  });

  test('support group: an administrator\'s /resolve in the customer\'s topic asks there; a member\'s is refused', async () => {
    const admin = fake.user({ first_name: 'Anna' });
    const member = fake.user({ first_name: 'Bo' });
    const customer = fake.user({ first_name: 'Kim', language_code: 'sv' });
    fake.group({ id: SUPPORT_GROUP, title: 'Acme support', admins: [admin], forum: true });
    const topic = fake.openTopic(SUPPORT_GROUP, customer, 'Refund');
    await deliver(topic.update);
    await deliver(fake.groupMessage(SUPPORT_GROUP, customer, 'I want my money back', { threadId: topic.threadId }));
    await deliver(fake.groupMessage(SUPPORT_GROUP, member, '/resolve', { threadId: topic.threadId }));
    const refusal = await eventually(async () => fake.to(SUPPORT_GROUP)[0], 5000, 'the refusal');
    assert.match(String(refusal.text), /administrators/);
    assert.equal(refusal.message_thread_id, topic.threadId);

    await deliver(fake.groupMessage(SUPPORT_GROUP, admin, '/resolve@acme_care_bot', { threadId: topic.threadId }));
    const q = await eventually(async () => fake.to(SUPPORT_GROUP).find((m) => m.reply_markup), 15_000, 'the question in the topic');
    assert.equal(q.message_thread_id, topic.threadId);
    assert.match(String(q.text), /rekommendera Acme/, 'in Swedish, from the customer\'s language_code');
    const survey = (await readSurvey(app, { channel: 'telegram', 'customer.id': String(customer.id) }))!;
    assert.equal(survey.agent.id, String(admin.id));
    assert.equal(survey.agent.name, 'Anna');
    await stateIs(String(survey._id), 'asked');
    await deliver(fake.groupMessage(SUPPORT_GROUP, customer, '10', { threadId: topic.threadId }));
    assert.equal((await stateIs(String(survey._id), 'scored')).score, 10);

    // Resolving the same topic again asks nobody twice.
    await deliver(fake.groupMessage(SUPPORT_GROUP, admin, '/resolve', { threadId: topic.threadId }));
    await eventually(async () => fake.to(SUPPORT_GROUP).some((m) => /already resolved/.test(String(m.text))), 5000, 'the duplicate notice');
    assert.equal(fake.to(SUPPORT_GROUP).filter((m) => m.reply_markup).length, 1);
  });

  test('a manager notice goes to a group chat (ALERT_TARGET=telegram:<chat id>); a chat that is not an id is refused', async () => {
    const channel = app.channels.get('telegram')!;
    await channel.post(String(SUPPORT_GROUP), { text: 'Detractor: 3/10', fields: { Agent: 'Anna' } });
    const notice = fake.to(SUPPORT_GROUP).find((m) => /Detractor/.test(String(m.text)));
    assert.equal(notice?.text, 'Detractor: 3/10\nAgent: Anna');
    await assert.rejects(channel.post('@managers', { text: 'x' }), /not a Telegram chat id/);
  });

  test('a customer who blocked the bot, or never started it: the survey fails with Telegram\'s reason, no retries', async () => {
    const blocked = fake.user();
    fake.startChat(blocked);
    fake.block(blocked);
    const s1 = await stateIs(await resolve(blocked), 'failed');
    assert.match(String(s1.lastError), /403 Forbidden: bot was blocked by the user/);
    assert.equal(fake.attempts.filter((a) => a.chatId === String(blocked.id)).length, 1);

    const stranger = fake.user();
    const s2 = await stateIs(await resolve(stranger), 'failed');
    assert.match(String(s2.lastError), /can't initiate conversation/);
  });

  test("a 429 is waited out as retry_after says, then the question goes out", async () => {
    const u = fake.user();
    fake.startChat(u);
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    const surveyId = await resolve(u);
    await question(u.id, surveyId);
    const tries = fake.attempts.filter((a) => a.method === 'sendMessage' && a.chatId === String(u.id));
    assert.deepEqual(tries.map((a) => a.status), [429, 200]);
  });

  test('a resolution for something that is not a Telegram user id fails without calling Telegram', async () => {
    const before = fake.attempts.length;
    const res = await fetch(`${app.url}/api/resolutions`, {
      method: 'POST', headers: authHeaders(),
      body: JSON.stringify({ channel: 'telegram', conversationId: 'care-email', customer: { id: '@casey' }, agent: { id: 'agent-anna' } }),
    });
    const { surveyId } = await res.json() as { surveyId: string };
    assert.match(String((await stateIs(surveyId, 'failed')).lastError), /not a Telegram user id/);
    assert.equal(fake.attempts.length, before);
  });

  test('no message went out faster than one a second per chat (Telegram would have said 429)', () => {
    const flood = fake.attempts.filter((a) => a.status === 429 && a.description === 'Too Many Requests: retry after 1');
    // The one 429 above was scripted; the fake's own per-chat check never fired.
    assert.equal(flood.length, 1);
  });

  test('the answers show in the NPS report under channel telegram and by agent', async () => {
    const get = async (by: string) => {
      const res = await fetch(`${app.url}/api/reports/nps?by=${by}`, { headers: authHeaders() });
      assert.equal(res.status, 200);
      return (await res.json() as { rows: Array<Record<string, unknown>> }).rows;
    };
    // Scored so far: 10 (Carl), 9 (Anna), 6 (Carl), 7 (Dana), 8 (business owner), 9 (Ola), 10 (group admin).
    const rows = await eventually(async () => {
      const r = (await get('channel')).find((x) => x.channel === 'telegram');
      return r && r.responses === 7 ? r : null;
    }, 20_000, 'seven telegram answers in the report');
    assert.equal(rows.promoters, 4);
    assert.equal(rows.detractors, 1);
    const byAgent = await get('agent');
    const carl = byAgent.find((r) => r.agentId === 'agent-carl');
    assert.equal(carl?.responses, 2);
    assert.equal(carl?.nps, 0);
    assert.equal(byAgent.find((r) => r.agentId === 'agent-ola')?.responses, 1);
  });
});

describe('Telegram channel (long polling)', () => {
  test('with TELEGRAM_MODE=polling the bot fetches updates with getUpdates: a question, a tap, scored', async () => {
    const fake2 = await FakeTelegramBotApi.start({ token: TOKEN });
    const app2 = await startTestApp({
      label: 'telegrampoll',
      env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'polling', TELEGRAM_API_ROOT: fake2.url, TELEGRAM_CHAT_INTERVAL_MS: '0', COMPANY_NAME: 'Acme' },
    });
    try {
      const u = fake2.user();
      fake2.enqueue(fake2.privateMessage(u, '/start'));
      const res = await fetch(`${app2.url}/api/resolutions`, {
        method: 'POST', headers: authHeaders(),
        body: JSON.stringify({ channel: 'telegram', conversationId: 'poll-1', customer: { id: String(u.id) }, agent: { id: 'agent-anna' } }),
      });
      const { surveyId } = await res.json() as { surveyId: string };
      const q = await eventually(async () => fake2.to(u.id)[0], 15_000, 'the question');
      fake2.enqueue(fake2.tap(q, u, '5'));
      const s = await eventually(async () => {
        const x = await readSurvey(app2, { _id: surveyId });
        return x?.state === 'scored' ? x : null;
      }, 15_000, 'scored by polling');
      assert.equal(s.score, 5);
      assert.equal((await fetch(`${app2.url}/telegram/webhook`, { method: 'POST', body: '{}' })).status, 404, 'no webhook route in polling mode');
    } finally {
      await app2.close();
      await fake2.stop();
    }
  });
});

describe('Telegram channel start-up', () => {
  test('a token Telegram refuses stops the bot with a clear line', async () => {
    const fake3 = await FakeTelegramBotApi.start({ token: TOKEN });
    try {
      await assert.rejects(startTestApp({
        label: 'telegrambad',
        env: { TELEGRAM_BOT_TOKEN: '987654321:AAHsome-other-token-0123456789abcdef', TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake3.url },
      }), /getMe refused.*401 Unauthorized/);
    } finally {
      await fake3.stop();
    }
  });

  test('Telegram unreachable at start: the bot starts anyway, refuses updates (500, Telegram retries) until getMe answers', async () => {
    const fake3 = await FakeTelegramBotApi.start({ token: TOKEN });
    fake3.failNext('getMe', { error_code: 502, description: 'Bad Gateway' });
    const app3 = await startTestApp({
      label: 'telegramlate',
      env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake3.url, COMPANY_NAME: 'Acme' },
    });
    try {
      await fetch(`${fake3.url}/bot${TOKEN}/setWebhook`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${app3.url}/telegram/webhook`, secret_token: SECRET }),
      });
      const u = fake3.user();
      const hello = fake3.privateMessage(u, '/start');
      assert.equal((await fake3.deliver(hello)).status, 500, 'not yet: Telegram will deliver it again');
      const telegram = app3.channels.get('telegram')!;
      await eventually(async () => (await fake3.deliver(hello)).status === 200, 10_000, 'getMe answered on a retry');
      assert.deepEqual(fake3.attempts.filter((a) => a.method === 'getMe').map((a) => a.status), [502, 200]);
      assert.equal(telegram.connecting?.(), false, 'nps_channel_connecting goes back to 0');
    } finally {
      await app3.close();
      await fake3.stop();
    }
  });

  test('Telegram down at start: a survey resolved meanwhile waits (not a failed attempt) and is asked exactly once after getMe answers; nothing is sent before', async () => {
    const fake3 = await FakeTelegramBotApi.start({ token: TOKEN });
    fake3.failUntilRestored('getMe', { error_code: 502, description: 'Bad Gateway' });
    const env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake3.url, COMPANY_NAME: 'Acme' };
    const channel = new TelegramChannel(readTelegramSettings(env)!, recordingLogger().logger, { startUpBackoff: { firstDelayMs: 100, maxDelayMs: 300 } });
    const app3 = await startTestApp({ label: 'telegramdown', env, channels: [channel] });
    try {
      await fetch(`${fake3.url}/bot${TOKEN}/setWebhook`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${app3.url}/telegram/webhook`, secret_token: SECRET }),
      });
      const u = fake3.user();
      fake3.startChat(u);
      const res = await fetch(`${app3.url}/api/resolutions`, {
        method: 'POST', headers: authHeaders(),
        body: JSON.stringify({ channel: 'telegram', conversationId: `care-down-${u.id}`, customer: { id: String(u.id) }, agent: { id: 'agent-anna' } }),
      });
      assert.equal(res.status, 202);
      const surveyId = (await res.json() as { surveyId: string }).surveyId;
      const waiting = await eventually(async () => {
        const s = await readSurvey(app3, { _id: surveyId });
        return s && /not connected/.test(s.lastError ?? '') ? s : undefined;
      }, 20_000, 'the survey put back while getMe has not answered');
      assert.equal(waiting.state, 'scheduled');
      assert.equal(waiting.attempts ?? 0, 0, 'waiting for getMe is not a failed attempt');
      // An update meanwhile is still refused, for Telegram to deliver again.
      assert.equal((await fake3.deliver(fake3.privateMessage(u, 'hello'))).status, 500);
      assert.equal(channel.connecting(), true);
      assert.equal(fake3.attempts.filter((a) => a.method === 'sendMessage').length, 0, 'nothing reached the Bot API before getMe answered');

      fake3.restore('getMe');
      await eventually(async () => fake3.to(u.id)[0], 20_000, 'the question after getMe answered');
      await surveyInState(app3, surveyId, 'asked');
      const answeredAt = fake3.attempts.find((a) => a.method === 'getMe' && a.status === 200)!.at;
      const sends = fake3.attempts.filter((a) => a.method === 'sendMessage');
      assert.equal(sends.length, 1, 'asked exactly once');
      assert.ok(sends[0]!.at >= answeredAt, 'the question went only after getMe answered');
      assert.equal(fake3.to(u.id).length, 1);
      assert.equal((await readSurvey(app3, { _id: surveyId }))!.attempts ?? 0, 0);
      assert.equal(channel.connecting(), false);
    } finally {
      await app3.close();
      await fake3.stop();
    }
  });

  test('getMe 429 with retry_after, then 502: tried again in the background, the 429\'s wait honoured, a warn per try without the token', async () => {
    const fake3 = await FakeTelegramBotApi.start({ token: TOKEN });
    fake3.failNext('getMe',
      { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
      { error_code: 502, description: 'Bad Gateway' });
    const log = recordingLogger();
    const env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake3.url, COMPANY_NAME: 'Acme' };
    const channel = new TelegramChannel(readTelegramSettings(env)!, log.logger, { startUpBackoff: { firstDelayMs: 50, maxDelayMs: 200 } });
    const app3 = await startTestApp({ label: 'telegramretry', env, channels: [channel], logger: log.logger });
    try {
      await fetch(`${fake3.url}/bot${TOKEN}/setWebhook`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${app3.url}/telegram/webhook`, secret_token: SECRET }),
      });
      const u = fake3.user();
      const hello = fake3.privateMessage(u, '/start');
      await eventually(async () => (await fake3.deliver(hello)).status === 200, 10_000, 'getMe answered on a retry');
      const tries = fake3.attempts.filter((a) => a.method === 'getMe');
      assert.deepEqual(tries.map((a) => a.status), [429, 502, 200]);
      assert.ok(tries[1]!.at - tries[0]!.at >= 900, 'the try after the 429 waited retry_after (1 s)');
      const warns = log.lines.filter((l) => l.level === WARN && l.msg === 'telegram: getMe failed; trying again').map((l) => l.reason);
      assert.deepEqual(warns, ['HTTP 429', 'HTTP 502']);
      assert.ok(!log.text().includes(TOKEN.split(':')[1]!), 'the token is never logged');
    } finally {
      await app3.close();
      await fake3.stop();
    }
  });
});
