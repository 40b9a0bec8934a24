/**
 * Holding an inbound message while the bot cannot store it. Webhook platforms deliver
 * again when we answer 5xx; a gateway (Discord's WebSocket) delivers once, so an answer
 * typed during a database outage would be lost. The adapter holds it instead and tries
 * again with backoff, in order, for a bounded time; a refusal of the message itself
 * (a validation error) is not retried.
 */
import type { Logger } from '../logger.ts';
import { ValidationError } from '../validation.ts';

export interface HoldOptions {
  /** How long one message is held at most. */
  maxMs: number;
  /** The first wait; doubled up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  logger: Logger;
  /** Stop holding (the adapter is stopping). */
  signal?: AbortSignal;
}

export async function deliverHeld<T>(job: () => Promise<T>, opts: HoldOptions): Promise<T> {
  const deadline = Date.now() + opts.maxMs;
  let delay = opts.firstDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await job();
    } catch (err) {
      if (err instanceof ValidationError || opts.signal?.aborted || Date.now() + delay > deadline) throw err;
      if (attempt === 1) opts.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'an answer could not be stored yet; holding it and trying again');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5_000);
    }
  }
}
