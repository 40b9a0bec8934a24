/**
 * A platform's rate limit the strictest way it can be read: at most `limit` requests in
 * ANY span of `windowMs` (a sliding window over the log of accepted requests), per key.
 * A request over it is refused with the wait until it would fit (the platform's 429 and
 * Retry-After). Used by the fakes of the rate benchmark and the shared-budget tests.
 */
export class SlidingWindowLimit {
  private readonly log = new Map<string, number[]>();

  constructor(readonly limit: number, readonly windowMs: number) {}

  /** Accept a request at `now`, or return the ms until one would be accepted. */
  take(key: string, now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    let times = this.log.get(key);
    if (!times) {
      times = [];
      this.log.set(key, times);
    }
    while (times.length > 0 && times[0]! <= now - this.windowMs) times.shift();
    if (times.length >= this.limit) return { ok: false, retryAfterMs: times[0]! + this.windowMs - now };
    times.push(now);
    return { ok: true };
  }
}

/** The most requests any span of `windowMs` holds in a sorted list of times: what a sliding limit checks. */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[first]! >= windowMs) first++;
    most = Math.max(most, i - first + 1);
  }
  return most;
}
