/**
 * A fault switch the platform simulators share: while a storm is set, a share of the
 * requests that reach the simulator's API is refused with its status (429 with a
 * Retry-After, or a 5xx) before anything is done. Unset (the default), nothing changes.
 * The fault-injection run (bench/chaos) sets and clears storms for stretches of time.
 */
export interface Storm {
  /** 429 or a 5xx. */
  status: number;
  /** Seconds to ask the client to wait (429). */
  retryAfterSec?: number;
  /** Share of requests refused, 0..1 (default 1: all). */
  share?: number;
}

/** True when this request is to be refused by the storm. */
export function stormHits(storm: Storm | null | undefined): storm is Storm {
  return !!storm && Math.random() < (storm.share ?? 1);
}
