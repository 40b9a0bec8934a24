/**
 * Each test file gets its own database on the real MongoDB-protocol server named by
 * MONGODB_URI (mongo-java-server here, started by scripts/mongo-test-server.sh; real MongoDB elsewhere).
 * No mocks: if MONGODB_URI is unset the tests fail with a message saying how to start one.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';

export function mongoUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: run `export MONGODB_URI=$(scripts/mongo-test-server.sh start)` (or use `bash .ci/run`)');
  return uri;
}

/** A fresh database with a name unique to this file and run. */
export function testDbName(label: string): string {
  return `t_${label.replace(/[^A-Za-z0-9]/g, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
}

export async function openTestDb(label: string): Promise<{ conn: Connection; dbName: string; drop(): Promise<void> }> {
  const dbName = testDbName(label);
  const conn = await mongoose.createConnection(mongoUri(), { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
  return {
    conn,
    dbName,
    async drop() {
      try { await conn.dropDatabase(); } finally { await conn.close(); }
    },
  };
}
