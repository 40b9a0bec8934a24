/**
 * Every message to a customer (and every notice to managers) leaves through here: one
 * Bottleneck limiter per channel paces the platform's rate, transient failures are
 * retried with exponential backoff (or the platform's retry-after), and a permanent
 * refusal is passed up so the survey can be marked `failed` with the reason.
 *
 * Waiting is bounded: all the waits of one send stay within `maxWaitMs` (well inside the
 * survey's lease). A wait that would go past it is not taken here: the transient error
 * goes up with its retry-after, and the engine puts the survey back for that time.
 */
import Bottleneck from 'bottleneck';
import type { ChannelAdapter, Notice, OutgoingMessage, Recipient, SendReceipt } from './channel-contract/channel.ts';
import { PermanentSendError, TransientSendError, WindowClosedError } from './channel-contract/send-errors.ts';
import type { Logger } from '../logger.ts';

export interface OutboxOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The most one send may spend waiting between attempts, in all. */
  maxWaitMs?: number;
  logger: Logger;
}

export class UnknownChannelError extends Error {
  override readonly name = 'UnknownChannelError';
  constructor(readonly channel: string) { super(`unknown channel "${channel}"`); }
}

export class Outbox {
  /** One limiter per channel that declares a rate; a channel without one is not paced. */
  private readonly limiters = new Map<string, Bottleneck>();
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly adapters: ReadonlyMap<string, ChannelAdapter>, private readonly options: OutboxOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.maxWaitMs = options.maxWaitMs ?? 15_000;
    for (const [name, adapter] of adapters) {
      if (!adapter.rate) continue;
      const perSecond = adapter.rate.perSecond;
      this.limiters.set(name, new Bottleneck({
        // Whole milliseconds between starts; a platform faster than 1/ms needs no spacing at all.
        minTime: Math.floor(1000 / perSecond),
        maxConcurrent: adapter.rate.concurrent ?? 4,
      }));
    }
  }

  has(channel: string): boolean {
    return this.adapters.has(channel);
  }

  /** Send a DM; resolves with the receipt, or throws PermanentSendError / WindowClosedError / TransientSendError (retries used up). */
  send(channel: string, to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    const adapter = this.adapter(channel);
    return this.withRetries(channel, () => adapter.send(to, message));
  }

  /** Post a notice for managers into a channel of the platform. */
  post(channel: string, channelId: string, notice: Notice): Promise<void> {
    const adapter = this.adapter(channel);
    return this.withRetries(channel, () => adapter.post(channelId, notice));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.limiters.values()].map((l) => l.stop({ dropWaitingJobs: false })));
  }

  private adapter(channel: string): ChannelAdapter {
    const adapter = this.adapters.get(channel);
    if (!adapter) throw new UnknownChannelError(channel);
    return adapter;
  }

  private async withRetries<T>(channel: string, job: () => Promise<T>): Promise<T> {
    const limiter = this.limiters.get(channel);
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await (limiter ? limiter.schedule(job) : job());
      } catch (err) {
        // Retrying cannot help these: the platform said never, or not now (the engine decides).
        if (err instanceof PermanentSendError || err instanceof WindowClosedError) throw err;
        const transient = err instanceof TransientSendError
          ? err
          : new TransientSendError(err instanceof Error ? err.message : String(err));
        if (attempt >= this.maxAttempts) throw transient;
        const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        const asked = transient.retryAfterMs;
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
