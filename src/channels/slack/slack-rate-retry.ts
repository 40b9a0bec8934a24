/**
 * A read on the resolution path that Slack answered `ratelimited` (HTTP 429): waited out
 * for its Retry-After and made again, a bounded number of times, instead of failing the
 * event. Slack delivers a failed event only three more times over minutes (and the
 * client rejects rate-limited calls at once, so nothing else waits for it); a resolution
 * must not depend on that. Past the bound the error goes on (the event answers 500, so
 * Slack still delivers it again).
 */
import { webApi } from '@slack/bolt';

export interface RateRetry {
  /** Calls in all (the first included). */
  attempts: number;
  /** The most all the waits of one read may add up to. */
  maxWaitMs: number;
}

/** Inside Slack's 3-second answer window for the usual 1–2 s Retry-After; a longer one is Slack's redelivery's. */
export const RESOLUTION_READ_RETRY: RateRetry = { attempts: 3, maxWaitMs: 2_500 };

export async function retryRateLimited<T>(read: () => Promise<T>, policy: RateRetry, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<T> {
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (!(err instanceof webApi.WebAPIRateLimitedError) || attempt >= policy.attempts) throw err;
      const wait = Math.max(0, err.retryAfter) * 1000;
      if (waited + wait > policy.maxWaitMs) throw err;
      waited += wait;
      await sleep(wait);
    }
  }
}
