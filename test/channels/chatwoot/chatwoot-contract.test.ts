/** Chatwoot (an API inbox) keeps the adapter contract, against the fake Chatwoot API and its signed webhooks. */
import { FakeChatwootApi, signChatwoot } from '../../fakes/chatwoot-api.ts';
import { adapterContract } from '../../helpers/adapter-contract.ts';

const SECRET = 'chatwoot-contract-secret-0123456789';
const API_TOKEN = 'chatwoot-api-token-contract';
let fake: FakeChatwootApi;
let n = 900;
const contact = () => ({ id: ++n, name: 'Maja', phone: `+4670${n}0000` });
const written = () => fake.requests.filter((r) => r.method === 'POST' && r.status < 300).length;

adapterContract('chatwoot', {
  channel: 'chatwoot:api',
  async start() {
    fake = await FakeChatwootApi.start({ accountId: 1, apiToken: API_TOKEN, webhookSecret: SECRET });
    return { CHATWOOT_URL: fake.url, CHATWOOT_API_TOKEN: API_TOKEN, CHATWOOT_ACCOUNT_ID: '1', CHATWOOT_WEBHOOK_SECRET: SECRET };
  },
  started(app) { fake.webhookUrl = `${app.url}/chatwoot/webhook`; },
  stop: () => fake.stop(),
  recipient: () => {
    const c = fake.addConversation({ channel: 'Channel::Api', contact: contact() });
    return { surveyId: `s${c.id}`, conversationId: String(c.id), customerId: String(c.contact.id), locale: 'en' };
  },
  noticeChannel: () => String(fake.addConversation({ channel: 'Channel::Api', contact: contact() }).id),
  accepted: written,
  failNext(failure) {
    fake.failNext(failure === 'rate-limited'
      ? { status: 429, body: 'Retry later\n', headers: { 'retry-after': '2' } }
      : failure === 'server-error'
        ? { status: 503, body: '<html>Bad gateway</html>' }
        : { status: 403, body: '{"error":"You are not authorized to do this action"}' });
  },
  webhook: {
    deliver(how) {
      const c = fake.addConversation({ channel: 'Channel::Api', contact: contact() });
      c.status = 'resolved';
      const payload = fake.statusChangedPayload(c, 'open');
      if (how === 'signed') return fake.deliver(payload);
      const now = String(Math.floor(Date.now() / 1000));
      return fake.deliver(payload, how === 'unsigned' ? { signature: null } : { signature: signChatwoot(now, JSON.stringify(payload), 'not-the-secret-at-all'), timestamp: now });
    },
  },
});
