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
import { cappedText } from './capped-body.ts';

export interface WebhookChannelOptions {
  outboundUrl: string;
  secret: string;
  ratePerSecond: number;
  timeoutMs?: number;
}

export class WebhookChannel implements ChannelAdapter {
  readonly name = 'webhook';
  readonly rate: { perSecond: number; concurrent: number };

  constructor(private readonly options: WebhookChannelOptions) {
    this.rate = { perSecond: options.ratePerSecond, concurrent: 8 };
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
    let res: Response;
    try {
      res = await fetch(this.options.outboundUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json', ...signatureHeaders(body, this.options.secret),
          ...(deliveryId ? { 'x-nps-delivery': deliveryId } : {}),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new TransientSendError(`webhook unreachable: ${(err as Error).message}`);
    }
    await cappedText(res, 64 * 1024);
    if (res.ok) return;
    if (res.status >= 300 && res.status < 400) {
      throw new PermanentSendError(`webhook answered ${res.status} (a redirect): redirects are not followed, set WEBHOOK_OUTBOUND_URL to the final address`, String(res.status));
    }
    if (res.status === 429 || res.status >= 500 || res.status === 408) {
      throw new TransientSendError(`webhook answered ${res.status}`, retryAfterMs(res.headers.get('retry-after')));
    }
    throw new PermanentSendError(`webhook answered ${res.status}`, String(res.status));
  }
}

/** Retry-After as seconds or an HTTP date. */
export function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
