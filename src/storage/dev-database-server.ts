/**
 * The development stand-in for a first run on a machine that can reach neither MongoDB
 * nor its downloads: mongo-java-server (the server our tests run on) with its data in an
 * H2 file under DATA_DIR, started through scripts/mongo-test-server.sh on loopback. It
 * needs Java 17 and Maven (the jars come from Maven Central once). It passes the
 * database-fidelity test, but it is not MongoDB: never for production.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from '../logger.ts';

export interface DevDatabaseSettings { dataDir: string; devDatabasePort: number }

/** A running stand-in: where it listens, and how to stop it (H2 writes its file on stop). */
export interface DevDatabase { uri: string; stop(): Promise<void> }

const run = promisify(execFile);
/** The script is two folders up from this file, in src/ and in dist/ alike. */
const SCRIPT = fileURLToPath(new URL('../../scripts/mongo-test-server.sh', import.meta.url));
/** Fetching the jars on a first run takes a while; starting takes seconds. */
const START_TIMEOUT_MS = 5 * 60_000;

/** Start (or reuse) the stand-in; null when it cannot be had (no Java, no Maven, no script). */
export async function startDevDatabase(config: DevDatabaseSettings, logger: Logger, why = 'no embedded mongod could start'): Promise<DevDatabase | null> {
  if (!existsSync(SCRIPT) || !(await has('java')) || !(await has('javac'))) return null;
  const dir = resolve(config.dataDir, 'mongo-java-server');
  mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    MONGO_TEST_PORT: String(config.devDatabasePort),
    MONGO_TEST_DIR: dir,
    MONGO_TEST_DATA_FILE: resolve(dir, 'data.h2'),
  };
  let uri: string;
  try {
    uri = (await run('bash', [SCRIPT, 'start'], { env, timeout: START_TIMEOUT_MS })).stdout.trim();
  } catch (err) {
    logger.warn({ err: (err as Error).message.split('\n')[0] }, 'the development database (mongo-java-server) could not start');
    return null;
  }
  // The one line a first run shows: what went wrong, and what happens instead.
  logger.warn({ dataDir: dir, port: config.devDatabasePort },
    `MONGODB_URI not set and ${why}: using mongo-java-server as a development stand-in (data kept in DATA_DIR); not for production`);
  return {
    uri,
    async stop() {
      // Stop it so H2 writes its file; a second bot on the same DATA_DIR would lose its server,
      // which is fine for a development stand-in.
      await run('bash', [SCRIPT, 'stop'], { env }).catch(() => undefined);
    },
  };
}

async function has(command: string): Promise<boolean> {
  try {
    await run('bash', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}
