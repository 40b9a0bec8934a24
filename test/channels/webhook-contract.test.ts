/** The generic webhook channel keeps the adapter contract, against a receiver that answers as scripted. (Its inbound route is the API's, guarded by the token: no signed webhook of its own.) */
import { WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { adapterContract } from '../helpers/adapter-contract.ts';

const SECRET = 'webhook-contract-secret-0123456789';
let hook: WebhookReceiver;
let n = 0;

adapterContract('webhook', {
  channel: 'webhook',
  async start() {
    hook = await new WebhookReceiver(SECRET).start();
    return { WEBHOOK_OUTBOUND_URL: hook.url, WEBHOOK_SECRET: SECRET };
  },
  stop: () => hook.stop(),
  recipient: () => ({ surveyId: `s${++n}`, conversationId: `conv-${n}`, customerId: `cust-${n}`, locale: 'en' }),
  noticeChannel: () => 'managers',
  accepted: () => hook.received.filter((r) => r.signed).length,
  failNext(failure) {
    hook.answers.push(failure === 'rate-limited' ? { status: 429, retryAfter: '2' } : failure === 'server-error' ? { status: 503 } : { status: 410 });
  },
  clearFailures: () => { hook.answers.length = 0; },
});
