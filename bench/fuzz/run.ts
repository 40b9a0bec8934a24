/**
 * `npm run fuzz`: generated requests (fast-check) against every HTTP route and role of two
 * live bot processes on one database (bench/fuzz/targets.ts, loopback only). Prints one
 * JSON line: requests sent, 5xx answers (target 0), unhandled rejections and crashes of
 * the bots (0), documents changed by refused requests (0: every request answered 4xx is
 * sent again, in batches, against a settled database whose every document is compared
 * before and after), and the worst latency. Exit 1 when a target is missed.
 *
 * FUZZ_REQUESTS (default 50000), FUZZ_SEED (default 1), FUZZ_CONCURRENCY (default 64),
 * FUZZ_REPLAY (refused requests sent again for the document check, default 10000).
 * A request that got no answer at all (the server closed the connection, as Node does
 * after a 413 while a huge body is still being sent) is counted apart, not as a 5xx.
 * Uses MONGODB_URI when set (a fresh database on it, dropped at the end), else its own
 * mongo-java-server.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import mongoose, { type Connection } from 'mongoose';
import { MANAGER, startTargets, type Targets } from './targets.ts';
import { requestArbitrary, type FuzzRequest } from './requests.ts';

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 50_000);
const SEED = Number(process.env.FUZZ_SEED ?? 1);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 64);
const REPLAY_MAX = Number(process.env.FUZZ_REPLAY ?? 10_000);
const log = (m: string): void => { process.stderr.write(`[fuzz] ${m}\n`); };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer { status: number; ms: number; body: string }

const agents = new Map<number, Agent>();
function send(port: number, r: FuzzRequest): Promise<Answer> {
  let agent = agents.get(port);
  if (!agent) agents.set(port, agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY }));
  const started = performance.now();
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of r.headers) {
      const had = headers[k];
      headers[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
    }
    if (r.body) headers['content-length'] = String(r.body.length);
    // Node refuses spaces and controls in a path: those go percent-encoded (every other oddity is sent as is).
    const path = r.path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff ? '\ufffd' : c));
    const req = request({ host: '127.0.0.1', port, method: r.method, path, headers, agent, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => { if (size < 2000) chunks.push(c); size += c.length; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
      res.on('error', () => resolve({ status: 0, ms: performance.now() - started, body: 'response error' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: -1, ms: performance.now() - started, body: err.message }));
    req.end(r.body ?? undefined);
  });
}

/** Run `items` with at most CONCURRENCY in flight, alternating the two bots. */
async function sendAll(targets: Targets, items: FuzzRequest[]): Promise<Answer[]> {
  const out: Answer[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await send(targets.bots[i % 2]!.port, items[i]!);
    }
  }));
  return out;
}

/** Every document of every collection, hashed by collection and id. */
async function snapshot(conn: Connection): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const { name } of await conn.db!.listCollections().toArray()) {
    for (const doc of await conn.db!.collection(name).find({}).toArray()) {
      out.set(`${name}/${String(doc._id)}`, createHash('sha1').update(JSON.stringify(doc)).digest('hex'));
    }
  }
  return out;
}

function changed(a: Map<string, string>, b: Map<string, string>, ignore: Set<string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => !ignore.has(k.split('/')[0]!) && a.get(k) !== b.get(k));
}

async function settle(conn: Connection, ignore: Set<string>): Promise<Map<string, string>> {
  let last = await snapshot(conn);
  for (let i = 0; i < 40; i++) {
    await sleep(500);
    const now = await snapshot(conn);
    if (changed(last, now, ignore).length === 0) return now;
    last = now;
  }
  return last;
}

async function api(targets: Targets, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${targets.bots[0]!.url}${path}`, {
    method, headers: { authorization: `Bearer ${MANAGER}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json };
}

async function login(targets: Targets): Promise<string> {
  const res = await fetch(`${targets.bots[1]!.url}/dashboard/login`, { method: 'POST', body: new URLSearchParams({ token: MANAGER }), redirect: 'manual' });
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

async function main(): Promise<number> {
  const started = Date.now();
  log('starting two bots and the platform fakes');
  const targets = await startTargets('fuzz');
  const conn = await mongoose.createConnection(targets.dbUri, { dbName: targets.dbName }).asPromise();
  let exit = 1;
  try {
    // Something to find: answered surveys with detractor follow-ups (ids for the follow-up routes).
    for (let i = 0; i < 20; i++) {
      await api(targets, 'POST', '/api/resolutions', { channel: 'webhook', conversationId: `seed-${i}`, customer: { id: `seed-cust-${i}`, name: 'Seed' }, agent: { id: 'a1', name: 'Anna' } });
    }
    const deadline = Date.now() + 60_000;
    while (targets.receiver.received.length < 20 && Date.now() < deadline) await sleep(200);
    for (let i = 0; i < 20; i++) {
      await api(targets, 'POST', '/api/channels/webhook/messages', { customerId: `seed-cust-${i}`, text: String(i % 11) });
      await api(targets, 'POST', '/api/channels/webhook/messages', { customerId: `seed-cust-${i}`, text: 'slow answer, call me' });
    }
    let followupIds: string[] = [];
    while (followupIds.length === 0 && Date.now() < deadline + 30_000) {
      const list = await api(targets, 'GET', '/api/followups?limit=50');
      followupIds = ((list.json as { followups?: Array<{ id: string }> })?.followups ?? []).map((f) => f.id);
      if (followupIds.length === 0) await sleep(500);
    }
    log(`seeded: ${followupIds.length} follow-ups`);
    let cookie = await login(targets);
    const arb = requestArbitrary({ followupIds, sessionCookie: () => cookie });

    // Phase 1: the generated requests.
    const stats = { requests: 0, status5xx: 0, connectionErrors: 0, refused: 0, accepted: 0, worstMs: 0, byStatus: {} as Record<string, number> };
    const connectionErrorExamples: Array<{ method: string; path: string; bytes: number; error: string }> = [];
    const refused: FuzzRequest[] = [];
    const fiveXX: Array<{ method: string; path: string; role: string; status: number; body: string }> = [];
    const BATCH = 1000;
    for (let done = 0; done < TOTAL; done += BATCH) {
      const items = fc.sample(arb, { numRuns: Math.min(BATCH, TOTAL - done), seed: SEED * 1_000_003 + done });
      const answers = await sendAll(targets, items);
      answers.forEach((a, i) => {
        stats.requests++;
        stats.worstMs = Math.max(stats.worstMs, a.ms);
        stats.byStatus[a.status] = (stats.byStatus[a.status] ?? 0) + 1;
        if (a.status <= 0) {
          // No answer at all: the server closed the connection (e.g. after a 413 while the body was still being sent).
          stats.connectionErrors++;
          if (connectionErrorExamples.length < 5) connectionErrorExamples.push({ method: items[i]!.method, path: items[i]!.path.slice(0, 80), bytes: items[i]!.body?.length ?? 0, error: a.body.slice(0, 100) });
        } else if (a.status >= 500) {
          stats.status5xx++;
          if (fiveXX.length < 20) fiveXX.push({ method: items[i]!.method, path: items[i]!.path.slice(0, 120), role: items[i]!.role, status: a.status, body: a.body.slice(0, 200) });
        } else if (a.status >= 400) {
          stats.refused++;
          refused.push(items[i]!);
        } else stats.accepted++;
      });
      if ((done / BATCH) % 10 === 0) log(`${stats.requests} sent, ${stats.status5xx} 5xx, worst ${Math.round(stats.worstMs)} ms`);
      if (targets.bots.some((b) => !b.ready)) await sleep(2000);
    }

    // Phase 2: every refused request again, against a settled database, compared document by document.
    // A sample of them (FUZZ_REPLAY, default 10000), spread over the whole run: a snapshot of the database per batch is slow.
    const every = Math.max(1, Math.ceil(refused.length / REPLAY_MAX));
    const replay = refused.filter((_, i) => i % every === 0);
    log(`replaying ${replay.length} of ${refused.length} refused requests against a settled database`);
    const calm1 = await settle(conn, new Set());
    await sleep(3000);
    const calm2 = await snapshot(conn);
    // Collections that change with no traffic at all (timers) are left out, and named in the output.
    const noisy = new Set(changed(calm1, calm2, new Set()).map((k) => k.split('/')[0]!));
    cookie = await login(targets);
    let base = await settle(conn, noisy);
    let changedByRefused = 0;
    let replayedRefused = 0;
    const changedExamples: string[] = [];
    const REPLAY = 250;
    for (let i = 0; i < replay.length; i += REPLAY) {
      const items = replay.slice(i, i + REPLAY);
      const answers = await sendAll(targets, items);
      const allRefused = answers.every((a) => a.status >= 400 && a.status < 500);
      const after = await snapshot(conn);
      if (allRefused) {
        replayedRefused += items.length;
        const diff = changed(base, after, noisy);
        changedByRefused += diff.length;
        for (const d of diff.slice(0, 3)) if (changedExamples.length < 10) changedExamples.push(d);
        base = after;
      } else {
        // A request refused before is accepted now (e.g. a reply within a new window): settle and start over.
        base = await settle(conn, noisy);
      }
    }

    const unhandled = targets.bots.reduce((n, b) => {
      const text = (() => { try { return readFileSync(b.logFile, 'utf8'); } catch { return ''; } })();
      return n + (text.match(/unhandled|uncaught/gi)?.length ?? 0);
    }, 0);
    const result = {
      requests: stats.requests,
      routesAndRoles: 'every route x none, wrong token, agent, ingest, manager, dashboard session, signed (Slack, X, WhatsApp, Chatwoot)',
      status5xx: stats.status5xx,
      connectionErrors: stats.connectionErrors,
      unhandledRejections: unhandled,
      botCrashes: targets.crashes.length,
      refused: stats.refused,
      refusedReplayed: replayedRefused,
      documentsChangedByRefused: changedByRefused,
      worstLatencyMs: Math.round(stats.worstMs),
      accepted: stats.accepted,
      byStatus: stats.byStatus,
      ignoredCollections: [...noisy],
      seed: SEED,
      seconds: Math.round((Date.now() - started) / 1000),
      ...(fiveXX.length ? { fiveXXExamples: fiveXX } : {}),
      ...(connectionErrorExamples.length ? { connectionErrorExamples } : {}),
      ...(changedExamples.length ? { changedExamples } : {}),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    exit = result.status5xx === 0 && result.unhandledRejections === 0 && result.botCrashes === 0 && result.documentsChangedByRefused === 0 && result.requests >= 50_000 ? 0 : 1;
  } finally {
    for (const a of agents.values()) a.destroy();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    await targets.stop();
  }
  return exit;
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`[fuzz] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
