/**
 * Eligibility on its own: staff and bot lists; the fatigue window as one conditional
 * upsert that reserves the customer for one survey (the same survey passes again, a
 * second survey waits); opt-outs undo a reservation; unreserve restores what was there.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { contactModel } from '../../src/conversation/contact-model.ts';
import { Eligibility, listed } from '../../src/conversation/eligibility.ts';
import mongoose from 'mongoose';
import type mongooseTypes from 'mongoose';
import { forgottenId, optOutModel } from '../../src/conversation/opt-out-model.ts';
import { mongoUri, openTestDb } from '../helpers/database.ts';

const DAY = 86_400_000;
let db: Awaited<ReturnType<typeof openTestDb>>;
let eligibility: Eligibility;
const t0 = new Date('2026-03-02T10:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

beforeAll(async () => {
  db = await openTestDb('eligibility');
  await Promise.all([contactModel(db.conn).init(), optOutModel(db.conn).init()]);
  eligibility = new Eligibility(contactModel(db.conn), optOutModel(db.conn), { fatigueMs: 30 * DAY, staffIds: ['S1', 'slack:S2'], botIds: ['B1'] });
});
afterAll(async () => { await db.drop(); });
beforeEach(async () => { await contactModel(db.conn).deleteMany({}); await optOutModel(db.conn).deleteMany({}); });

describe('eligibility', () => {
  test.each([
    [['S1'], 'slack', 'S1', true], [['S1'], 'x', 'S1', true], [['slack:S2'], 'slack', 'S2', true], [['slack:S2'], 'x', 'S2', false], [[], 'slack', 'S1', false],
  ])('listed(%j, %s, %s) is %s', (list, channel, id, expected) => {
    assert.equal(listed(list, channel, id), expected);
  });

  test('staff and bots are skipped from the lists alone', () => {
    assert.equal(eligibility.listReason('slack', 'B1'), 'bot');
    assert.equal(eligibility.listReason('slack', 'S2'), 'staff');
    assert.equal(eligibility.listReason('x', 'S2'), null);
  });

  test('the reservation belongs to the survey: the same survey passes again, another waits out the window', async () => {
    assert.equal((await eligibility.reserve('slack', 'U1', 'survey-a', at(0))).reason, null);
    assert.equal((await eligibility.reserve('slack', 'U1', 'survey-a', at(0.01))).reason, null, 'asked again after a crash');
    assert.equal((await eligibility.reserve('slack', 'U1', 'survey-b', at(10))).reason, 'fatigue');
    assert.equal((await eligibility.reserve('slack', 'U1', 'survey-b', at(31))).reason, null);
  });

  test('opt-out checks made while one is in the database go together in one read, each answered for its own customer', async () => {
    const conn = await mongoose.createConnection(mongoUri(), { dbName: db.dbName, monitorCommands: true }).asPromise();
    try {
      const finds: unknown[] = [];
      conn.getClient().on('commandStarted', (e: mongooseTypes.mongo.CommandStartedEvent) => { if (e.commandName === 'find') finds.push(e.command.filter); });
      const checks = new Eligibility(contactModel(conn), optOutModel(conn), { fatigueMs: DAY, staffIds: [], botIds: [] });
      await checks.optOut('slack', 'U7', at(0));
      // A forgotten customer's opt-out is kept under a one-way key.
      await optOutModel(conn).create({ _id: forgottenId('slack', 'U9'), channel: 'slack', at: at(0) });
      const customers = ['U5', 'U6', 'U7', 'U8', 'U9', 'U10'];
      const answers = await Promise.all(customers.map((c) => checks.optedOut('slack', c)));
      assert.deepEqual(answers, [false, false, true, false, true, false]);
      assert.equal(finds.length, 2, `the first alone, the five made meanwhile in one read: ${JSON.stringify(finds)}`);
      assert.equal(await checks.optedOut('x', 'U7'), false, 'an opt-out is per channel');
    } finally {
      await conn.close();
    }
  });

  test('two surveys reserving one new customer at once: exactly one gets them', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => eligibility.reserve('slack', 'U2', `s${i}`, at(0))));
    assert.equal(results.filter((r) => r.reason === null).length, 1);
    assert.equal(results.filter((r) => r.reason === 'fatigue').length, 7);
  });

  test('an opted-out customer is not reserved; unreserve restores what was there before', async () => {
    await eligibility.optOut('slack', 'U3', at(0));
    await eligibility.optOut('slack', 'U3', at(1)); // a second opt-out is a no-op
    assert.equal((await eligibility.reserve('slack', 'U3', 's1', at(2))).reason, 'opted-out');
    assert.equal((await contactModel(db.conn).findOne({ customerId: 'U3' }).lean())?.lastSurveyedAt, undefined);

    const first = await eligibility.reserve('slack', 'U4', 'old', at(0));
    assert.equal(first.reason, null);
    const second = await eligibility.reserve('slack', 'U4', 'new', at(40));
    assert.equal(second.reason, null);
    await eligibility.unreserve('slack', 'U4', 'new');
    const c = await contactModel(db.conn).findOne({ customerId: 'U4' }).lean();
    assert.equal(c?.lastSurveyedAt?.getTime(), at(0).getTime());
    assert.equal(c?.lastSurveyId, 'old');
    // The customer may be asked again as if the failed one never was: another survey within the window waits.
    assert.equal((await eligibility.reserve('slack', 'U4', 'third', at(20))).reason, 'fatigue');
    assert.equal((await eligibility.reserve('slack', 'U4', 'third', at(31))).reason, null);
  });

  test('unreserve: past re-reservations of the same survey to the one before; a first reservation to "never asked"', async () => {
    assert.equal((await eligibility.reserve('slack', 'U11', 'old', at(0))).reason, null);
    for (const d of [40, 40.01, 40.02]) assert.equal((await eligibility.reserve('slack', 'U11', 'new', at(d))).reason, null, 'asked again after crashes');
    await eligibility.unreserve('slack', 'U11', 'new');
    const c = await contactModel(db.conn).findOne({ customerId: 'U11' }).lean();
    assert.equal(c?.lastSurveyId, 'old');
    assert.equal(c?.lastSurveyedAt?.getTime(), at(0).getTime());

    assert.equal((await eligibility.reserve('slack', 'U12', 'first', at(0))).reason, null);
    await eligibility.unreserve('slack', 'U12', 'first');
    const fresh = await contactModel(db.conn).findOne({ customerId: 'U12' }).lean();
    assert.equal(fresh?.lastSurveyedAt, undefined);
    assert.equal((await eligibility.reserve('slack', 'U12', 'second', at(1))).reason, null, 'never asked: no window to wait out');
  });

  test('unreserve leaves a reservation that is no longer this survey\'s, and one whose earlier reservation it cannot name', async () => {
    assert.equal((await eligibility.reserve('slack', 'U13', 'a', at(0))).reason, null);
    assert.equal((await eligibility.reserve('slack', 'U13', 'b', at(31))).reason, null);
    await eligibility.unreserve('slack', 'U13', 'a');
    assert.equal((await contactModel(db.conn).findOne({ customerId: 'U13' }).lean())?.lastSurveyId, 'b');

    // A contact stored before reservations were kept: its earlier one is unknown, so it is kept (asking less, not more).
    await contactModel(db.conn).collection.insertOne({ channel: 'slack', customerId: 'U14', lastSurveyedAt: at(0), lastSurveyId: 'legacy', createdAt: at(0), updatedAt: at(0) });
    assert.equal((await eligibility.reserve('slack', 'U14', 'new', at(40))).reason, null);
    await eligibility.unreserve('slack', 'U14', 'new');
    const kept = await contactModel(db.conn).findOne({ customerId: 'U14' }).lean();
    assert.equal(kept?.lastSurveyId, 'new');
    assert.equal(kept?.lastSurveyedAt?.getTime(), at(40).getTime());
  });

  test('reservations made while one is in the database go together in one command, each with its own outcome', async () => {
    const conn = await mongoose.createConnection(mongoUri(), { dbName: db.dbName, monitorCommands: true }).asPromise();
    try {
      const updates: unknown[] = [];
      conn.getClient().on('commandStarted', (e: mongooseTypes.mongo.CommandStartedEvent) => { if (e.commandName === 'update' && e.command.update === 'contacts') updates.push(e.command.updates); });
      const r = new Eligibility(contactModel(conn), optOutModel(conn), { fatigueMs: 30 * DAY, staffIds: [], botIds: [] });
      assert.equal((await r.reserve('slack', 'U20', 'earlier', at(0))).reason, null);
      updates.length = 0;
      // U20 within the window; U21 twice for two surveys (one gets them); U22 and U23 new.
      const asks: Array<[string, string]> = [['U22', 's1'], ['U20', 's2'], ['U21', 's3'], ['U21', 's4'], ['U23', 's5'], ['U22', 's1']];
      const results = await Promise.all(asks.map(([c, s]) => r.reserve('slack', c, s, at(10))));
      assert.deepEqual(results.map((x) => x.reason), [null, 'fatigue', null, 'fatigue', null, null]);
      assert.equal(updates.length, 2, `the first alone, the five made meanwhile in one command: ${JSON.stringify(updates)}`);
      const u21 = await contactModel(conn).findOne({ customerId: 'U21' }).lean();
      assert.equal(u21?.lastSurveyId, 's3');
    } finally {
      await conn.close();
    }
  });
});
