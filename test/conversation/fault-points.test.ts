/**
 * The survey's life across failures at each dangerous moment, made deterministic: process
 * A reaches the database through a loopback proxy the test cuts at a named boundary (the
 * platform has just accepted a message, the write that records it has not happened yet),
 * or A stalls there for good (a crash); process B, on its own connection, takes over once
 * A's lease lapses. Each test shows the answer stored once, every owed message sent at least
 * once with one idempotency key, and nothing asked twice outside the lease window.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import mongoose, { type Connection } from 'mongoose';
import type { SurveyEngine } from '../../src/conversation/engine.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { DatabaseOutage } from '../fakes/database-outage.ts';
import { mongoUri, testDbName } from '../helpers/database.ts';
import { askedSurveys, makeEngine, TestClock } from '../helpers/engine.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';

/** Short, so A stops retrying its write soon after the database is cut (real time). */
const LEASE_MS = 2_000;

let outage: DatabaseOutage;
let dbName: string;
let direct: Connection;
let viaProxy: Connection;
let clock: TestClock;
let channel: RecordingChannel;
let a: SurveyEngine;
let b: SurveyEngine;
let n = 0;

beforeAll(async () => {
  outage = await DatabaseOutage.start();
  dbName = testDbName('faultpoints');
  direct = await mongoose.createConnection(mongoUri(), { dbName }).asPromise();
});
afterAll(async () => {
  await direct.dropDatabase();
  await direct.close();
  await outage.stop();
});
beforeEach(async () => {
  outage.restore();
  viaProxy = await mongoose.createConnection(outage.uri, { dbName, ...outage.fastFailure }).asPromise();
  clock = new TestClock();
  // One platform, as both processes see it: what it accepted is what the customer got.
  channel = new RecordingChannel();
  a = makeEngine(viaProxy, [channel], clock, { leaseMs: LEASE_MS });
  b = makeEngine(direct, [channel], clock, { leaseMs: LEASE_MS });
  await b.init();
});
afterEach(async () => {
  channel.afterAccept = null;
  channel.release();
  outage.restore();
  await viaProxy.close(true);
});

function resolution() {
  n++;
  return { channel: 'test', conversationId: `conv-${n}`, customer: { id: `cust-${n}`, name: 'Kim' }, agent: { id: 'agent-1' } };
}

/** Cut A's database the first time the platform accepts a message of `kind`. */
function cutAfterAccepting(kind: string): void {
  channel.afterAccept = (m) => {
    if (m.kind !== kind) return;
    channel.afterAccept = null;
    outage.cut();
  };
}

async function stored(surveyId: string) {
  return surveyModel(direct).findById(surveyId).lean().exec();
}

describe('fault points: the database lost at the worst moment, another process takes over', () => {
  test('after the platform accepted the question, before `asked` is stored: the answer typed meanwhile is kept, the question is not asked again', async () => {
    const r = resolution();
    const { surveyId } = await a.resolved(r);
    cutAfterAccepting('question');
    const asking = a.askNow(surveyId);
    // The customer answers at once; their chat system reaches process B.
    await channel.sendsStarted(1);
    const answer = await b.message({ channel: 'test', customerId: r.customer.id, text: 'eight', eventId: 'msg-1' });
    assert.equal(answer.status, 'scored', 'the answer is applied, not "ignored" as for a survey that was never asked');
    await asking; // A gives up its write at the end of its lease; it never puts the survey back
    outage.restore();
    clock.advance(LEASE_MS + 1);
    assert.equal(await b.sendOwed(), 0, 'nothing owed: the follow-up went out with the answer');
    assert.equal(await b.askDue(), 0);
    const s = await stored(surveyId);
    assert.equal(s?.state, 'scored');
    assert.equal(s?.score, 8);
    assert.deepEqual(channel.to(r.customer.id).map((m) => m.kind), ['question', 'followup']);
    // A redelivery of the same answer changes nothing.
    assert.equal((await b.message({ channel: 'test', customerId: r.customer.id, text: 'eight', eventId: 'msg-1' })).status, 'duplicate');
  });

  test('after the platform accepted the question, before `asked` is stored, nobody answers: the question is sent again once, with the same key', async () => {
    const r = resolution();
    const { surveyId } = await a.resolved(r);
    cutAfterAccepting('question');
    await a.askNow(surveyId);
    assert.equal((await stored(surveyId))?.state, 'sending', 'never rolled back to "not asked"');
    clock.advance(LEASE_MS + 1);
    assert.equal(await b.sendOwed(), 1);
    const s = await stored(surveyId);
    assert.equal(s?.state, 'asked');
    const questions = channel.to(r.customer.id).filter((m) => m.kind === 'question');
    assert.equal(questions.length, 2, 'at least once: within the lease window it may go twice');
    assert.ok(questions[0]!.idempotencyKey && questions[0]!.idempotencyKey === questions[1]!.idempotencyKey, 'one idempotency key for both attempts');
    // The customer (reached by A's database again) answers: applied once.
    outage.restore();
    assert.equal((await a.message({ channel: 'test', customerId: r.customer.id, text: '9' })).status, 'scored');
  });

  test('after the score is stored, before the follow-up is sent (A dies): B sends the follow-up, the comment completes', async () => {
    const r = resolution();
    const { surveyId } = await a.resolved(r);
    await a.askNow(surveyId);
    // A stalls for good right as the platform is about to take the follow-up: a crash.
    let crash!: () => void;
    const crashed = new Promise<void>((resolve) => { crash = resolve; });
    channel.afterAccept = null;
    const stalled = new RecordingChannel();
    stalled.send = () => new Promise(() => { crash(); });
    const dying = makeEngine(viaProxy, [stalled], clock, { leaseMs: LEASE_MS });
    void dying.message({ channel: 'test', customerId: r.customer.id, text: '3' });
    await crashed;
    let s = await stored(surveyId);
    assert.equal(s?.state, 'scored');
    assert.equal(s?.owed?.key, 'followupDetractor', 'the follow-up is owed in the same write as the score');
    clock.advance(LEASE_MS + 1);
    assert.equal(await b.sendOwed(), 1);
    assert.deepEqual(channel.to(r.customer.id).map((m) => m.kind), ['question', 'followup']);
    assert.equal((await b.message({ channel: 'test', customerId: r.customer.id, text: 'the parcel came late' })).status, 'completed');
    s = await stored(surveyId);
    assert.equal(s?.state, 'completed');
    assert.equal(s?.score, 3);
    assert.equal(s?.comment, 'the parcel came late');
  });

  test('after the follow-up is sent, before it is settled: sent again after the lease with the same key, the answer stored once', async () => {
    const r = resolution();
    const { surveyId } = await a.resolved(r);
    await a.askNow(surveyId);
    cutAfterAccepting('followup');
    assert.equal((await a.message({ channel: 'test', customerId: r.customer.id, text: '10' })).status, 'scored');
    clock.advance(LEASE_MS + 1);
    assert.equal(await b.sendOwed(), 1);
    assert.equal(await b.sendOwed(), 0, 'settled by B');
    const followups = channel.to(r.customer.id).filter((m) => m.kind === 'followup');
    assert.equal(followups.length, 2);
    assert.equal(followups[0]!.idempotencyKey, followups[1]!.idempotencyKey);
    const s = await stored(surveyId);
    assert.equal(s?.score, 10);
    assert.equal(s?.owed, undefined);
  });

  test('after several follow-ups are sent, the database is lost before their settles go (one batch): every one stays owed and is sent again with its key', async () => {
    const N = 4;
    const rs = Array.from({ length: N }, () => resolution());
    const ids = await askedSurveys(a, rs);
    // The platform takes the four follow-ups; then A's database stalls (the first settle is
    // stuck in it, the others wait to go together) and is lost.
    channel.answerTogether('followup', N, () => {
      outage.hold();
      setImmediate(() => outage.cut());
    });
    const outcomes = await Promise.all(rs.map((r) => a.message({ channel: 'test', customerId: r.customer.id, text: '10' })));
    channel.afterAccept = null;
    outage.release();
    assert.deepEqual(outcomes.map((o) => o.status), rs.map(() => 'scored'), 'the answers were stored before');
    for (const id of ids) assert.equal((await stored(id))?.owed?.key, 'followupPromoter', 'still owed');
    clock.advance(LEASE_MS + 1);
    assert.equal(await b.sendOwed(), N);
    for (const [i, r] of rs.entries()) {
      const followups = channel.to(r.customer.id).filter((m) => m.kind === 'followup');
      assert.equal(followups.length, 2);
      assert.equal(followups[0]!.idempotencyKey, followups[1]!.idempotencyKey);
      assert.equal((await stored(ids[i]!))?.owed, undefined);
    }
  });

  test('during a manager\'s message back: accepted by the platform, then the database is lost; B delivers it again with the same key', async () => {
    const r = resolution();
    const { surveyId } = await a.resolved(r);
    await a.askNow(surveyId);
    await a.message({ channel: 'test', customerId: r.customer.id, text: '2 awful' });
    cutAfterAccepting('reply');
    assert.equal((await a.messageCustomer({ surveyId, text: 'We refunded you today.', by: 'manager' })).status, 'sent');
    assert.equal((await stored(surveyId))?.notes?.length, 1, 'the message stays owed');
    clock.advance(LEASE_MS + 1);
    assert.equal(await b.sendOwed(), 1);
    const replies = channel.to(r.customer.id).filter((m) => m.kind === 'reply');
    assert.equal(replies.length, 2);
    assert.equal(replies[0]!.text, 'We refunded you today.');
    assert.equal(replies[0]!.idempotencyKey, replies[1]!.idempotencyKey);
    assert.deepEqual((await stored(surveyId))?.notes ?? [], []);
  });

  test('a score the chat system sends again with no id is not stored as the comment', async () => {
    const r = resolution();
    const { surveyId } = await b.resolved(r);
    await b.askNow(surveyId);
    assert.equal((await b.message({ channel: 'test', customerId: r.customer.id, text: '8' })).status, 'scored');
    assert.equal((await b.message({ channel: 'test', customerId: r.customer.id, text: '8' })).status, 'duplicate');
    const s = await stored(surveyId);
    assert.equal(s?.state, 'scored');
    assert.equal(s?.comment, undefined);
  });
});
