/**
 * Start the whole bot for a test: real HTTP on 127.0.0.1 (port 0), the real engine,
 * and a fresh database on the MongoDB-protocol server of MONGODB_URI.
 */
import type { ChannelAdapter } from '../../src/conversation/channel-contract/channel.ts';
import { startApp, type RunningApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger, createLogger, type Logger } from '../../src/logger.ts';
import { openTestDb } from './database.ts';

export const TEST_API_TOKEN = 'test-api-token-0123456789abcdefghij';

export interface TestApp extends RunningApp {
  dbName: string;
  /** Stop the bot and drop its database. */
  close(): Promise<void>;
}

export async function startTestApp(opts: {
  label: string;
  env?: Record<string, string>;
  channels?: ChannelAdapter[];
  schedule?: boolean;
  now?: () => Date;
  /** The app's logger (default: silent, or TEST_LOG's level). */
  logger?: Logger;
}): Promise<TestApp> {
  // Every setting is checked here, before the database is touched (as `nps-bot start` does).
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    API_TOKEN: TEST_API_TOKEN,
    SCHEDULER_INTERVAL_MS: '100',
    ...opts.env,
  });
  const db = await openTestDb(opts.label);
  const logger = opts.logger ?? (process.env.TEST_LOG ? createLogger(process.env.TEST_LOG) : silentLogger());
  let app: RunningApp;
  try {
    app = await startApp({
      config,
      logger,
      channels: opts.channels,
      database: { conn: db.conn, embedded: false, close: async () => {} },
      schedule: opts.schedule,
      now: opts.now,
    });
  } catch (err) {
    // Never leave the connection holding the test process open.
    await db.drop();
    throw err;
  }
  return {
    ...app,
    dbName: db.dbName,
    async close() {
      await app.stop();
      await db.drop();
    },
  };
}

/**
 * The least time `eventually` gives a condition. Callers name bounds of a few seconds that
 * hold on an idle machine; on a loaded one (2 cores, another process keeping both busy)
 * the same work takes several times longer. A passing test never waits its bound out, so
 * a generous floor costs nothing but the time a failing test takes to say so.
 */
const LEAST_WAIT_MS = 20_000;

/** Poll until `check` returns a value that is not undefined/null/false, or fail after `ms` (at least LEAST_WAIT_MS). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + Math.max(ms, LEAST_WAIT_MS);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function authHeaders(token = TEST_API_TOKEN): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}
