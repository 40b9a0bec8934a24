/**
 * The store of applied platform events on the real MongoDB-protocol server: an event is
 * known once recorded, per channel, until its expiry (read-checked, whether or not the
 * server's TTL sweep ever runs); the key keeps no event id or customer id in clear; and
 * the TTL index is declared.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { AppliedEventStore, APPLIED_EVENT_TTL_MS } from '../../src/storage/applied-event-store.ts';
import { appliedEventModel } from '../../src/storage/applied-event-model.ts';
import { openTestDb } from '../helpers/database.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;
let clock = new Date('2026-03-01T10:00:00Z');
let store: AppliedEventStore;

beforeAll(async () => {
  db = await openTestDb('appliedevents');
  store = new AppliedEventStore(db.conn, () => clock);
  await store.init();
});
afterAll(async () => {
  await db.drop();
});

describe('applied-event store', () => {
  test('an event is known once recorded, only on its own channel', async () => {
    assert.equal(await store.has('whatsapp', 'wamid.A1'), false);
    await store.record('whatsapp', 'wamid.A1');
    assert.equal(await store.has('whatsapp', 'wamid.A1'), true);
    assert.equal(await store.has('messenger', 'wamid.A1'), false);
    assert.equal(await store.has('whatsapp', 'wamid.A2'), false);
    // Recording twice (two processes, a redelivery) is one document.
    await store.record('whatsapp', 'wamid.A1');
    assert.equal(await appliedEventModel(db.conn).countDocuments({}), 1);
  });

  test('an expired entry counts as absent even where no TTL sweep removed it', async () => {
    await store.record('x', '1234567890');
    clock = new Date(clock.getTime() + APPLIED_EVENT_TTL_MS - 1000);
    assert.equal(await store.has('x', '1234567890'), true);
    clock = new Date(clock.getTime() + 2000);
    assert.equal(await store.has('x', '1234567890'), false);
    // Recorded again, it is remembered for another full period.
    await store.record('x', '1234567890');
    assert.equal(await store.has('x', '1234567890'), true);
  });

  test('keys are hashes: no event id (some embed a customer id) is stored in clear', async () => {
    await store.record('messenger', 'postback:24680135792468:1700000000000:nps:s1:3');
    const docs = await appliedEventModel(db.conn).find({}).lean().exec();
    const text = JSON.stringify(docs);
    assert.doesNotMatch(text, /24680135792468|postback|wamid/);
    assert.ok(docs.every((d) => /^[0-9a-f]{64}$/.test(d._id)));
  });

  test('the collection has a TTL index on expiresAt', async () => {
    const indexes = await db.conn.db!.collection('applied_events').listIndexes().toArray();
    const ttl = indexes.find((i) => i.key?.expiresAt === 1);
    assert.equal(ttl?.expireAfterSeconds, 0);
  });
});
