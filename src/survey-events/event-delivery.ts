/**
 * Delivers queued survey events to SURVEY_EVENTS_URL: one signed POST per event
 * (X-NPS-Timestamp and X-NPS-Signature, the webhook channel's scheme, plus X-NPS-Event-Id),
 * at least once: a 2xx acknowledges it, anything else (or no answer) is tried again after
 * an exponential backoff with a cap, for as long as it takes. Events of one survey go in
 * order: one waits while an earlier one of its survey is still pending.
 */
import type { Logger } from '../logger.ts';
import { signatureHeaders } from '../channels/webhook-signature.ts';
import type { SurveyEventQueue } from './event-queue.ts';
import type { QueuedEvent } from './event-queue-model.ts';

export interface DeliverySettings {
  url: string;
  secret: string;
  /** First retry after this long; each next one waits twice as long… */
  retryBaseMs: number;
  /** …up to this. */
  retryCapMs: number;
  /** One POST may take this long before it counts as failed. */
  timeoutMs: number;
  /** How long one process holds an event it is delivering. */
  leaseMs: number;
}

export const DEFAULT_DELIVERY = { retryBaseMs: 10_000, retryCapMs: 3_600_000, timeoutMs: 10_000, leaseMs: 60_000 } as const;

export const EVENT_ID_HEADER = 'X-NPS-Event-Id';

/** The wait before attempt `attempts + 1`: base · 2^(attempts−1), capped, with up to 10% jitter so receivers coming back are not stampeded. */
export function retryDelayMs(attempts: number, s: Pick<DeliverySettings, 'retryBaseMs' | 'retryCapMs'>, random = Math.random): number {
  const exp = Math.min(s.retryCapMs, s.retryBaseMs * 2 ** Math.max(0, Math.min(30, attempts - 1)));
  return Math.min(s.retryCapMs, Math.round(exp * (1 + 0.1 * random())));
}

export class SurveyEventDelivery {
  constructor(
    private readonly queue: SurveyEventQueue,
    private readonly settings: DeliverySettings,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Deliver every event that is due. Returns how many were acknowledged. */
  async deliverDue(): Promise<number> {
    let acknowledged = 0;
    for (;;) {
      const now = this.now();
      const e = await this.queue.take(now, new Date(now.getTime() + this.settings.leaseMs));
      if (!e) return acknowledged;
      const earlier = await this.queue.earlierPending(e);
      if (earlier) {
        // Its survey's earlier event is still waiting (in backoff, or being sent): behind it.
        await this.queue.putBack(e._id, new Date(Math.max(earlier.nextAttemptAt.getTime(), now.getTime() + 1)));
        continue;
      }
      if (await this.post(e)) acknowledged++;
    }
  }

  private async post(e: QueuedEvent): Promise<boolean> {
    let failure: string;
    try {
      const res = await fetch(this.settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [EVENT_ID_HEADER]: e._id,
          ...signatureHeaders(e.body, this.settings.secret, Date.now()),
        },
        body: e.body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        await this.queue.delivered(e._id, this.now());
        return true;
      }
      failure = `HTTP ${res.status}`;
    } catch (err) {
      failure = err instanceof Error ? err.name : 'error';
    }
    const wait = retryDelayMs(e.attempts, this.settings);
    this.logger.warn({ eventType: e.type, attempts: e.attempts, retryInMs: wait, failure }, 'survey event not delivered; will retry');
    await this.queue.retryAt(e._id, new Date(this.now().getTime() + wait), failure);
    return false;
  }
}
