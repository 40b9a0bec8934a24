/**
 * The database a benchmark runs against: MONGODB_URI when set, else the mongo-java-server of
 * scripts/mongo-test-server.sh (started if needed). Each benchmark uses its own database.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/**
 * CPU time (ms) the database server has used so far, when it is the local test server of
 * scripts/mongo-test-server.sh serving `uri` (its pid file, and its command line naming the
 * URI's port); null for any other server, whose CPU this process cannot see. The test server
 * answers equality filters from the collection's indexes, as MongoDB does with those of
 * src/storage/hot-queries.ts, but scans for ranges, `$or` and aggregations, so this is also
 * where a benchmark's time goes that MongoDB spends on index range scans instead.
 */
export function serverCpuMs(uri = benchUri()): number | null {
  try {
    const port = new URL(uri).port || '27017';
    const dir = process.env.MONGO_TEST_DIR ?? '.mongo-test-server';
    const pid = readFileSync(`${dir}/pid`, 'utf8').trim();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const main = cmdline.indexOf('MongoTestServer');
    if (main < 0 || cmdline[main + 1] !== port) return null;
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 per second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The server's CPU since `since` (a serverCpuMs reading), in ms; null when either reading is. */
export function serverMsSince(since: number | null): number | null {
  const now = serverCpuMs();
  return since === null || now === null ? null : now - since;
}
