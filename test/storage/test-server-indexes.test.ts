/**
 * Index look-ups return what a scan returns. The test server (scripts/mongo-java-server)
 * answers equality filters from indexes: a unique index for a filter that pins all its keys,
 * a non-unique one by its pinned key prefix. An index that is not kept right on some write
 * path (an update that does not re-key it, a delete that leaves a position behind) would
 * make a query miss documents or see stale ones. So: random writes applied to two
 * collections of one server, one with the bot's kind of indexes and one with none; after
 * each write, the same queries must return the same documents in the same order, where the
 * second collection's filters are wrapped in `$and` (no index serves a `$and`, so that side
 * is always the stock scan). Meaningful on any server: MongoDB must agree with itself too.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import mongoose from 'mongoose';
import { openTestDb } from '../helpers/database.ts';

type Db = mongoose.mongo.Db;
type Collection = mongoose.mongo.Collection;
type Doc = Record<string, unknown>;
const { Double, Long } = mongoose.mongo;

let db: Db;
let drop: () => Promise<void>;

beforeAll(async () => {
  const t = await openTestDb('testserverindexes');
  db = t.conn.getClient().db(t.dbName);
  drop = t.drop;
});
afterAll(async () => { await drop(); });

// ── the values: few, so that filters hit, with the types equality cares about ──────────
const DATES = [new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z')];
const CHANNELS = ['a', 'b'];
const STATES = ['asked', 'scored', 'completed'];
const CUSTOMER_IDS: unknown[] = ['u1', 'u2', 1, new Double(1), Long.fromNumber(2)];
const NUMBERS: unknown[] = [1, new Double(1), Long.fromNumber(1), 2, new Double(2.5)];
const TAGS: unknown[] = ['x', ['x', 'y'], [], [['x']], ['z', 'x'], null];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

/** A document body without `_id` and `conversationId` (those are fresh per write). */
const body = fc.record({
  channel: pick(CHANNELS),
  customer: maybe(fc.oneof(
    pick(CUSTOMER_IDS).map((id) => ({ id })),
    fc.constant({ id: null }),
    fc.constant({ id: ['u1', 'u3'] }),
    fc.constant([{ id: 'u2' }, { id: ['u1'] }]),
    fc.constant({}),
  )),
  state: maybe(pick(STATES)),
  owed: maybe(fc.record({ id: pick(['o1', 'o2']), dueAt: pick(DATES) })),
  tags: maybe(pick(TAGS)),
  notes: maybe(fc.array(fc.record({ k: pick(['p', 'q']), dueAt: pick(DATES) }), { maxLength: 2 })),
  n: maybe(pick(NUMBERS)),
}, { requiredKeys: ['channel'] });

/** Filters in the shapes the bot sends, and some it does not; `id` picks a document by number. */
const filter = fc.oneof(
  fc.record({ id: fc.nat(), state: pick(STATES) }).map(({ id, state }) => (ids: unknown[]) => ({ _id: ids[id % ids.length], state })),
  fc.record({ id: fc.nat(), o: pick(['o1', 'o2']) }).map(({ id, o }) => (ids: unknown[]) => ({ _id: ids[id % ids.length], 'owed.id': o })),
  fc.nat().map((id) => (ids: unknown[]) => ({ _id: ids[id % ids.length] })),
  fc.record({ channel: pick(CHANNELS), c: pick(CUSTOMER_IDS), s: fc.subarray(STATES, { minLength: 1 }) })
    .map(({ channel, c, s }) => () => ({ channel, 'customer.id': c, state: { $in: s } })),
  fc.record({ channel: pick(CHANNELS), c: pick(CUSTOMER_IDS) }).map(({ channel, c }) => () => ({ channel, 'customer.id': c })),
  pick(CHANNELS).map((channel) => () => ({ channel })),
  fc.record({ channel: pick(CHANNELS), n: pick(NUMBERS) }).map(({ channel, n }) => () => ({ channel, n })),
  pick(DATES).map((d) => () => ({ 'owed.dueAt': d })),
  pick(['x', 'y', 'z']).map((t) => () => ({ tags: t })),
  pick(['p', 'q']).map((k) => () => ({ 'notes.k': k })),
  pick(STATES).map((state) => () => ({ state })),
);

/** Updates on indexed and other fields, arrays and dotted paths included. */
const update = fc.oneof(
  fc.record({ c: pick(CUSTOMER_IDS) }).map(({ c }) => ({ $set: { 'customer.id': c } })),
  pick(STATES).map((state) => ({ $set: { state } })),
  pick(CHANNELS).map((channel) => ({ $set: { channel } })),
  pick(DATES).map((d) => ({ $set: { 'owed.dueAt': d, 'owed.id': 'o1' } })),
  pick(NUMBERS).map((n) => ({ $set: { n } })),
  pick(TAGS).map((tags) => ({ $set: { tags } })),
  fc.constant({ $unset: { state: '' } }),
  fc.constant({ $unset: { owed: '' } }),
  fc.constant({ $unset: { 'customer.id': '' } }),
  pick(['x', 'z']).map((t) => ({ $push: { tags: t } })),
  pick(['x', 'y']).map((t) => ({ $pull: { tags: t } })),
  pick(['p', 'q']).map((k) => ({ $push: { notes: { k, dueAt: DATES[0] } } })),
  fc.constant({ $set: { other: 'touched' } }),
);

type Op =
  | { op: 'insertOne'; doc: Doc }
  | { op: 'insertMany'; docs: Doc[] }
  | { op: 'updateOne' | 'updateMany'; filter: (ids: unknown[]) => Doc; update: Doc; upsert: boolean }
  | { op: 'findOneAndUpdate'; filter: (ids: unknown[]) => Doc; update: Doc; sort: Doc; upsert: boolean }
  | { op: 'replaceOne'; filter: (ids: unknown[]) => Doc; doc: Doc }
  | { op: 'deleteOne' | 'deleteMany'; filter: (ids: unknown[]) => Doc };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: body.map((doc) => ({ op: 'insertOne' as const, doc })) },
  { weight: 2, arbitrary: fc.array(body, { minLength: 1, maxLength: 4 }).map((docs) => ({ op: 'insertMany' as const, docs })) },
  { weight: 3, arbitrary: fc.record({ op: pick(['updateOne', 'updateMany'] as const), filter, update, upsert: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('findOneAndUpdate' as const), filter, update, sort: pick([{}, { n: 1 }, { n: -1, state: 1 }]), upsert: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('replaceOne' as const), filter, doc: body }) },
  { weight: 1, arbitrary: fc.record({ op: pick(['deleteOne', 'deleteMany'] as const), filter }) },
);

/** The queries compared after every write (the `_id` ones on the first documents). */
function queries(ids: unknown[]): Array<{ filter: Doc; sort?: Doc; limit?: number }> {
  const byId = ids.slice(0, 4).flatMap((_id) => [
    { filter: { _id, state: 'asked' } },
    { filter: { _id, 'owed.id': 'o1' } },
    { filter: { _id, channel: 'a', n: 1 } },
  ]);
  const perChannel = CHANNELS.flatMap((channel) => [
    { filter: { channel } },
    { filter: { channel, 'customer.id': 'u1', state: { $in: ['asked', 'scored'] } } },
    ...CUSTOMER_IDS.map((c) => ({ filter: { channel, 'customer.id': c } })),
    { filter: { channel, 'customer.id': null } },
    { filter: { channel, 'customer.id': { $in: ['u1', 'u3', 2] }, state: 'asked' } },
    { filter: { channel, conversationId: 1 } },
    { filter: { channel, conversationId: { $in: [0, 2, 3] }, state: { $in: STATES } } },
    { filter: { channel, n: new Double(1) } },
    { filter: { channel, state: 'asked' }, sort: { n: -1 }, limit: 2 },
    { filter: { channel, 'customer.id': { $eq: 'u2' } }, sort: { state: 1, n: 1 }, limit: 3 },
  ]);
  return [
    ...byId,
    ...perChannel,
    { filter: { _id: { $in: ids.slice(0, 5) }, channel: 'b' } },
    { filter: { _id: { $in: ids.slice(0, 5) } }, sort: { _id: 1 } }, // the stock index answers this one in key order
    ...DATES.map((d) => ({ filter: { 'owed.dueAt': d } })),
    { filter: { 'owed.dueAt': null } },
    { filter: { tags: 'x' } },
    { filter: { tags: { $in: ['y', 'z'] } } },
    { filter: { tags: [] } },
    { filter: { 'notes.k': 'p' } },
    { filter: { 'notes.k': 'q', channel: 'b' } },
    { filter: { state: 'asked', n: Long.fromNumber(1) } },
    { filter: { n: 2 }, sort: { channel: -1 }, limit: 1 },
  ];
}

async function outcome<T>(run: () => Promise<T>): Promise<{ ok: T } | { error: unknown }> {
  try {
    return { ok: await run() };
  } catch (err) {
    return { error: (err as { code?: unknown }).code ?? String(err) };
  }
}

/** Runs one write on a collection; `scan` wraps the filter so that no index can serve it. */
function apply(c: Collection, o: Op, ids: unknown[], fresh: () => number, scan: boolean) {
  const f = (make: (ids: unknown[]) => Doc) => (scan ? { $and: [make(ids)] } : make(ids));
  switch (o.op) {
    case 'insertOne': return outcome(() => c.insertOne({ _id: ids[fresh()], conversationId: fresh(), ...o.doc } as Doc));
    case 'insertMany': return outcome(() => c.insertMany(o.docs.map((d) => ({ _id: ids[fresh()], conversationId: fresh(), ...d })) as Doc[]));
    case 'updateOne':
    case 'updateMany': {
      const upsert = o.upsert ? { $setOnInsert: { _id: ids[fresh()], conversationId: fresh() } } : {};
      return outcome(() => c[o.op](f(o.filter), { ...o.update, ...upsert }, { upsert: o.upsert }));
    }
    case 'findOneAndUpdate': {
      const upsert = o.upsert ? { $setOnInsert: { _id: ids[fresh()], conversationId: fresh() } } : {};
      return outcome(() => c.findOneAndUpdate(f(o.filter), { ...o.update, ...upsert }, { sort: o.sort as mongoose.mongo.Sort, upsert: o.upsert, returnDocument: 'after' }));
    }
    case 'replaceOne': return outcome(() => c.replaceOne(f(o.filter), { conversationId: fresh(), ...o.doc }));
    case 'deleteOne':
    case 'deleteMany': return outcome(() => c[o.op](f(o.filter)));
  }
}

/** `_id`s of three kinds, fixed per run so that both collections get the same ones. */
function idPool(size: number): unknown[] {
  return Array.from({ length: size }, (_, i) => (i % 3 === 0 ? i : i % 3 === 1 ? `d${i}` : new mongoose.mongo.ObjectId(i.toString(16).padStart(24, '0'))));
}

let run = 0;

describe('test server index look-ups', () => {
  test('random writes: indexed queries return what scans return, in the same order', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 15 }), async (ops) => {
      run++;
      const indexed = db.collection(`indexed_${run}`);
      const plain = db.collection(`plain_${run}`);
      await indexed.createIndex({ channel: 1, conversationId: 1 }, { unique: true });
      await indexed.createIndex({ channel: 1, 'customer.id': 1, state: 1 });
      await indexed.createIndex({ 'owed.dueAt': 1 }, { sparse: true });
      await indexed.createIndex({ tags: 1 });
      await indexed.createIndex({ 'notes.k': 1, channel: 1 });
      await plain.insertOne({ _id: 'created' as never });
      await plain.deleteOne({ _id: 'created' as never });
      try {
        const ids = idPool(ops.length * 5 + 5);
        let next = 0;
        for (const [step, o] of ops.entries()) {
          const before = next;
          const got = await apply(indexed, o, ids, () => next++, false);
          const afterIndexed = next;
          next = before;
          const expected = await apply(plain, o, ids, () => next++, true);
          assert.equal(next, afterIndexed);
          assert.deepStrictEqual(got, expected, `step ${step}: ${o.op} answered differently`);
          for (const q of queries(ids)) {
            const from = (c: Collection, filter: Doc) => {
              let cursor = c.find(filter);
              if (q.sort) cursor = cursor.sort(q.sort as mongoose.mongo.Sort);
              if (q.limit) cursor = cursor.limit(q.limit);
              return cursor.toArray();
            };
            assert.deepStrictEqual(await from(indexed, q.filter), await from(plain, { $and: [q.filter] }),
              `after step ${step} (${o.op}), the query ${JSON.stringify(q)} found other documents`);
          }
        }
      } finally {
        await indexed.drop();
        await plain.drop();
      }
    }), { numRuns: Number(process.env.INDEX_PROPERTY_RUNS ?? 15) });
  }, 300_000);

  test('a unique index on a path through arrays still finds every match of a filter that pins its key', async () => {
    const c = db.collection('unique_multikey');
    await c.createIndex({ 'a.b': 1 }, { unique: true });
    await c.insertMany([
      { _id: 1 as never, a: [{ b: 1 }, { b: [2, 3] }], x: 1 },
      { _id: 2 as never, a: { b: 4 }, x: 1 },
      { _id: 3 as never, a: [{ b: 5 }], x: 2 },
      { _id: 4 as never, a: [[{ b: 7 }]], x: 1 }, // mongo-java-server's matcher finds 7 here; its index key does not
    ]);
    const filters: Doc[] = [{ 'a.b': 2, x: 1 }, { 'a.b': 3, x: 1 }, { 'a.b': 4, x: 1 }, { 'a.b': 5, x: 2 }, { 'a.b': { $in: [1, 3, 5] }, x: { $gt: 0 } }];
    for (const filter of [...filters, { 'a.b': 7, x: 1 }, { 'a.b': 7 }]) {
      const scanned = await c.find({ $and: [filter] }).toArray();
      if (filters.includes(filter)) assert.ok(scanned.length > 0, JSON.stringify(filter));
      assert.deepStrictEqual(await c.find(filter).toArray(), scanned, JSON.stringify(filter));
    }
    await c.updateOne({ _id: 3 as never }, { $set: { a: { b: 5 } } }); // from an array to a scalar: the same key
    assert.deepStrictEqual((await c.find({ 'a.b': 5, x: 2 }).toArray()).map((d) => d._id), [3]);
    await c.drop();
  });

  test('the indexes are described as declared, and still after documents come and go', async () => {
    const c = db.collection('described');
    await c.createIndex({ channel: 1, 'customer.id': 1, state: 1 });
    await c.createIndex({ 'owed.dueAt': 1 }, { sparse: true });
    await c.createIndex({ tags: 1 }, { name: 'by_tag', partialFilterExpression: { tags: { $exists: true } } });
    await c.insertMany([{ channel: 'a', customer: { id: 'u1' }, tags: ['x'] }, { channel: 'a' }]);
    await c.deleteMany({ channel: 'a', 'customer.id': 'u1' });
    const described = (await c.listIndexes().toArray()).map(({ key, name, sparse, unique, partialFilterExpression }) =>
      ({ key, name, sparse, unique, partialFilterExpression }));
    assert.deepStrictEqual(described, [
      { key: { _id: 1 }, name: '_id_', sparse: undefined, unique: undefined, partialFilterExpression: undefined },
      { key: { channel: 1, 'customer.id': 1, state: 1 }, name: 'channel_1_customer.id_1_state_1', sparse: undefined, unique: undefined, partialFilterExpression: undefined },
      { key: { 'owed.dueAt': 1 }, name: 'owed.dueAt_1', sparse: true, unique: undefined, partialFilterExpression: undefined },
      { key: { tags: 1 }, name: 'by_tag', sparse: undefined, unique: undefined, partialFilterExpression: { tags: { $exists: true } } },
    ]);
    await c.dropIndex('by_tag');
    assert.deepStrictEqual((await c.find({ tags: 'x' }).toArray()).length, 0);
    assert.deepStrictEqual((await c.find({ channel: 'a' }).toArray()).length, 1);
    await c.drop();
  });
});
