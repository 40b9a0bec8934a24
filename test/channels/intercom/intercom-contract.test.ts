/** Intercom (a Messenger conversation) keeps the adapter contract, against the fake Intercom API and its signed webhooks. */
import { FakeIntercomApi, signIntercom } from '../../fakes/intercom-api.ts';
import { adapterContract } from '../../helpers/adapter-contract.ts';

const BOT = '7000';
const ANNA = '7001';
const OPTIONS = {
  accessToken: 'intercom-access-token-contract-0123456789', clientSecret: 'intercom-client-secret-contract', appId: 'abc123de',
  admins: [{ id: ANNA, name: 'Anna' }, { id: BOT, name: 'NPS bot' }],
};
let fake: FakeIntercomApi;

adapterContract('intercom', {
  channel: 'intercom:messenger',
  async start() {
    fake = await FakeIntercomApi.start(OPTIONS);
    return {
      INTERCOM_ACCESS_TOKEN: OPTIONS.accessToken, INTERCOM_CLIENT_SECRET: OPTIONS.clientSecret, INTERCOM_ADMIN_ID: BOT,
      INTERCOM_URL: fake.url, INTERCOM_APP_ID: OPTIONS.appId,
    };
  },
  started(app) { fake.webhookUrl = `${app.url}/intercom/webhook`; },
  stop: () => fake.stop(),
  recipient: () => {
    const c = fake.addConversation({ customer: 'Maja', assigneeId: ANNA });
    return { surveyId: `s${c.id}`, conversationId: String(c.id), customerId: `u${c.id}`, locale: 'en', address: { conversationId: String(c.id) } };
  },
  noticeChannel: () => String(fake.addConversation({ customer: 'Vera' }).id),
  accepted: () => fake.requests.filter((r) => r.method === 'POST' && r.status < 300).length,
  failNext(failure) {
    fake.failNext('POST', '/reply', failure === 'rate-limited'
      ? { status: 429, body: { type: 'error.list', errors: [{ code: 'rate_limit_exceeded', message: 'Exceeded rate limit' }] }, headers: { 'retry-after': '2' } }
      : failure === 'server-error'
        ? { status: 503, body: { type: 'error.list', errors: [{ code: 'service_unavailable', message: 'Sorry, the API service is temporarily unavailable' }] } }
        : { status: 403, body: { type: 'error.list', errors: [{ code: 'forbidden', message: 'Access Token does not have the right scope' }] } });
  },
  webhook: {
    deliver(how) {
      const c = fake.addConversation({ customer: 'Nils', assigneeId: ANNA });
      c.state = 'closed';
      const payload = fake.notification('conversation.admin.closed', c, []);
      if (how === 'signed') return fake.deliver(payload);
      return fake.deliver(payload, { signature: how === 'unsigned' ? null : signIntercom(JSON.stringify(payload), 'not-the-secret') });
    },
  },
});
