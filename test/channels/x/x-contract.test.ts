/** X keeps the adapter contract, against the fake X API (DMs through twit) and its signed Account Activity webhook. */
import { FakeXApi, signActivity } from '../../fakes/x-api.ts';
import { adapterContract } from '../../helpers/adapter-contract.ts';

const creds = {
  consumerKey: 'x-consumer-key-contract',
  consumerSecret: 'x-consumer-secret-contract-0123456789',
  accessToken: '1000-brand-access-token',
  accessTokenSecret: 'x-access-token-secret-contract',
  brandUserId: '1000',
};
let fake: FakeXApi;
let n = 7000;

adapterContract('x', {
  channel: 'x',
  async start() {
    fake = await FakeXApi.start(creds);
    return {
      X_CONSUMER_KEY: creds.consumerKey, X_CONSUMER_SECRET: creds.consumerSecret, X_ACCESS_TOKEN: creds.accessToken,
      X_ACCESS_TOKEN_SECRET: creds.accessTokenSecret, X_BRAND_USER_ID: creds.brandUserId, X_API_URL: `${fake.url}/1.1/`,
    };
  },
  started(app) { fake.webhookUrl = `${app.url}/x/webhook`; },
  async stop() { await fake.echoesSettled(); await fake.stop(); },
  recipient: () => { const id = String(++n); return { surveyId: `s${id}`, conversationId: `care-${id}`, customerId: id, locale: 'en' }; },
  noticeChannel: () => String(++n),
  accepted: () => fake.sent.length,
  failNext(failure) {
    fake.failNext(failure === 'rate-limited'
      ? { status: 429, body: { errors: [{ code: 88, message: 'Rate limit exceeded' }] }, headers: { 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 60) } }
      : failure === 'server-error'
        ? { status: 503, body: { errors: [{ code: 130, message: 'Over capacity' }] } }
        : { status: 403, body: { errors: [{ code: 349, message: 'You cannot send messages to this user.' }] } });
  },
  webhook: {
    deliver(how) {
      const payload = fake.customerDm(String(++n), 'hello');
      if (how === 'signed') return fake.deliver(payload);
      return fake.deliver(payload, { signature: how === 'unsigned' ? null : signActivity(JSON.stringify(payload), 'not-the-secret') });
    },
  },
});
