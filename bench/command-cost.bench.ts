/**
 * What one database command costs, by the shape of its filter: this process's CPU per
 * command (the driver's share, the same whatever the document) and, when the server is
 * the local test server, the server's CPU per command. The collection has the survey
 * indexes these shapes use (src/storage/hot-queries.ts), so on MongoDB every shape here is
 * one index seek; the test server (scripts/mongo-java-server) serves them from the same
 * indexes: `_id` with other fields from the `_id` index, channel and customer from
 * `{channel, customer.id, state}` (the stock mongo-java-server scanned both). A shape that
 * costs more the larger BENCH_COST_DOCS is a scan (a findAndModify's scan stops at its first
 * match, so there it grows with the match's place). The engine bench's server time goes here
 * (a reply finds its survey by channel and customer).
 *
 * BENCH_COST_DOCS (default 2000): documents in the collection; BENCH_COST_OPS (default
 * 2000): commands per shape, one at a time, after as many to warm up.
 */
import { pathToFileURL } from 'node:url';
import type { mongo, Types } from 'mongoose';
import { openBenchDb, serverCpuMs, serverMsSince } from './bench-db.ts';

type Shape = (c: mongo.Collection, ids: Types.ObjectId[], i: number) => Promise<unknown>;

/** The shapes the engine uses, beside the baseline's. */
const SHAPES: Record<string, Shape> = {
  find_and_modify_by_id: (c, ids, i) => c.findOneAndUpdate({ _id: ids[i] }, { $inc: { version: 1 } }),
  find_and_modify_by_id_and_state: (c, ids, i) => c.findOneAndUpdate({ _id: ids[i], state: 'asked' }, { $inc: { version: 1 } }),
  find_and_modify_by_customer: (c, _ids, i) => c.findOneAndUpdate(
    { channel: 'bench', 'customer.id': `c${i}`, state: { $in: ['sending', 'asked'] }, eventIds: { $ne: 'e' } }, { $inc: { version: 1 } },
  ),
  update_by_id_and_owed_id: (c, ids, i) => c.updateOne({ _id: ids[i], 'owed.id': 'o' }, { $set: { updatedAt: new Date() } }),
  update_by_id: (c, ids, i) => c.updateOne({ _id: ids[i] }, { $inc: { version: 1 } }),
  find_one_by_id: (c, ids, i) => c.findOne({ _id: ids[i] }),
};

export async function run(): Promise<void> {
  const docs = Number(process.env.BENCH_COST_DOCS ?? 2000);
  const ops = Math.min(docs, Number(process.env.BENCH_COST_OPS ?? 2000));
  const db = await openBenchDb('command_cost');
  try {
    const c = db.conn.db!.collection('surveys');
    // The indexes of src/storage/surveys/survey-model.ts that serve the shapes below.
    await c.createIndex({ channel: 1, conversationId: 1 }, { unique: true });
    await c.createIndex({ channel: 1, 'customer.id': 1, state: 1 });
    const at = new Date();
    for (let from = 0; from < docs; from += 5000) {
      await c.insertMany(Array.from({ length: Math.min(5000, docs - from) }, (_, j) => ({
        channel: 'bench', conversationId: `k${from + j}`, type: 'transactional', customer: { id: `c${from + j}`, locale: 'en' }, agent: { id: 'a1' },
        state: 'asked', resolvedAt: at, askAt: at, askedAt: at, expiresAt: at, reprompts: 0, attempts: 0, version: 1, dirty: true,
        createdAt: at, updatedAt: at, eventIds: ['x'], owed: { id: 'x', key: 'followupPassive', attempts: 0, dueAt: at },
      })));
    }
    const ids = (await c.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id as Types.ObjectId);
    const figures: Record<string, { client_cpu_ms: number; server_cpu_ms: number | null }> = {};
    for (const [name, shape] of Object.entries(SHAPES)) {
      for (let i = 0; i < ops; i++) await shape(c, ids, i); // warm-up (the JIT on both sides)
      const cpu = process.cpuUsage();
      const server = serverCpuMs();
      for (let i = 0; i < ops; i++) await shape(c, ids, i);
      const u = process.cpuUsage(cpu);
      const serverMs = serverMsSince(server);
      figures[name] = {
        client_cpu_ms: Math.round(((u.user + u.system) / 1000 / ops) * 1000) / 1000,
        server_cpu_ms: serverMs === null ? null : Math.round((serverMs / ops) * 1000) / 1000,
      };
    }
    console.log(JSON.stringify({ bench: 'command-cost', documents: docs, commands_per_shape: ops, ...figures }));
  } finally {
    await db.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
}
