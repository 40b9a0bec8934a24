/**
 * Start-up calls to a platform (Discord's gateway lookup and login, Slack's auth.test and
 * apps.connections.open, Telegram's getMe) tried again while the platform fails in a way
 * that passes (no answer, a timeout, a 5xx, a 429), so a hiccup while the bot starts never
 * ends the process; a refusal that will not pass (a bad token, a bad setting) ends
 * start-up at once with one line naming the setting.
 *
 * Waits double from `firstDelayMs` up to `maxDelayMs`, ±25 % jitter; a 429's wait is
 * honoured (never sooner than the platform asked). There is no overall bound: a care
 * team's bot keeps trying for as long as the platform fails, with one warn line per try
 * (what failed and how, never a token, id or customer text). Stopping the adapter
 * (`signal`) ends the waiting.
 */
import { backoffMs } from '../backoff.ts';
import { ConfigError } from '../env-readers.ts';
import type { Logger } from '../logger.ts';
import { MAX_RETRY_AFTER_MS } from './retry-after.ts';
import { sleep } from './abortable-sleep.ts';

export interface StartUpBackoff {
  /** The wait after the first failure. */
  firstDelayMs: number;
  /** The longest wait between two tries. */
  maxDelayMs: number;
}

export const START_UP_BACKOFF: StartUpBackoff = { firstDelayMs: 1_000, maxDelayMs: 60_000 };

/** What one failed try means: `reason` is logged, so it holds no token, id or customer text. */
export type StartUpFailure =
  | { kind: 'transient'; reason: string; retryAfterMs?: number }
  /** `message` ends start-up: name the setting to fix (e.g. "DISCORD_TOKEN: Discord refused the token …"). */
  | { kind: 'refused'; message: string };

/** The platform refused a setting for good (a bad token): start-up stops with this one line. */
export class StartUpRefusedError extends ConfigError {}

/** The adapter was stopped while it was still starting. */
export class StartUpStoppedError extends Error {
  override readonly name = 'StartUpStoppedError';
}

export interface StartUpRetryOptions {
  /** What is being tried, for the log line ("discord: connecting to the gateway"). */
  what: string;
  classify: (err: unknown) => StartUpFailure;
  logger: Logger;
  backoff?: Partial<StartUpBackoff>;
  signal?: AbortSignal;
  /** Called after each failure that passes, before the wait of `waitMs` (an adapter that goes on starting in the background). */
  onRetry?: (attempt: number, waitMs: number) => void;
}

/** The wait before try `attempt + 1` (attempt counts from 1): doubled each time, capped, ±25 % jitter. */
export function startUpDelayMs(attempt: number, backoff: StartUpBackoff, retryAfterMs?: number): number {
  const jittered = backoffMs(attempt, backoff.firstDelayMs, backoff.maxDelayMs);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** Run `attempt` until it succeeds, is refused for good (StartUpRefusedError) or the signal stops it (StartUpStoppedError). */
export async function retryStartUp<T>(attempt: (n: number) => Promise<T>, options: StartUpRetryOptions): Promise<T> {
  const backoff = { ...START_UP_BACKOFF, ...options.backoff };
  for (let n = 1; ; n++) {
    if (options.signal?.aborted) throw new StartUpStoppedError(`${options.what}: stopped while starting`);
    try {
      return await attempt(n);
    } catch (err) {
      if (options.signal?.aborted) throw new StartUpStoppedError(`${options.what}: stopped while starting`);
      const failure = options.classify(err);
      if (failure.kind === 'refused') throw new StartUpRefusedError(failure.message, { cause: err });
      const waitMs = startUpDelayMs(n, backoff, failure.retryAfterMs);
      options.logger.warn({ attempt: n, retryInMs: waitMs, reason: failure.reason }, `${options.what} failed; trying again`);
      options.onRetry?.(n, waitMs);
      if (!await sleep(waitMs, options.signal, { keepAlive: true })) throw new StartUpStoppedError(`${options.what}: stopped while starting`);
    }
  }
}
