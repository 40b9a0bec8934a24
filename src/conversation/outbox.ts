/**
 * Every message to a customer (and every notice to managers) leaves through here: each
 * send takes a slot from the platform's limits (send-pacer.ts; shared by every bot
 * process when the budget is the database's), a bound per channel on the sends in flight
 * (send-slots.ts), transient failures are retried with exponential backoff (or the
 * platform's retry-after, which then holds every process's schedule), and a permanent
 * refusal is passed up so the survey can be marked `failed` with the reason.
 *
 * Waiting is bounded: all the waits of one send stay within `maxWaitMs` (well inside the
 * survey's lease). A wait that would go past it is not taken here: the transient error
 * goes up with its retry-after, and the engine puts the survey back for that time.
 */
import type { ChannelAdapter, Notice, OutgoingMessage, Recipient, SendReceipt } from './channel-contract/channel.ts';
import { PermanentSendError, TransientSendError, WindowClosedError } from './channel-contract/send-errors.ts';
import type { Logger } from '../logger.ts';
import { LocalRateBudget, type RateBudget } from './rate-budget.ts';
import { watchWrites } from './late-writes.ts';
import { LATE_WRITE_MS, NoSlotInTime, SendPacer } from './send-pacer.ts';
import { SendSlots } from './send-slots.ts';

export interface OutboxOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The most one send may spend waiting between attempts, in all. */
  maxWaitMs?: number;
  /** Where the platforms' send budgets live: the database shared by all processes; default this process's memory. */
  budget?: RateBudget;
  logger: Logger;
  /** The clock slots are kept in (tests). */
  now?: () => number;
}

export class UnknownChannelError extends Error {
  override readonly name = 'UnknownChannelError';
  constructor(readonly channel: string) { super(`unknown channel "${channel}"`); }
}

export class Outbox {
  /** One limiter per channel that declares a rate (sends in flight); a channel without one is not paced. */
  private readonly limiters = new Map<string, SendSlots>();
  private readonly pacer: SendPacer;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly adapters: ReadonlyMap<string, ChannelAdapter>, private readonly options: OutboxOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.maxWaitMs = options.maxWaitMs ?? 15_000;
    this.pacer = new SendPacer(adapters, options.budget ?? new LocalRateBudget(), options.now);
    for (const [name, adapter] of adapters) {
      if (!adapter.rate) continue;
      this.limiters.set(name, new SendSlots(adapter.rate.concurrent ?? 4));
    }
  }

  has(channel: string): boolean {
    return this.adapters.has(channel);
  }

  /** The platform's messaging window for this recipient (ms after the customer's last message), or null if it has none. */
  messagingWindowMs(channel: string, to: Recipient): number | null {
    return this.adapters.get(channel)?.messagingWindowMs?.(to) ?? null;
  }

  /** Send a DM; resolves with the receipt, or throws PermanentSendError / WindowClosedError / TransientSendError (retries used up). */
  send(channel: string, to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    const adapter = this.adapter(channel);
    return this.withRetries(channel, to.customerId, () => adapter.send(to, message));
  }

  /** Post a notice for managers into a channel of the platform. */
  post(channel: string, channelId: string, notice: Notice): Promise<void> {
    const adapter = this.adapter(channel);
    return this.withRetries(channel, channelId, () => adapter.post(channelId, notice));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.limiters.values()].map((l) => l.stop()));
  }

  /** Hold the shared schedule; a database hiccup here must not turn a retryable send into a failure. */
  private async holdSchedule(channel: string, chat: string, ms: number, per: 'app' | 'chat'): Promise<void> {
    try {
      await this.pacer.platformSaidWait(channel, chat, ms, per);
    } catch (err) {
      this.options.logger.warn({ channel, err: (err as Error).message }, 'could not share the platform\'s retry-after');
    }
  }

  private adapter(channel: string): ChannelAdapter {
    const adapter = this.adapters.get(channel);
    if (!adapter) throw new UnknownChannelError(channel);
    return adapter;
  }

  private async withRetries<T>(channel: string, chat: string, job: () => Promise<T>): Promise<T> {
    const limiter = this.limiters.get(channel);
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const paced = async (): Promise<T> => {
        const slot = await this.pacer.take(channel, chat, this.maxWaitMs - waited);
        waited += slot.waitedMs;
        if (slot.at === undefined) return job();
        // Written late: its limits give up a slot (fast ones at once, slow ones once it is answered).
        const shared = (step: Promise<void>) => void step.catch((err: unknown) => {
          this.options.logger.warn({ channel, err: (err as Error).message }, 'could not give up a slot for a late send');
        });
        let late = false;
        const onLate = () => { late = true; shared(this.pacer.wroteLate(channel, chat)); };
        try {
          return await watchWrites({ slotAt: slot.at, lateMs: LATE_WRITE_MS, now: this.pacer.now, onLate }, job);
        } finally {
          if (late) shared(this.pacer.answeredLate(channel, chat, slot.quietAfterMs));
        }
      };
      try {
        return await (limiter ? limiter.run(paced) : paced());
      } catch (err) {
        // Retrying cannot help these: the platform said never, or not now (the engine decides).
        if (err instanceof PermanentSendError || err instanceof WindowClosedError) throw err;
        // Our pacing found no slot in time: that is the wait itself, up to the engine as it is.
        if (err instanceof NoSlotInTime) throw err;
        const transient = err instanceof TransientSendError
          ? err
          : new TransientSendError(err instanceof Error ? err.message : String(err));
        const asked = transient.retryAfterMs;
        // The platform said when: every process waits for it, not only this send.
        if (asked !== undefined) await this.holdSchedule(channel, chat, asked, transient.per);
        if (attempt >= this.maxAttempts) throw transient;
        const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        // A retry-after longer than we may wait goes up to the engine, which reschedules.
        if (asked !== undefined && (!Number.isFinite(asked) || asked > this.maxDelayMs || waited + asked > this.maxWaitMs)) throw transient;
        const wait = Math.max(0, asked ?? backoff);
        if (waited + wait > this.maxWaitMs) throw transient;
        waited += wait;
        this.options.logger.warn({ channel, attempt, waitMs: wait, err: transient.message }, 'send failed, retrying');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}
