/**
 * Relationship NPS at intervals (NPS-PRACTICE.md: asked regularly, e.g. quarterly, about
 * the whole relationship, and kept apart from the after-care figure). Every
 * RELATIONSHIP_EVERY_DAYS forms one period; on each run (RELATIONSHIP_CRON) customers who
 * talked to care in the last RELATIONSHIP_LOOKBACK_DAYS get one `relational` survey for the
 * current period, in the channel they used last. The survey id is derived from the period
 * and the customer, so two processes (or two runs) schedule it once. The engine then
 * applies the same rules as after care: opt-out, the fatigue window shared with
 * transactional surveys, and the platform's messaging window.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { EngineSink } from './channel-contract/channel.ts';
import type { Logger } from '../logger.ts';
import type { SurveyReader } from '../storage/surveys/index.ts';
import { keyedCustomerDigest } from './opt-out-model.ts';

export interface RelationshipSettings {
  /** Length of one period; 0 switches relationship surveys off. */
  everyMs: number;
  /** Customers who had a care conversation this recently are asked. */
  lookbackMs: number;
  cron: string;
  timeZone: string;
}

/** The agent a relationship survey is filed under: nobody's conversation, so no agent's figure. */
export const RELATIONSHIP_AGENT = { id: 'relationship', name: 'Relationship survey' } as const;

export class RelationshipSchedule {
  private task: ScheduledTask | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly deps: {
    surveys: SurveyReader;
    sink: Pick<EngineSink, 'resolved'>;
    settings: RelationshipSettings;
    logger: Logger;
    now?: () => Date;
  }) {}

  get enabled(): boolean {
    return this.deps.settings.everyMs > 0;
  }

  start(): void {
    if (!this.enabled || this.task) return;
    const { cron: expression, timeZone } = this.deps.settings;
    this.task = cron.schedule(expression, async () => {
      this.running = this.run().catch((err) => this.deps.logger.error({ err }, 'relationship surveys failed'));
      await this.running;
    }, { timezone: timeZone, name: 'nps-relationship', noOverlap: true });
    this.deps.logger.info({ cron: expression, timeZone, everyDays: this.deps.settings.everyMs / 86_400_000 }, 'relationship surveys scheduled');
  }

  async stop(): Promise<void> {
    await this.task?.stop();
    this.task = undefined;
    await this.running;
  }

  /** Schedule this period's relationship surveys. Returns how many were new. */
  async run(): Promise<{ scheduled: number; already: number }> {
    if (!this.enabled) return { scheduled: 0, already: 0 };
    const now = (this.deps.now ?? (() => new Date()))();
    const period = Math.floor(now.getTime() / this.deps.settings.everyMs);
    // The latest after-care conversation of each customer in the look-back, summed in the database.
    const customers = await this.deps.surveys.aggregate<{ _id: { channel: string; id: string }; name?: string; locale?: string; address?: Record<string, string>; segment?: string; value?: number }>([
      { $match: { type: 'transactional', resolvedAt: { $gte: new Date(now.getTime() - this.deps.settings.lookbackMs) }, forgotten: { $ne: true } } },
      { $sort: { resolvedAt: 1 } },
      { $group: {
        _id: { channel: '$channel', id: '$customer.id' },
        name: { $last: '$customer.name' },
        locale: { $last: '$customer.locale' },
        address: { $last: '$address' },
        segment: { $last: '$customer.segment' },
        value: { $last: '$customer.value' },
      } },
    ]);
    let scheduled = 0;
    let already = 0;
    for (const c of customers) {
      const outcome = await this.deps.sink.resolved({
        channel: c._id.channel,
        conversationId: relationshipConversationId(period, c._id.channel, c._id.id),
        type: 'relational',
        customer: { id: c._id.id, name: c.name ?? undefined, locale: c.locale ?? undefined, segment: c.segment ?? undefined, value: c.value ?? undefined },
        agent: { ...RELATIONSHIP_AGENT },
        resolvedAt: now,
        ...(c.address ? { address: c.address } : {}),
      }).catch((err: unknown) => {
        // A channel switched off since, or a customer id from before a rename: skip that one.
        this.deps.logger.warn({ channel: c._id.channel, err: (err as Error).message }, 'relationship survey not scheduled');
        return null;
      });
      if (outcome?.status === 'scheduled') scheduled++;
      else if (outcome?.status === 'duplicate') already++;
    }
    this.deps.logger.info({ period, scheduled, already }, 'relationship surveys for this period');
    return { scheduled, already };
  }
}

/**
 * One id per period and customer. Conversation ids are shown to managers and customer ids
 * are not: a keyed HMAC (OPT_OUT_KEY_SECRET), since an unkeyed hash of a phone number is
 * recovered by hashing every phone number.
 */
export function relationshipConversationId(period: number, channel: string, customerId: string): string {
  const digest = keyedCustomerDigest('relationship', channel, customerId).slice(0, 32);
  return `relationship:${period}:${digest}`;
}
