/**
 * Trying a Discord REST call again after a transient failure, with a bounded,
 * jittered exponential backoff. discord.js's REST client already waits out 429s and
 * repeats a 5xx up to three times at once; this adds spaced attempts on top, so a
 * short outage of Discord's API (a stretch of 502s) ends in a retry, not a drop.
 */
import { backoffMs } from '../../backoff.ts';
import { sleep } from '../abortable-sleep.ts';
import { isTransientDiscordError } from './discord-errors.ts';

export interface RetryPolicy {
  /** Attempts in all (the first included). */
  attempts: number;
  /** The wait before the second attempt; doubled before each next one. */
  baseMs: number;
  /** The longest single wait. */
  maxMs: number;
  /** Aborted (the adapter stops): no more waiting, the last error is thrown. */
  signal?: AbortSignal;
}

/** For reads on the resolution path: about 3.5 s of waits over four attempts. */
export const READ_RETRY: RetryPolicy = { attempts: 4, baseMs: 500, maxMs: 4000 };

export async function retrying<T>(fn: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= policy.attempts || !isTransientDiscordError(err) || policy.signal?.aborted) throw err;
      const waited = await sleep(backoffMs(attempt, policy.baseMs, policy.maxMs), policy.signal);
      if (!waited) throw err;
    }
  }
}

