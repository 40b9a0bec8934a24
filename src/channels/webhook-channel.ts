/**
 * The generic channel any chat system can plug into. Outgoing: each message is POSTed
 * as JSON `{surveyId, conversationId, customerId, text, choices, deliveryId}` (notices as
 * `{channelId, text}`) to WEBHOOK_OUTBOUND_URL, signed with X-NPS-Signature over
 * X-NPS-Timestamp and the body (see webhook-signature.ts). `deliveryId` (also the
 * X-NPS-Delivery header) is the same on every attempt at one message: a receiver that
 * keeps the ids it has shown turns our at-least-once delivery into exactly once. Redirects are not followed:
 * a 3xx would send customer data wherever the answer points, so it is a permanent error.
 * Incoming: customer replies arrive at `POST /api/channels/webhook/messages`
 * (see http-server.ts, which guards it with the API token).
 */
import type { ChannelAdapter, ChannelContext, Notice, OutgoingMessage, Recipient, SendReceipt } from '../conversation/channel-contract/channel.ts';
import { PermanentSendError, TransientSendError } from '../conversation/channel-contract/send-errors.ts';
import { signatureHeaders } from './webhook-signature.ts';
import { HttpJsonClient, statusKind, type HttpAnswer } from './http-json-client.ts';

export interface WebhookChannelOptions {
  outboundUrl: string;
  secret: string;
  ratePerSecond: number;
  timeoutMs?: number;
}

export class WebhookChannel implements ChannelAdapter {
  readonly name = 'webhook';
  readonly rate: { perSecond: number; concurrent: number };
  private readonly http: HttpJsonClient;

  constructor(private readonly options: WebhookChannelOptions) {
    this.rate = { perSecond: options.ratePerSecond, concurrent: 8 };
    // Paced by the outbox (`rate`), so the client itself is not; a receiver's answer is an ack, 64 KB is plenty.
    this.http = new HttpJsonClient({
      platform: 'webhook', baseUrl: options.outboundUrl, timeoutMs: options.timeoutMs, maxResponseBytes: 64 * 1024, failure: webhookFailure,
    });
  }

  async start(_ctx: ChannelContext): Promise<void> {}

  async stop(): Promise<void> {}

  async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    await this.postJson({
      surveyId: to.surveyId,
      conversationId: to.conversationId,
      customerId: to.customerId,
      text: message.text,
      choices: message.choices,
      ...(message.idempotencyKey ? { deliveryId: message.idempotencyKey } : {}),
    }, message.idempotencyKey);
    return {};
  }

  async post(channelId: string, notice: Notice): Promise<void> {
    await this.postJson({ channelId, text: notice.text });
  }

  private async postJson(payload: object, deliveryId?: string): Promise<void> {
    const body = JSON.stringify(payload);
    await this.http.post('', body, {
      ...signatureHeaders(body, this.options.secret),
      ...(deliveryId ? { 'x-nps-delivery': deliveryId } : {}),
    });
  }
}

/** The webhook's mapping: a redirect and other refusals are permanent (coded with the status), 429/408/5xx transient. */
export function webhookFailure(answer: HttpAnswer): Error | undefined {
  switch (statusKind(answer.status)) {
    case 'ok':
      return undefined;
    case 'redirect':
      return new PermanentSendError(`webhook answered ${answer.status} (a redirect): redirects are not followed, set WEBHOOK_OUTBOUND_URL to the final address`, String(answer.status));
    case 'transient':
      return new TransientSendError(`webhook answered ${answer.status}`, answer.retryAfterMs);
    default:
      return new PermanentSendError(`webhook answered ${answer.status}`, String(answer.status));
  }
}
