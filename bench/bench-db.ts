/**
 * The database a benchmark runs against: MONGODB_URI when set, else the mongo-java-server of
 * scripts/mongo-test-server.sh (started if needed). Each benchmark uses its own database.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';

export function benchUri(): string {
  if (process.env.MONGODB_URI) return process.env.MONGODB_URI;
  const uri = execFileSync('scripts/mongo-test-server.sh', ['start'], { encoding: 'utf8' }).trim();
  process.env.MONGODB_URI = uri;
  return uri;
}

export async function openBenchDb(label: string, opts: { monitorCommands?: boolean } = {}): Promise<{ conn: Connection; drop(): Promise<void> }> {
  const conn = await mongoose.createConnection(benchUri(), { dbName: `bench_${label}_${randomBytes(3).toString('hex')}`, maxPoolSize: 64, ...opts }).asPromise();
  return { conn, async drop() { await conn.dropDatabase(); await conn.close(); } };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Run `count` jobs with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await job(next++);
  }));
}
