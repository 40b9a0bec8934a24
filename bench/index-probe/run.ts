/**
 * Does the server behind MONGODB_URI use an index for the hottest survey queries?
 * `node --import tsx bench/index-probe/run.ts [N…]` (default 1000 20000): for each N it
 * fills a scratch database (dropped afterwards) with N surveys carrying the schema's
 * indexes, then prints per query the median time of 21 runs and the server's `explain`
 * plan (or why there is none). A time that grows with N, or a plan that says it scans,
 * means a collection scan. Written for docs/scaling.md (servers tried here); plain driver,
 * loopback only.
 */
import mongoose from 'mongoose';

const URI = process.env.MONGODB_URI;
if (!URI) throw new Error('set MONGODB_URI');
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const STATES = ['scheduled', 'asked', 'scored', 'completed', 'expired'];

interface ProbeSurvey { _id: string; channel: string; conversationId: string; customer: { id: string }; state: string; askAt: Date; v: number }

async function medianMs(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < 21; r++) {
    const t = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Number(times.sort((a, b) => a - b)[10]!.toFixed(2));
}

/** The plan's steps, compactly: PostgreSQL's node types and index names, SQLite's details, MongoDB's stages. */
function planSteps(plan: unknown): string {
  const steps: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (typeof v === 'string') { steps.push(v); return; }
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (['Node Type', 'Index Name', 'detail', 'stage', 'indexName'].includes(k) && typeof x === 'string') steps.push(x);
      else if (typeof x === 'object' && k !== 'Output') walk(x);
    }
  };
  walk(plan);
  return steps.join(' > ');
}

async function probe(client: mongoose.mongo.MongoClient, n: number): Promise<object> {
  const db = client.db(`index_probe_${n}`);
  await db.dropDatabase();
  const surveys = db.collection<ProbeSurvey>('surveys');
  // The survey schema's indexes these queries need (src/storage/hot-queries.ts).
  await surveys.createIndex({ channel: 1, conversationId: 1 }, { unique: true });
  await surveys.createIndex({ channel: 1, 'customer.id': 1, state: 1 });
  await surveys.createIndex({ state: 1, askAt: 1 });
  for (let b = 0; b < n; b += 1000) {
    await surveys.insertMany(Array.from({ length: Math.min(1000, n - b) }, (_, k) => {
      const i = b + k;
      return { _id: `s${i}`, channel: 'webhook', conversationId: `conv-${i}`, customer: { id: `cust-${i}` }, state: STATES[i % 5]!, askAt: new Date(1e12 + i * 1000), v: 0 };
    }));
  }
  const mid = n >> 1;
  const filters: Record<string, Record<string, unknown>> = {
    'resolution: {channel, conversationId} (unique)': { channel: 'webhook', conversationId: `conv-${mid}` },
    'message: {channel, customer.id, state $in}': { channel: 'webhook', 'customer.id': `cust-${mid + 1}`, state: { $in: ['sending', 'asked', 'scored'] } },
    'transition: {_id, state}': { _id: `s${mid}`, state: 'completed' },
  };
  const out: Record<string, unknown> = { n };
  for (const [name, filter] of Object.entries(filters)) {
    const ms = await medianMs(() => surveys.findOne(filter));
    let plan: string;
    try {
      const e = await db.command({ explain: { find: 'surveys', filter, limit: 1 } });
      plan = planSteps(e.queryPlanner?.winningPlan ?? e.queryPlanner ?? e);
    } catch (err) {
      plan = `no explain: ${(err as Error).message}`;
    }
    out[name] = { medianMs: ms, plan };
  }
  let i = n >> 2;
  out['findOneAndUpdate {channel, conversationId}'] = { medianMs: await medianMs(() => surveys.findOneAndUpdate({ channel: 'webhook', conversationId: `conv-${i++}` }, { $inc: { v: 1 } })) };
  await db.dropDatabase();
  return out;
}

const conn = await mongoose.createConnection(URI).asPromise();
try {
  for (const n of sizes.length ? sizes : [1000, 20_000]) process.stdout.write(`${JSON.stringify(await probe(conn.getClient(), n))}\n`);
} finally {
  await conn.close();
}
