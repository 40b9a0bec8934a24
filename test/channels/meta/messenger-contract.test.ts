/** Messenger keeps the adapter contract, against the fake Graph API and its signed webhooks. */
import { FakeGraphApi, signHub } from '../../fakes/graph-api.ts';
import { adapterContract } from '../../helpers/adapter-contract.ts';

const APP_SECRET = 'meta-app-secret-contract-0123456789';
const TOKEN = 'page-token-contract-0123';
let fake: FakeGraphApi;
let n = 0;
const psid = () => String(7_100_000_000_000_000 + ++n);

adapterContract('messenger', {
  channel: 'messenger',
  async start() {
    fake = await FakeGraphApi.start({ version: 'v24.0', appSecret: APP_SECRET, messenger: { pageId: '100200301', token: TOKEN } });
    return {
      MESSENGER_PAGE_ACCESS_TOKEN: TOKEN, MESSENGER_PAGE_ID: '100200301', META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: 'verify-token-contract', META_GRAPH_URL: fake.url, META_GRAPH_VERSION: 'v24.0',
    };
  },
  started(app) { fake.webhookUrls.messenger = `${app.url}/meta/messenger`; },
  async stop() { await fake.settled(); await fake.stop(); },
  recipient: () => { const id = psid(); return { surveyId: `s${n}`, conversationId: `care-${id}`, customerId: id, locale: 'en' }; },
  noticeChannel: psid,
  accepted: () => fake.sent.length,
  failNext(failure) {
    fake.failNext('messenger', failure === 'rate-limited'
      ? { status: 429, headers: { 'retry-after': '2' } }
      : failure === 'server-error'
        ? { status: 503 }
        : { status: 400, body: { error: { message: '(#100) No matching user found', type: 'OAuthException', code: 100, error_subcode: 2018001 } } });
  },
  webhook: {
    deliver(how) {
      const payload = fake.customerMessage('messenger', psid(), 'hello');
      const body = JSON.stringify(payload);
      if (how === 'signed') return fake.deliver('messenger', payload);
      return fake.deliver('messenger', payload, { signature: how === 'unsigned' ? null : signHub(body, 'not-the-app-secret') });
    },
  },
});
