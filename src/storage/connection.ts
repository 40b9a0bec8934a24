/**
 * Connecting to MongoDB. With MONGODB_URI, that server. Without it, an embedded
 * `mongod` from mongodb-memory-server (an optional dependency, loaded only here) with its data under DATA_DIR, so a first run
 * needs no set-up and its data survives a restart. If the embedded server cannot start
 * (its binary is downloaded once and that needs the internet) and Java is there, the
 * development stand-in (dev-database-server.ts); else stop with a clear line.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../logger.ts';
import { startDevDatabase } from './dev-database-server.ts';
import { untilDatabaseAnswers } from './wait-for-database.ts';

export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
}

export interface Database {
  conn: Connection;
  embedded: boolean;
  /** The server's address, for the connection watchdog's probe (storage/database-watchdog.ts). */
  uri?: string;
  close(): Promise<void>;
}

/** The database settings (MONGODB_URI, MONGODB_DB, DATA_DIR, DEV_DATABASE, DEV_DATABASE_PORT), parsed by config.ts. */
export interface DatabaseConfig {
  mongodbUri?: string;
  mongodbDb: string;
  dataDir: string;
  devDatabase: 'auto' | 'off';
  devDatabasePort: number;
}

/** How long the first connect waits for a MONGODB_URI server that does not answer before start-up ends with a clear line. */
export const FIRST_CONNECT_WAIT_MS = 120_000;

export async function connectDatabase(config: DatabaseConfig, logger: Logger): Promise<Database> {
  if (config.mongodbUri) {
    const uri = config.mongodbUri;
    try {
      // A database restarting as the bot starts is waited for (FIRST_CONNECT_WAIT_MS); a refused login is not.
      const conn = await untilDatabaseAnswers('connecting to MONGODB_URI', async () => {
        // connectTimeoutMS also bounds a heartbeat: the watchdog counts one running past it (plus slack) as stuck.
        const attempt = mongoose.createConnection(uri, { dbName: config.mongodbDb, serverSelectionTimeoutMS: 10_000, connectTimeoutMS: 10_000 });
        try {
          return await attempt.asPromise();
        } catch (err) {
          await attempt.close().catch(() => undefined);
          throw err;
        }
      }, { logger, giveUpAfterMs: FIRST_CONNECT_WAIT_MS });
      logger.info({ db: config.mongodbDb }, 'connected to MongoDB (MONGODB_URI)');
      return { conn, embedded: false, uri: config.mongodbUri, close: () => conn.close() };
    } catch (err) {
      throw new DatabaseError(`MONGODB_URI: cannot connect (${(err as Error).message.split('\n')[0]})`);
    }
  }
  const dbPath = resolve(config.dataDir, 'mongodb');
  mkdirSync(dbPath, { recursive: true });
  let server: import('mongodb-memory-server').MongoMemoryServer;
  try {
    server = await startEmbedded(dbPath);
  } catch (err) {
    // mongodb-memory-server is an optional dependency (it downloads mongod): images and production installs leave it out.
    const why = (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND'
      ? 'the optional package mongodb-memory-server is not installed: `npm install mongodb-memory-server` for a local first run'
      : embeddedFailure(err);
    const dev = config.devDatabase === 'auto' ? await startDevDatabase(config, logger, why) : null;
    if (dev) {
      const conn = await mongoose.createConnection(dev.uri, { dbName: config.mongodbDb }).asPromise();
      return { conn, embedded: true, uri: dev.uri, async close() { await conn.close(); await dev.stop(); } };
    }
    throw new DatabaseError(
      `MONGODB_URI is not set and ${why}, and the development stand-in is ${config.devDatabase === 'off' ? 'off (DEV_DATABASE=off)' : 'not available (it needs Java 17 and Maven)'}. Set MONGODB_URI to a MongoDB server, `
      + 'e.g. `docker compose up -d mongo` then MONGODB_URI=mongodb://127.0.0.1:27017',
    );
  }
  const conn = await mongoose.createConnection(server.getUri(), { dbName: config.mongodbDb }).asPromise();
  logger.info({ dataDir: dbPath }, 'MONGODB_URI not set: using the embedded MongoDB (data kept in DATA_DIR)');
  return {
    conn,
    embedded: true,
    uri: server.getUri(),
    async close() {
      await conn.close();
      await server.stop({ doCleanup: false, force: false });
    },
  };
}

/** MongoMemoryServer prints its own failure with a stack trace; ours is one line, so that one is held back. */
async function startEmbedded(dbPath: string): Promise<import('mongodb-memory-server').MongoMemoryServer> {
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Starting the MongoMemoryServer Instance failed')) return;
    warn(...args);
  };
  try {
    return await MongoMemoryServer.create({ instance: { dbPath, storageEngine: 'wiredTiger', ip: '127.0.0.1' } });
  } finally {
    console.warn = warn;
  }
}

/** Why the embedded server did not start, in a few words (a failed download names the host it could not reach). */
export function embeddedFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; msg?: unknown };
  if (e?.name === 'DownloadError' || /Download failed/.test(e?.message ?? '')) {
    const detail = typeof e.msg === 'string' ? e.msg : (e.message ?? '').split('Details:')[1]?.trim().split('\n')[0];
    return `mongod could not be downloaded${detail ? ` (${detail.slice(0, 200)})` : ''}`;
  }
  return `the embedded MongoDB could not start (${(e?.message ?? String(err)).split('\n')[0]!.slice(0, 300)})`;
}
