/** Zendesk (a Telegram conversation through Sunshine Conversations) keeps the adapter contract, against the fake Zendesk and Sunshine APIs and Zendesk's signed webhooks. */
import { FakeZendeskApi, signZendesk } from '../../fakes/zendesk-api.ts';
import { adapterContract } from '../../helpers/adapter-contract.ts';

const OPTIONS = {
  email: 'bot@acme.example',
  apiToken: 'zendesk-api-token-contract-0123',
  webhookSecret: 'zendesk-signing-secret-contract-0123',
  appId: '5f1a2b3c4d5e6f7a8b9c0d1e',
  keyId: 'app_5f1a2b3c4d5e6f7a8b9c0d1f',
  keySecret: 'sunshine-key-secret-contract-0123',
  sunshineWebhookSecret: 'sunshine-webhook-secret-contract-0123',
};
let fake: FakeZendeskApi;

adapterContract('zendesk', {
  channel: 'zendesk:telegram',
  async start() {
    fake = await FakeZendeskApi.start(OPTIONS);
    return {
      ZENDESK_URL: fake.url, ZENDESK_EMAIL: OPTIONS.email, ZENDESK_API_TOKEN: OPTIONS.apiToken, ZENDESK_WEBHOOK_SECRET: OPTIONS.webhookSecret,
      ZENDESK_APP_ID: OPTIONS.appId, ZENDESK_KEY_ID: OPTIONS.keyId, ZENDESK_KEY_SECRET: OPTIONS.keySecret,
      ZENDESK_SUNSHINE_WEBHOOK_SECRET: OPTIONS.sunshineWebhookSecret,
    };
  },
  started(app) {
    fake.zendeskWebhookUrl = `${app.url}/zendesk/webhook`;
    fake.sunshineWebhookUrl = `${app.url}/zendesk/sunshine/webhook`;
  },
  stop: () => fake.stop(),
  recipient: () => {
    const t = fake.addMessagingTicket({ channel: 'telegram', customer: 'Maja' });
    return { surveyId: `s${t.id}`, conversationId: String(t.id), customerId: `c${t.id}`, locale: 'en', address: { conversationId: t.conversation!.id } };
  },
  noticeChannel: () => String(fake.addEmailTicket({}).id),
  accepted: () => fake.requests.filter((r) => r.method !== 'GET' && r.status < 300).length,
  failNext(failure) {
    fake.failNext({ prefix: '/', method: 'POST' }, failure === 'rate-limited'
      ? { status: 429, body: { errors: [{ code: 'too_many_requests', title: 'Too Many Requests' }] }, headers: { 'retry-after': '2' } }
      : failure === 'server-error'
        ? { status: 503, body: { errors: [{ code: 'service_unavailable', title: 'Service Unavailable' }] } }
        : { status: 403, body: { errors: [{ code: 'forbidden', title: 'Forbidden' }] } });
  },
  webhook: {
    deliver(how) {
      const t = fake.addMessagingTicket({ channel: 'telegram', customer: 'Nils' });
      t.status = 'solved';
      const payload = fake.statusChangedPayload(t, 'open');
      if (how === 'signed') return fake.deliverZendesk(payload);
      const now = new Date().toISOString();
      return fake.deliverZendesk(payload, how === 'unsigned' ? { signature: null } : { signature: signZendesk(now, JSON.stringify(payload), 'not-the-secret-at-all'), timestamp: now });
    },
  },
});
