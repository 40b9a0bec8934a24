/**
 * Survey events for other systems (SURVEY_EVENTS_URL): every survey step, signed, delivered
 * at least once from a durable queue. Steps stage their events on the survey in the same
 * write as the step (nothing extra on the hot path, nothing lost if the process dies right
 * after); this loop moves them to the queue (event-relay.ts) and POSTs them
 * (event-delivery.ts), every interval. Any number of processes may run it.
 */
import type { Connection } from 'mongoose';
import type { Logger } from '../logger.ts';
import { SurveyRepository, stageSurveyEvents } from '../storage/surveys/index.ts';
import { DEFAULT_DELIVERY, SurveyEventDelivery, type DeliverySettings } from './event-delivery.ts';
import { SurveyEventQueue } from './event-queue.ts';
import { SurveyEventRelay } from './event-relay.ts';

export interface SurveyEventsOptions {
  conn: Connection;
  url: string;
  secret: string;
  logger: Logger;
  intervalMs?: number;
  delivery?: Partial<Omit<DeliverySettings, 'url' | 'secret'>>;
  now?: () => Date;
}

export class SurveyEvents {
  readonly queue: SurveyEventQueue;
  private readonly relayer: SurveyEventRelay;
  private readonly delivery: SurveyEventDelivery;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: SurveyEventsOptions) {
    // From here on every survey step on this connection stages its event.
    stageSurveyEvents(options.conn, true);
    this.now = options.now ?? (() => new Date());
    this.queue = new SurveyEventQueue(options.conn);
    this.relayer = new SurveyEventRelay(new SurveyRepository(options.conn), this.queue);
    this.delivery = new SurveyEventDelivery(this.queue, { ...DEFAULT_DELIVERY, ...options.delivery, url: options.url, secret: options.secret }, options.logger, this.now);
  }

  async init(): Promise<void> {
    await this.queue.init();
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 1000);
    this.timer.unref();
    void this.tick();
  }

  /** One pass: relay staged events, deliver what is due. Passes never overlap. */
  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        await this.relayer.relay(this.now());
        await this.delivery.deliverDue();
      } catch (err) {
        this.options.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'survey events: a pass failed; the next one tries again');
      }
    })().finally(() => { this.running = undefined; });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
