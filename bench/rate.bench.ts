/**
 * Sending at the platform's ceiling with two bot processes: for each platform, two
 * forked processes (rate-process.ts) share a backlog of BENCH_RATE_BACKLOG questions
 * (default 2,000) and send for at most BENCH_RATE_SECONDS (default 6) to a local fake
 * that enforces the platform's documented limit over any sliding window and answers
 * 429 with a retry-after above it. One JSON line per platform and strategy:
 * `achieved_per_s` (accepted sends over the time from the first to the last) beside
 * `allowed_per_s`, `ratio`, `rejected_429`, the budget's database operations per send
 * (`db_ops_per_send`; below 1 when one write serves several sends), the mean time a
 * reservation waited for its answer (`reserve_ms_mean`), and the fake's own longest
 * event-loop pause (`fake_longest_pause_ms`: arrivals during one are stamped late).
 *
 * BENCH_RATE_SCALE (default 1) scales every per-second limit, for a machine too loaded to
 * push the real ceilings (300/s) through two processes.
 *
 * BENCH_RATE_STRATEGIES (default `shared`): `shared` (the slot schedule in MongoDB, what
 * the bot uses), `window` (a counter per fixed one-second window, conditional upsert),
 * `local` (each process paces alone: the bot before this budget was shared).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getPriority, setPriority } from 'node:os';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { MongoRateBudget } from '../src/shared-state/rate-budget-store.ts';
import { SlidingWindowLimit } from '../test/fakes/sliding-window-limit.ts';
import { benchUri } from './bench-db.ts';
import { scaledPlatforms, type BenchPlatform } from './rate-platforms.ts';
import type { ProcessTask } from './rate-process.ts';

const STRATEGIES = ['shared', 'window', 'local'] as const;
type Strategy = (typeof STRATEGIES)[number];

/** The platform's side: accepts within its limit, else 429 with the wait. */
class FakePlatform {
  readonly accepted: number[] = [];
  readonly rejected: number[] = [];
  rejectedBy(t: number): number { return this.rejected.filter((x) => x <= t).length; }
  private readonly app: SlidingWindowLimit;
  constructor(readonly p: BenchPlatform) { this.app = new SlidingWindowLimit(p.limit, p.windowMs); }
  handle(now: number): { status: number; body: Record<string, unknown>; headers: Record<string, string> } {
    const v = this.app.take('app', now);
    if (!v.ok) {
      this.rejected.push(now);
      return { status: 429, body: { error: 'rate limited', retry_after_ms: v.retryAfterMs }, headers: { 'retry-after': String(Math.ceil(v.retryAfterMs / 1000)) } };
    }
    this.accepted.push(now);
    return { status: 200, body: { ok: true }, headers: {} };
  }
}

/**
 * The longest pauses of this process's event loop while the fake serves: requests that
 * arrive during one are stamped when it ends, closer together than they came (a platform
 * does not run on the bot's machine). Reported with each line, so that a 429 can be told
 * from the fake's own stall.
 */
class LoopPauses {
  longestMs = 0;
  private last = performance.now();
  private readonly timer = setInterval(() => {
    const t = performance.now();
    this.longestMs = Math.max(this.longestMs, t - this.last);
    this.last = t;
  }, 5);
  stop(): number { clearInterval(this.timer); return Math.round(this.longestMs); }
}

/**
 * The fake's main thread above the bot processes' priority while it serves (they are
 * forked before), so that a loaded machine stalls the bots rather than the platform's
 * clock. Where that is not allowed the fake runs as it is; the line says which.
 */
function raisePriority(): { raised: boolean; restore(): void } {
  const before = getPriority(0);
  try {
    setPriority(0, Math.max(-20, before - 10));
    return { raised: true, restore: () => setPriority(0, before) };
  } catch {
    return { raised: false, restore: () => undefined };
  }
}

async function startFake(platforms: Map<string, FakePlatform>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const name = /^\/([a-z]+)\/send$/.exec(req.url ?? '')?.[1];
    // Counted when the request arrives (its head is read), as a platform's edge counts it, not once its body is in.
    const arrived = Date.now();
    req.resume();
    req.on('end', () => {
      const p = name ? platforms.get(name) : undefined;
      const r = p ? p.handle(arrived) : { status: 404, body: { error: 'no such platform' }, headers: {} };
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(JSON.stringify(r.body));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

interface ChildResult { sent: number; putBack: number; dbOps: number; reserves: number; dbMs: number }

async function runPlatform(p: BenchPlatform, strategy: Strategy, opts: { backlog: number; seconds: number; uri: string }): Promise<Record<string, unknown>> {
  const fake = new FakePlatform(p);
  const server = await startFake(new Map([[p.name, fake]]));
  const dbName = `bench_rate_${randomBytes(3).toString('hex')}`;
  const conn = await mongoose.createConnection(opts.uri, { dbName }).asPromise();
  await new MongoRateBudget(conn).init();
  try {
    const child = fileURLToPath(new URL('./rate-process.ts', import.meta.url));
    const half = Math.ceil(opts.backlog / 2);
    const procs = [0, 1].map((i) => fork(child, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const results = procs.map((proc) => new Promise<ChildResult>((resolve, reject) => {
      proc.on('message', (m: Partial<ChildResult> & { ready?: boolean }) => { if (!m.ready) resolve(m as ChildResult); });
      proc.once('exit', (code) => { if (code !== 0) reject(new Error(`rate process exited with ${code}`)); });
    }));
    const ready = procs.map((proc) => new Promise<void>((resolve) => proc.once('message', () => resolve())));
    procs.forEach((proc, i) => {
      const task: ProcessTask = { platform: p.name, rate: p.rate, strategy, url: server.url, uri: opts.uri, dbName, first: i * half, count: Math.min(half, opts.backlog - i * half), seconds: opts.seconds };
      proc.send(task);
    });
    await Promise.all(ready);
    const priority = raisePriority();
    const pauses = new LoopPauses();
    const go = Date.now() + 200;
    for (const proc of procs) proc.send({ go });
    const done = await Promise.all(results).finally(() => priority.restore());
    const fakePauseMs = pauses.stop();
    // Only what arrived before the deadline (the processes stop there).
    const times = fake.accepted.filter((t) => t <= go + opts.seconds * 1000);
    const span = times.length > 1 ? (times[times.length - 1]! - times[0]!) / 1000 : 0;
    const achieved = span > 0 ? (times.length - 1) / span : 0;
    const allowed = (p.limit * 1000) / p.windowMs;
    const sent = done.reduce((n, r) => n + r.sent, 0);
    return {
      bench: 'rate', strategy, platform: p.name, processes: 2, backlog: opts.backlog,
      allowed_per_s: allowed,
      achieved_per_s: Math.round(achieved * 10) / 10,
      ratio: Math.round((achieved / allowed) * 100) / 100,
      rejected_429: fake.rejectedBy(go + opts.seconds * 1000),
      sent,
      seconds: Math.round(span * 10) / 10,
      reserve_ms_mean: Math.round(done.reduce((n, r) => n + r.dbMs, 0) / Math.max(1, done.reduce((n, r) => n + r.reserves, 0)) * 10) / 10,
      put_back: done.reduce((n, r) => n + r.putBack, 0),
      db_ops_per_send: sent > 0 ? Math.round((done.reduce((n, r) => n + r.dbOps, 0) / sent) * 100) / 100 : null,
      fake_priority_raised: priority.raised,
      fake_longest_pause_ms: fakePauseMs,
    };
  } finally {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    await server.close();
  }
}

export async function run(): Promise<void> {
  const backlog = Number(process.env.BENCH_RATE_BACKLOG ?? 2000);
  const seconds = Number(process.env.BENCH_RATE_SECONDS ?? 6);
  const strategies = (process.env.BENCH_RATE_STRATEGIES ?? 'shared').split(',').map((s) => s.trim()) as Strategy[];
  for (const s of strategies) if (!STRATEGIES.includes(s)) throw new Error(`BENCH_RATE_STRATEGIES: unknown strategy "${s}" (${STRATEGIES.join(', ')})`);
  const only = process.env.BENCH_RATE_PLATFORMS?.split(',').map((s) => s.trim());
  const scale = Number(process.env.BENCH_RATE_SCALE ?? 1);
  if (!(scale > 0 && scale <= 1)) throw new Error('BENCH_RATE_SCALE: expected a number above 0, at most 1');
  const uri = benchUri();
  for (const strategy of strategies) {
    for (const p of scaledPlatforms(scale).filter((x) => !only || only.includes(x.name))) {
      console.log(JSON.stringify({ ...await runPlatform(p, strategy, { backlog, seconds, uri }), ...(scale !== 1 ? { scale } : {}) }));
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then(() => process.exit(0), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
