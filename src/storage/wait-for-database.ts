/**
 * Start-up steps that need the database (migrations, indexes, the first reads), tried
 * again while it does not answer: a database restarting while the bot starts must not
 * end the process (the chaos run saw a bot exit with ECONNREFUSED when the database was
 * killed eight seconds after the bot was restarted). Anything else (a refused login, an
 * index that conflicts) fails at once, as before. Each step must be safe to run again:
 * every `init()` creates indexes that may exist, and migrations are idempotent.
 *
 * Waits double from 1 s up to 30 s (±25 %), with one warn line per try; no bound unless
 * `giveUpAfterMs` is set (the first connect: a wrong MONGODB_URI should still end
 * start-up with a clear line, not wait for ever).
 */
import { backoffMs } from '../backoff.ts';
import type { Logger } from '../logger.ts';
import { isDatabaseUnavailable } from './mongo-errors.ts';

export interface DatabaseWaitOptions {
  logger: Logger;
  /** Stop trying (and throw the last error) once this long has passed since the first try. */
  giveUpAfterMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export async function untilDatabaseAnswers<T>(what: string, step: () => Promise<T>, options: DatabaseWaitOptions): Promise<T> {
  const first = options.firstDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 30_000;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const waitMs = backoffMs(attempt, first, max);
      if (options.giveUpAfterMs !== undefined && Date.now() + waitMs - started > options.giveUpAfterMs) throw err;
      options.logger.warn({ attempt, retryInMs: waitMs, err: errorName(err) }, `${what}: the database does not answer; trying again`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** The error's kind only: a driver message may carry the server's address, never a secret, but the kind is what helps. */
function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
