/** WhatsApp keeps the adapter contract, against the fake Cloud API (which reports each message's fate on the webhook) and its signed webhooks. */
import { FakeGraphApi, signHub } from '../../fakes/graph-api.ts';
import { adapterContract } from '../../helpers/adapter-contract.ts';

const APP_SECRET = 'meta-app-secret-contract-wa-0123456789';
const TOKEN = 'wa-token-contract-0123';
let fake: FakeGraphApi;
let n = 0;
const waId = () => String(46_700_000_000 + ++n);

adapterContract('whatsapp', {
  channel: 'whatsapp',
  async start() {
    fake = await FakeGraphApi.start({
      version: 'v24.0', appSecret: APP_SECRET,
      whatsapp: { phoneNumberId: '106540352242922', businessAccountId: '102290129340398', token: TOKEN },
    });
    return {
      WHATSAPP_ACCESS_TOKEN: TOKEN, WHATSAPP_PHONE_NUMBER_ID: '106540352242922', META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: 'verify-token-contract-wa', META_GRAPH_URL: fake.url, META_GRAPH_VERSION: 'v24.0', WHATSAPP_STATUS_WAIT_SECONDS: '5',
    };
  },
  started(app) { fake.webhookUrls.whatsapp = `${app.url}/meta/whatsapp`; },
  async stop() { await fake.settled(); await fake.stop(); },
  recipient: () => { const id = waId(); return { surveyId: `s${n}`, conversationId: `care-${id}`, customerId: id, locale: 'en' }; },
  noticeChannel: waId,
  accepted: () => fake.sent.length,
  failNext(failure) {
    fake.failNext('whatsapp', failure === 'rate-limited'
      ? { status: 400, body: { error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 } } }
      : failure === 'server-error'
        ? { status: 500, body: { error: { message: 'An unknown error occurred', type: 'OAuthException', code: 1, is_transient: true } } }
        : { status: 400, body: { error: { message: '(#131026) Message undeliverable', type: 'OAuthException', code: 131026 } } });
  },
  webhook: {
    deliver(how) {
      const payload = fake.whatsappMessage(waId(), { text: 'hello' });
      if (how === 'signed') return fake.deliver('whatsapp', payload);
      return fake.deliver('whatsapp', payload, { signature: how === 'unsigned' ? null : signHub(JSON.stringify(payload), 'not-the-app-secret') });
    },
  },
});
