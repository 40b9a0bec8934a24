/**
 * Whole conversations per second through the engine (resolution, question, score,
 * follow-up, comment, thanks) with an in-process channel, against a baseline that makes
 * only the minimum writes a conversation needs directly with the driver (one insert and
 * three conditional updates, each awaited) at the same concurrency, on the same server.
 * The baseline's updates name the document by `_id`; a second baseline
 * (`baseline_by_customer_*`) finds the survey of the two replies by channel and customer,
 * as a reply from a chat must (it carries the customer, not the survey). Also: reply
 * handling p99, and resident memory with 100,000 open surveys. Beside the times (which on
 * the test server measure the server and the machine's load): this process's CPU per
 * conversation, the server's CPU per conversation when the server is the local test
 * server (scripts/mongo-test-server.sh), and the database commands per conversation, of
 * each side.
 *
 * Before either side is measured, both run BENCH_WARMUP conversations unmeasured: the test
 * server is a JVM, and its first few thousand commands run while it still compiles them
 * (measured: the engine, run first on a fresh server, came out at half its warm rate while
 * the baselines after it ran warm).
 *
 * BENCH_CONVERSATIONS (default 2000), BENCH_CONCURRENCY (default 16), BENCH_OPEN (default 100000),
 * BENCH_WARMUP (default 3000).
 * BENCH_ENGINE_ONLY=1 runs the engine phase alone; BENCH_PROFILE=<file.cpuprofile> writes a
 * CPU profile of the engine phase only (open it in Chrome DevTools, or bench/profile-summary.ts).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import type { ChannelAdapter, OutgoingMessage, Recipient, SendReceipt } from '../src/conversation/channel-contract/channel.ts';
import type { Connection } from 'mongoose';
import { SurveyEngine } from '../src/conversation/engine.ts';
import { Outbox } from '../src/conversation/outbox.ts';
import { Templates } from '../src/conversation/templates.ts';
import { silentLogger } from '../src/logger.ts';
import { openBenchDb, percentile, pool, serverCpuMs, serverMsSince } from './bench-db.ts';
import { surveyModel } from '../src/storage/surveys/survey-model.ts';

/**
 * An in-process channel with no `rate`, so the outbox does not pace it: the figure is the
 * engine's and the database's, not the outbox's pacing nor a platform's limit.
 */
class NullChannel implements ChannelAdapter {
  readonly name = 'bench';
  sent = 0;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async send(_to: Recipient, _m: OutgoingMessage): Promise<SendReceipt> { this.sent++; return {}; }
  async post(): Promise<void> {}
}

export async function run(): Promise<void> {
  const conversations = Number(process.env.BENCH_CONVERSATIONS ?? 2000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
  const openCount = Number(process.env.BENCH_OPEN ?? 100_000);
  const warmup = Number(process.env.BENCH_WARMUP ?? 3000);
  const db = await openBenchDb('engine', { monitorCommands: true });
  let commands = 0;
  const byName = new Map<string, number>();
  db.conn.getClient().on('commandStarted', (e: { commandName: string }) => { commands++; byName.set(e.commandName, (byName.get(e.commandName) ?? 0) + 1); });
  try {
    const logger = silentLogger();
    const channel = new NullChannel();
    const engine = new SurveyEngine({
      conn: db.conn,
      outbox: new Outbox(new Map([[channel.name, channel]]), { logger }),
      templates: new Templates({}, 'Acme'),
      logger,
      settings: {
        fatigueMs: 0, askDelayMs: 0, expireMs: 72 * 3_600_000, maxReprompts: 1, staffIds: [], botIds: [],
        leaseMs: 60_000, defaultLocale: 'en', maxCommentChars: 2000, concurrency,
      },
    });
    await engine.init();

    // Whole conversations through the engine, `concurrency` at a time.
    const conversationsThrough = (prefix: string, count: number, replyMs: number[] | null) => pool(count, concurrency, async (i) => {
      const customerId = `${prefix}c${i}`;
      const { surveyId } = await engine.resolved({ channel: 'bench', conversationId: `${prefix}k${i}`, customer: { id: customerId }, agent: { id: `a${i % 50}` } });
      if (!(await engine.askNow(surveyId))) throw new Error(`survey ${surveyId} was not asked`);
      let t = performance.now();
      await engine.message({ channel: 'bench', customerId, text: String(i % 11), eventId: `${prefix}s${i}` });
      replyMs?.push(performance.now() - t);
      t = performance.now();
      await engine.message({ channel: 'bench', customerId, text: 'Quick and kind help', eventId: `${prefix}c${i}` });
      replyMs?.push(performance.now() - t);
    });

    // Warm-up, unmeasured: the engine's path and the baselines' (their own collections).
    if (warmup > 0) {
      await conversationsThrough('warm-', warmup, null);
      if (!process.env.BENCH_ENGINE_ONLY) {
        await baseline(db.conn, 'warmup_baseline', warmup, concurrency, false, () => commands);
        await baseline(db.conn, 'warmup_baseline_by_customer', warmup, concurrency, true, () => commands);
      }
    }

    const replyMs: number[] = [];
    const profiler = process.env.BENCH_PROFILE ? new Session() : null;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const c0 = process.cpuUsage();
    const s0 = serverCpuMs();
    const n0 = commands;
    byName.clear();
    const t0 = performance.now();
    await conversationsThrough('', conversations, replyMs);
    const engineSeconds = (performance.now() - t0) / 1000;
    const engineCpu = process.cpuUsage(c0);
    const engineCpuMs = cpuMs(c0);
    const engineServerMs = serverMsSince(s0);
    const engineCommands = commands - n0;
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      await writeFile(process.env.BENCH_PROFILE!, JSON.stringify(profile));
      profiler.disconnect();
    }
    const completed = await surveyModel(db.conn).countDocuments({ state: 'completed' });
    if (completed !== conversations + warmup) throw new Error(`engine completed ${completed} of ${conversations + warmup}`);
    if (process.env.BENCH_ENGINE_ONLY) {
      replyMs.sort((a, b) => a - b);
      console.log(JSON.stringify({
        bench: 'engine-only',
        conversations,
        engine_per_s: Math.round((conversations / engineSeconds) * 10) / 10,
        reply_p99_ms: Math.round(percentile(replyMs, 99) * 10) / 10,
        engine_cpu_ms_per_conversation: Math.round((engineCpuMs / conversations) * 100) / 100,
        engine_cpu_user_ms_per_conversation: Math.round((engineCpu.user / 1000 / conversations) * 100) / 100,
        engine_cpu_system_ms_per_conversation: Math.round((engineCpu.system / 1000 / conversations) * 100) / 100,
        engine_server_cpu_ms_per_conversation: perConversation(engineServerMs, conversations),
        engine_commands_per_conversation: Math.round((engineCommands / conversations) * 100) / 100,
        engine_commands_by_name: Object.fromEntries([...byName].map(([k, v]) => [k, Math.round((v / conversations) * 100) / 100])),
        concurrency,
      }));
      return;
    }

    // Baselines: the minimum writes, same concurrency, same server.
    const byId = await baseline(db.conn, 'baseline', conversations, concurrency, false, () => commands);
    const byCustomer = await baseline(db.conn, 'baseline_by_customer', conversations, concurrency, true, () => commands);

    // Memory with many open surveys: stored, not held; the engine keeps working.
    const now = Date.now();
    for (let start = 0; start < openCount; start += 5000) {
      const batch = Array.from({ length: Math.min(5000, openCount - start) }, (_, j) => ({
        channel: 'bench', conversationId: `open${start + j}`, type: 'transactional',
        customer: { id: `o${start + j}`, locale: 'en' }, agent: { id: 'a1' }, state: 'asked',
        resolvedAt: new Date(now), askAt: new Date(now), askedAt: new Date(now), expiresAt: new Date(now + 86_400_000),
        reprompts: 0, attempts: 0, version: 1, dirty: false,
      }));
      await surveyModel(db.conn).collection.insertMany(batch, { ordered: false });
    }
    await pool(200, concurrency, async (i) => {
      await engine.message({ channel: 'bench', customerId: `o${i * 7}`, text: '9' });
    });
    await engine.expireDue();
    (globalThis as { gc?: () => void }).gc?.();
    const rss = process.memoryUsage().rss / 1024 / 1024;

    const enginePerS = conversations / engineSeconds;
    replyMs.sort((a, b) => a - b);
    console.log(JSON.stringify({
      bench: 'engine',
      conversations,
      engine_per_s: Math.round(enginePerS * 10) / 10,
      baseline_per_s: Math.round(byId.perS * 10) / 10,
      ratio: Math.round((enginePerS / byId.perS) * 100) / 100,
      baseline_by_customer_per_s: Math.round(byCustomer.perS * 10) / 10,
      ratio_by_customer: Math.round((enginePerS / byCustomer.perS) * 100) / 100,
      reply_p99_ms: Math.round(percentile(replyMs, 99) * 10) / 10,
      engine_cpu_ms_per_conversation: Math.round((engineCpuMs / conversations) * 100) / 100,
      baseline_cpu_ms_per_conversation: Math.round((byId.cpuMs / conversations) * 100) / 100,
      baseline_by_customer_cpu_ms_per_conversation: Math.round((byCustomer.cpuMs / conversations) * 100) / 100,
      // The bot's own cost beside the driver's: this process's CPU, baseline over engine.
      cpu_ratio: Math.round((byId.cpuMs / engineCpuMs) * 100) / 100,
      engine_server_cpu_ms_per_conversation: perConversation(engineServerMs, conversations),
      baseline_server_cpu_ms_per_conversation: perConversation(byId.serverMs, conversations),
      baseline_by_customer_server_cpu_ms_per_conversation: perConversation(byCustomer.serverMs, conversations),
      engine_commands_per_conversation: Math.round((engineCommands / conversations) * 100) / 100,
      baseline_commands_per_conversation: Math.round((byId.commands / conversations) * 100) / 100,
      rss_mb_open_100k: Math.round(rss),
      open_surveys: openCount,
      concurrency,
    }));
  } finally {
    await db.drop();
  }
}

/**
 * The minimum a conversation needs, with the driver: one insert and three conditional
 * updates, each awaited. `byCustomer`: the two replies find their survey by channel and
 * customer (and its state), as a reply from a chat does; else by `_id`.
 */
async function baseline(conn: Connection, name: string, conversations: number, concurrency: number, byCustomer: boolean, commandsSoFar: () => number):
  Promise<{ perS: number; cpuMs: number; serverMs: number | null; commands: number }> {
  const raw = conn.db!.collection(name);
  await raw.createIndex({ channel: 1, conversationId: 1 }, { unique: true });
  // What MongoDB would serve the reply's look-up from (the test server scans either way).
  if (byCustomer) await raw.createIndex({ channel: 1, 'customer.id': 1, state: 1 });
  const c = process.cpuUsage();
  const s0 = serverCpuMs();
  const n = commandsSoFar();
  const t = performance.now();
  await pool(conversations, concurrency, async (i) => {
    const customer = { channel: 'bench', 'customer.id': `c${i}` };
    const { insertedId } = await raw.insertOne({ channel: 'bench', conversationId: `k${i}`, customer: { id: `c${i}` }, state: 'scheduled', resolvedAt: new Date() });
    await raw.findOneAndUpdate({ _id: insertedId, state: 'scheduled' }, { $set: { state: 'asked', askedAt: new Date() } });
    await raw.findOneAndUpdate({ ...(byCustomer ? customer : { _id: insertedId }), state: 'asked' }, { $set: { state: 'scored', score: i % 11 } });
    await raw.findOneAndUpdate({ ...(byCustomer ? customer : { _id: insertedId }), state: 'scored' }, { $set: { state: 'completed', comment: 'Quick and kind help' } });
  });
  const seconds = (performance.now() - t) / 1000;
  return { perS: conversations / seconds, cpuMs: cpuMs(c), serverMs: serverMsSince(s0), commands: commandsSoFar() - n };
}

/** This process's CPU since `since` (ms). */
function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

function perConversation(ms: number | null, conversations: number): number | null {
  return ms === null ? null : Math.round((ms / conversations) * 100) / 100;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
}
