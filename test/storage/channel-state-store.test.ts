/**
 * The channel state store on the real MongoDB-protocol server, with two connections
 * standing for two bot processes: counters that add up under concurrency, expiry that
 * starts a counter over, compare-and-set that lets exactly one writer win, due entries,
 * and channels that never see each other's keys.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import mongoose, { type Connection } from 'mongoose';
import { MongoChannelStateStore } from '../../src/shared-state/channel-state-store.ts';
import { mongoUri, openTestDb } from '../helpers/database.ts';
import { eventually } from '../helpers/app.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;
let other: Connection;
let one: MongoChannelStateStore;
let two: MongoChannelStateStore;
const later = () => new Date(Date.now() + 3_600_000);

beforeAll(async () => {
  db = await openTestDb('chanstate');
  other = await mongoose.createConnection(mongoUri(), { dbName: db.dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
  one = new MongoChannelStateStore(db.conn, 'x');
  two = new MongoChannelStateStore(other, 'x');
  await one.init();
});

afterAll(async () => {
  await other?.close();
  await db?.drop();
});

describe('channel state store', () => {
  test('increments from two processes at once all count', async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).increment('count:a', 1, later())));
    assert.deepEqual([...results].sort((p, q) => p - q), Array.from({ length: 60 }, (_, i) => i + 1), 'each increment saw its own new value');
    assert.equal(await one.increment('count:a', -10, later()), 50);
  });

  test('an expired counter starts over', async () => {
    const expiresAt = new Date(Date.now() + 150);
    await one.increment('count:b', 5, expiresAt);
    // The condition is the clock passing the expiry, polled (bounded), not a guessed sleep.
    await eventually(async () => Date.now() > expiresAt.getTime(), 5000, 'the counter to expire');
    assert.equal(await two.increment('count:b', 1, later()), 1);
  });

  test('compare-and-set: exactly one of two racing writers wins; null means missing; next null deletes', async () => {
    assert.equal(await one.get('conv:1'), null);
    const wins = await Promise.all([
      one.compareAndSet('conv:1', null, 'from-one', { expiresAt: later() }),
      two.compareAndSet('conv:1', null, 'from-two', { expiresAt: later() }),
    ]);
    assert.equal(wins.filter(Boolean).length, 1);
    const winner = (await one.get('conv:1'))!;
    assert.ok(winner === 'from-one' || winner === 'from-two');
    assert.equal(await two.compareAndSet('conv:1', 'stale', 'x', { expiresAt: later() }), false);
    assert.equal(await two.compareAndSet('conv:1', winner, 'next', { expiresAt: later() }), true);
    assert.equal(await one.compareAndSet('conv:1', 'next', null, { expiresAt: later() }), true);
    assert.equal(await two.get('conv:1'), null);
  });

  test('entries fall due at dueAt, listed by prefix, and stop being due when set without it', async () => {
    const now = Date.now();
    await one.set('due:a', 'A', { expiresAt: later(), dueAt: new Date(now - 1000) });
    await one.set('due:b', 'B', { expiresAt: later(), dueAt: new Date(now + 60_000) });
    await one.set('other:c', 'C', { expiresAt: later(), dueAt: new Date(now - 1000) });
    assert.deepEqual((await two.due('due:', new Date(now), 10)).map((e) => [e.key, e.value]), [['due:a', 'A']]);
    assert.deepEqual((await two.due('due:', new Date(now + 120_000), 10)).map((e) => e.key), ['due:a', 'due:b']);
    await two.set('due:a', 'A2', { expiresAt: later() });
    assert.deepEqual((await one.due('due:', new Date(now), 10)).map((e) => e.key), []);
  });

  test('channels do not see each other\'s keys', async () => {
    const slack = new MongoChannelStateStore(db.conn, 'slack');
    await one.set('shared-name', 'x-value', { expiresAt: later() });
    assert.equal(await slack.get('shared-name'), null);
    assert.equal(await slack.increment('count:a', 1, later()), 1);
  });
});
