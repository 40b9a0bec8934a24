/** Telegram keeps the adapter contract, against the fake Bot API and its webhook (secret token header). */
import assert from 'node:assert/strict';
import { FakeTelegramBotApi } from '../../fakes/telegram-bot-api.ts';
import { adapterContract } from '../../helpers/adapter-contract.ts';

const TOKEN = '123456789:AAHcontract-telegram-token-0123456789';
const SECRET = 'telegram-contract-secret-0123456789';
const GROUP = -1001500000077;
let fake: FakeTelegramBotApi;

adapterContract('telegram', {
  channel: 'telegram',
  async start() {
    fake = await FakeTelegramBotApi.start({ token: TOKEN });
    fake.group({ id: GROUP, title: 'Care managers', admins: [] });
    return { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.url };
  },
  async started(app) {
    const set = await fetch(`${fake.url}/bot${TOKEN}/setWebhook`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${app.url}/telegram/webhook`, secret_token: SECRET, allowed_updates: ['message', 'business_message', 'callback_query'] }),
    });
    assert.equal(set.status, 200);
  },
  stop: () => fake.stop(),
  recipient: () => {
    const u = fake.user();
    fake.startChat(u);
    return { surveyId: `s${u.id}`, conversationId: `care-${u.id}`, customerId: String(u.id), locale: 'en' };
  },
  noticeChannel: () => String(GROUP),
  accepted: () => fake.sent.length,
  failNext(failure) {
    fake.failNext('sendMessage', failure === 'rate-limited'
      ? { error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } }
      : failure === 'server-error'
        ? { error_code: 502, description: 'Bad Gateway' }
        : { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
  },
  webhook: {
    deliver(how) {
      const update = fake.privateMessage(fake.user(), 'hello');
      return fake.deliver(update, how === 'signed' ? {} : { secret: how === 'unsigned' ? null : 'not-the-secret-token-0123' });
    },
  },
});
