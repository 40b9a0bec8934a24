/**
 * database-fidelity: what the bot relies on MongoDB for, checked on whatever server
 * MONGODB_URI names. A server that is not atomic (FerretDB 1.x: 200 concurrent `$inc`
 * left 7, racing conditional updates had several winners) fails here loudly instead of
 * silently corrupting surveys. Uses the plain driver, so nothing of ours can hide a fault.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type mongoose from 'mongoose';
import { openTestDb } from '../helpers/database.ts';

// The driver mongoose itself uses (a second copy of `mongodb` may sit at the top of node_modules).
type Db = mongoose.mongo.Db;
type Collection = mongoose.mongo.Collection;

let db: Db;
let drop: () => Promise<void>;

beforeAll(async () => {
  const t = await openTestDb('fidelity');
  db = t.conn.getClient().db(t.dbName);
  drop = t.drop;
});
afterAll(async () => { await drop(); });

function coll(name: string): Collection {
  return db.collection(name);
}

describe('database fidelity', () => {
  test('the server answers hello as a writable primary with wire version 13 (MongoDB 5.0) or more', async () => {
    const hello = await db.admin().command({ hello: 1 });
    assert.equal(hello.isWritablePrimary, true);
    assert.ok(hello.maxWireVersion >= 13, `maxWireVersion ${hello.maxWireVersion}`);
  });

  test('racing conditional claims: exactly one winner per round', async () => {
    const c = coll('claims');
    for (let round = 0; round < 30; round++) {
      await c.insertOne({ _id: `r${round}` as never, claimed: false });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        c.findOneAndUpdate({ _id: `r${round}` as never, claimed: false }, { $set: { claimed: true, by: i } }, { returnDocument: 'after' })));
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1, `round ${round} had ${winners.length} winners`);
    }
  });

  test('200 concurrent $inc on one document lose nothing', async () => {
    const c = coll('counter');
    await c.insertOne({ _id: 'n' as never, n: 0 });
    await Promise.all(Array.from({ length: 200 }, () => c.updateOne({ _id: 'n' as never }, { $inc: { n: 1 } })));
    assert.equal((await c.findOne({ _id: 'n' as never }))?.n, 200);
  });

  test('versioned writes: successes equal the final version', async () => {
    const c = coll('versioned');
    await c.insertOne({ _id: 'v' as never, v: 0 });
    let successes = 0;
    await Promise.all(Array.from({ length: 50 }, async () => {
      for (let i = 0; i < 5; i++) {
        const doc = await c.findOne({ _id: 'v' as never });
        const r = await c.updateOne({ _id: 'v' as never, v: doc!.v }, { $inc: { v: 1 } });
        successes += r.modifiedCount;
      }
    }));
    assert.equal((await c.findOne({ _id: 'v' as never }))?.v, successes);
  });

  test('$group with several accumulators and $cond is right', async () => {
    const c = coll('scores');
    const scores = [10, 9, 9, 8, 7, 6, 3, 0, 10, 5];
    await c.insertMany(scores.map((score, i) => ({ score, agent: i % 2 === 0 ? 'a' : 'b' })));
    const rows = await c.aggregate([
      { $group: {
        _id: '$agent',
        answers: { $sum: 1 },
        promoters: { $sum: { $cond: [{ $gte: ['$score', 9] }, 1, 0] } },
        detractors: { $sum: { $cond: [{ $lte: ['$score', 6] }, 1, 0] } },
        total: { $sum: '$score' },
      } },
      { $sort: { _id: 1 } },
    ]).toArray();
    // a: 10, 9, 7, 3, 10 → 3 promoters, 1 detractor; b: 9, 8, 6, 0, 5 → 1 promoter, 3 detractors.
    assert.deepEqual(rows, [
      { _id: 'a', answers: 5, promoters: 3, detractors: 1, total: 39 },
      { _id: 'b', answers: 5, promoters: 1, detractors: 3, total: 28 },
    ]);
  });

  test('an unordered bulk write applies every good operation and reports the bad one', async () => {
    const c = coll('bulk');
    await c.createIndex({ key: 1 }, { unique: true });
    await c.insertOne({ key: 'taken', n: 0 });
    const ops = [
      ...Array.from({ length: 500 }, (_, i) => ({ insertOne: { document: { key: `k${i}`, n: i } } })),
      { insertOne: { document: { key: 'taken', n: -1 } } },
      { updateOne: { filter: { key: 'taken' }, update: { $inc: { n: 5 } } } },
    ];
    const err = await c.bulkWrite(ops, { ordered: false }).then(() => null, (e: unknown) => e as { code?: number; writeErrors?: unknown });
    assert.ok(err, 'the duplicate insert must be reported');
    assert.equal(await c.countDocuments({ key: /^k/ }), 500);
    assert.equal((await c.findOne({ key: 'taken' }))?.n, 5);
  });

  test('a duplicate key is error code 11000', async () => {
    const c = coll('unique');
    await c.createIndex({ channel: 1, conversationId: 1 }, { unique: true });
    await c.insertOne({ channel: 'slack', conversationId: 'c1' });
    const err = await c.insertOne({ channel: 'slack', conversationId: 'c1' }).then(() => null, (e: unknown) => e as { code?: number });
    assert.equal(err?.code, 11000);
  });

  test('$push with $slice keeps only the newest entries; a conditional upsert that misses an existing key is 11000', async () => {
    const c = coll('features');
    await c.insertOne({ _id: 'p' as never, ids: [] });
    for (let i = 0; i < 30; i++) await c.updateOne({ _id: 'p' as never, ids: { $ne: `e${i}` } }, { $push: { ids: { $each: [`e${i}`], $slice: -20 } } } as never);
    const doc = await c.findOne({ _id: 'p' as never });
    assert.equal(doc?.ids.length, 20);
    assert.equal(doc?.ids[19], 'e29');

    const contacts = coll('contacts');
    await contacts.createIndex({ channel: 1, customerId: 1 }, { unique: true });
    const reserve = (at: number) => contacts.findOneAndUpdate(
      { channel: 'x', customerId: 'u1', $or: [{ last: null }, { last: { $lte: at - 100 } }] },
      { $set: { last: at } }, { upsert: true, returnDocument: 'before' });
    assert.equal(await reserve(1000), null); // inserted
    const again = await reserve(1050).then(() => null, (e: unknown) => e as { code?: number });
    assert.equal(again?.code, 11000);
    assert.equal((await reserve(1200))?.last, 1000); // past the window: updated, returns the old value

    // The same, many in one unordered bulk write (eligibility.ts): only the one that misses fails, by its index.
    const op = (customerId: string, at: number) => ({
      updateOne: {
        filter: { channel: 'x', customerId, $or: [{ last: null }, { last: { $lte: at - 100 } }] },
        update: { $set: { last: at }, $push: { recent: { $each: [at], $slice: -2 } } }, upsert: true,
      },
    });
    const bulk = await contacts.bulkWrite([op('u1', 1250), op('u2', 1250), op('u1', 1400), op('u2', 1260)] as never, { ordered: false })
      .then(() => null, (e: unknown) => e as { name?: string; writeErrors?: Array<{ index: number; code: number }> });
    assert.equal(bulk?.name, 'MongoBulkWriteError');
    assert.deepEqual(bulk?.writeErrors?.map((w) => [w.index, w.code]), [[0, 11000], [3, 11000]]);
    const u1 = await contacts.findOne({ customerId: 'u1' });
    assert.deepEqual([u1?.last, u1?.recent], [1400, [1400]]);
  });

  test('an unordered bulk of conditional updates counts exactly the writes that matched, also when one of them failed', async () => {
    // survey-repository.ts groups settles and the asked step: a matched count equal to the
    // batch's size is how it knows, without a read, that each landed.
    const c = coll('grouped');
    await c.insertMany([{ _id: 'a' as never, v: 0 }, { _id: 'b' as never, v: 0 }, { _id: 'c' as never, v: 0 }]);
    const step = (id: string, v: number) => ({ updateOne: { filter: { _id: id, v }, update: { $inc: { v: 1 } } } });
    const all = await c.bulkWrite([step('a', 0), step('b', 0), step('c', 0)] as never, { ordered: false });
    assert.equal(all.matchedCount, 3);
    const some = await c.bulkWrite([step('a', 1), step('b', 0), step('c', 1)] as never, { ordered: false });
    assert.equal(some.matchedCount, 2, 'b was at version 1: not matched');
    // A write that fails ($inc on a string) beside one that matches and one that does not.
    await c.updateOne({ _id: 'c' as never }, { $set: { s: 'text' } });
    const failing = { updateOne: { filter: { _id: 'c' }, update: { $inc: { s: 1 } } } };
    const err = await c.bulkWrite([step('a', 2), failing, step('b', 0)] as never, { ordered: false })
      .then(() => null, (e: unknown) => e as { name?: string; writeErrors?: Array<{ index: number }>; result?: { matchedCount?: number } });
    assert.equal(err?.name, 'MongoBulkWriteError');
    assert.deepEqual(err?.writeErrors?.map((w) => w.index), [1]);
    assert.equal(err?.result?.matchedCount, 1, 'only a matched');
    assert.deepEqual((await c.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d.v), [3, 1, 2]);
  });
});
