/** Freshchat (a web conversation) keeps the adapter contract, against the fake Freshchat API and its RSA-signed webhooks. */
import { FakeFreshchatApi, newAccountKeys, signFreshchat } from '../../fakes/freshchat-api.ts';
import { adapterContract } from '../../helpers/adapter-contract.ts';

const ANNA = '5f7e1c2a-0000-4000-8000-000000000001';
const BOT = '5f7e1c2a-0000-4000-8000-0000000000b0';
const OPTIONS = {
  apiKey: 'freshchat-api-key-contract-0123456789', appId: '87f6d88a-3921-4515-8acf-18fe4d2b4149',
  agents: [{ id: ANNA, first_name: 'Anna', last_name: 'Berg' }, { id: BOT, first_name: 'NPS', last_name: 'Bot' }],
};
let fake: FakeFreshchatApi;

adapterContract('freshchat', {
  channel: 'freshchat:web',
  async start() {
    fake = await FakeFreshchatApi.start(OPTIONS);
    return {
      FRESHCHAT_URL: fake.url, FRESHCHAT_API_KEY: OPTIONS.apiKey, FRESHCHAT_AGENT_ID: BOT,
      FRESHCHAT_WEBHOOK_PUBLIC_KEY: fake.keys.publicKeyPem.trim().replace(/\n/g, '\\n'),
    };
  },
  started(app) { fake.webhookUrl = `${app.url}/freshchat/webhook`; },
  stop: () => fake.stop(),
  recipient: () => {
    const c = fake.addConversation({ assignedAgentId: ANNA });
    return { surveyId: `s${c.id}`, conversationId: String(c.id), customerId: `u${c.id}`, locale: 'en', address: { conversationId: String(c.id) } };
  },
  noticeChannel: () => String(fake.addConversation({}).id),
  accepted: () => fake.requests.filter((r) => r.method === 'POST' && r.status < 300).length,
  failNext(failure) {
    fake.failNext('POST', '/messages', failure === 'rate-limited'
      ? { status: 429, body: { code: 429, status: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' }, headers: { 'retry-after': '2' } }
      : failure === 'server-error'
        ? { status: 503, body: { code: 503, status: 'SERVICE_UNAVAILABLE', message: 'Service unavailable' } }
        : { status: 403, body: { code: 403, status: 'FORBIDDEN', message: 'Access denied' } });
  },
  webhook: {
    deliver(how) {
      const payload = fake.resolutionPayload(fake.addConversation({}), ANNA);
      if (how === 'signed') return fake.deliver(payload);
      return fake.deliver(payload, { signature: how === 'unsigned' ? null : signFreshchat(JSON.stringify(payload), newAccountKeys().privateKey) });
    },
  },
});
