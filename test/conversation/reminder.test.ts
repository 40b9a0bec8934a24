/**
 * The one reminder (REMINDER_AFTER_HOURS): sent once, at its time, by one of two processes;
 * never after an opt-out, outside the platform's messaging window, or after an answer; a
 * process that dies mid-send leaves it owed, and the other sends it with the same key.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import mongoose, { type Connection } from 'mongoose';
import type { SurveyEngine } from '../../src/conversation/engine.ts';
import type { OutgoingMessage, Recipient } from '../../src/conversation/channel-contract/channel.ts';
import { BUILT_IN } from '../../src/conversation/templates.ts';
import { HOUR, makeEngine, TestClock } from '../helpers/engine.ts';
import { mongoUri, testDbName } from '../helpers/database.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

/** A platform with Meta's 24-hour window. */
class WindowedChannel extends RecordingChannel {
  messagingWindowMs(): number { return 24 * HOUR; }
}

const dbName = testDbName('reminder');
let connA: Connection;
let connB: Connection;
let clock: TestClock;
let channel: WindowedChannel;
let a: SurveyEngine;
let b: SurveyEngine;
const settings = { reminderAfterMs: 4 * HOUR, leaseMs: 60_000 };

beforeAll(async () => {
  connA = await mongoose.createConnection(mongoUri(), { dbName }).asPromise();
  connB = await mongoose.createConnection(mongoUri(), { dbName }).asPromise();
});
afterAll(async () => {
  await connA.dropDatabase();
  await connA.close();
  await connB.close();
});
beforeEach(async () => {
  clock = new TestClock(clock ? clock.t + 400 * HOUR : undefined);
  channel = new WindowedChannel();
  a = makeEngine(connA, [channel], clock, settings);
  b = makeEngine(connB, [channel], clock, settings);
  await a.init();
});

let n = 0;
async function asked(locale = 'en', resolvedAgoMs = 0): Promise<{ customer: string; surveyId: string }> {
  const customer = `cust-${++n}`;
  const { surveyId } = await a.resolved({
    channel: 'test', conversationId: `conv-${n}`, customer: { id: customer, locale }, agent: { id: 'agent-1' },
    resolvedAt: new Date(clock.t - resolvedAgoMs),
  });
  assert.equal(await a.askNow(surveyId), true);
  return { customer, surveyId };
}

const reminders = (customer: string): OutgoingMessage[] => channel.to(customer).filter((m) => m.kind === 'reprompt');

describe('the one reminder', () => {
  test('goes once, at its time, in the survey\'s language, though two processes look for it', async () => {
    const { customer, surveyId } = await asked('sv');
    clock.advance(4 * HOUR - 60_000);
    assert.deepEqual(await Promise.all([a.sendReminders(), b.sendReminders()]), [0, 0], 'not before its time');
    clock.advance(60_000);
    const claimed = await Promise.all([a.sendReminders(), b.sendReminders()]);
    assert.equal(claimed[0] + claimed[1], 1);
    assert.equal(reminders(customer).length, 1);
    assert.equal(reminders(customer)[0]!.text, BUILT_IN.sv.reminder.replace('{name}', '').replace('{company}', 'Acme'));
    assert.equal(reminders(customer)[0]!.choices, null, 'plain text: never a re-sent question (no template fallback)');
    clock.advance(10 * HOUR);
    assert.deepEqual(await Promise.all([a.sendReminders(), b.sendReminders(), a.sendOwed(), b.sendOwed()]), [0, 0, 0, 0], 'never a second one');
    assert.equal(reminders(customer).length, 1);
    const s = await surveyModel(connA).findById(surveyId).lean();
    assert.equal(s?.remindedAt?.getTime(), clock.t - 10 * HOUR);
    assert.equal(s?.owed, undefined, 'settled');
  });

  test('none after the customer opted out (of this survey, or of another one since)', async () => {
    const first = await asked();
    assert.equal((await a.message({ channel: 'test', customerId: first.customer, text: 'stop' })).status, 'opted-out');
    clock.advance(5 * HOUR);
    assert.equal(await a.sendReminders(), 0);
    assert.equal(reminders(first.customer).length, 0);

    // Two open surveys; the opt-out lands on the newer one: the older one's reminder is not sent either.
    const older = await asked();
    const customer = older.customer;
    const { surveyId } = await a.resolved({ channel: 'test', conversationId: `conv-${++n}`, customer: { id: customer }, agent: { id: 'agent-2' } });
    await surveyModel(connA).updateOne({ _id: surveyId }, { $set: { state: 'asked', askedAt: new Date(clock.t + 1000) } });
    assert.equal((await a.message({ channel: 'test', customerId: customer, text: 'stop' })).status, 'opted-out');
    clock.advance(5 * HOUR);
    await a.sendReminders();
    assert.equal(reminders(customer).length, 0);
  });

  test('none outside the platform\'s messaging window; a window found closed is not retried', async () => {
    // Resolved 21 h ago: the reminder (4 h after asking) would fall past 24 h.
    const late = await asked('en', 21 * HOUR);
    const s = await surveyModel(connA).findById(late.surveyId).lean();
    assert.equal(s?.reminderAt, undefined, 'no reminder slot was set');
    // Inside on paper, but the platform says the window closed: dropped, never retried.
    const closed = await asked();
    channel.closedWindows.add(closed.customer);
    clock.advance(5 * HOUR);
    assert.equal(await a.sendReminders(), 1);
    clock.advance(HOUR);
    assert.equal(await a.sendOwed(), 0);
    assert.equal(reminders(late.customer).length + reminders(closed.customer).length, 0);
    // A tick that comes only after the window closed gives the reminder up.
    const missed = await asked('en', 18 * HOUR);
    clock.advance(6 * HOUR);
    assert.equal(await a.sendReminders(), 0);
    assert.equal(reminders(missed.customer).length, 0);
    assert.equal((await surveyModel(connA).findById(missed.surveyId).lean())?.reminderAt, undefined);
  });

  test('none once the question is answered', async () => {
    const { customer } = await asked();
    assert.equal((await a.message({ channel: 'test', customerId: customer, text: '8' })).status, 'scored');
    clock.advance(5 * HOUR);
    assert.equal(await a.sendReminders(), 0);
    assert.equal(reminders(customer).length, 0);
  });

  test('a process that dies mid-send leaves it owed: the other sends it with the same key, once', async () => {
    const { customer, surveyId } = await asked();
    const keys: string[] = [];
    const stalled = new WindowedChannel();
    let crash!: () => void;
    const crashed = new Promise<void>((resolve) => { crash = resolve; });
    stalled.send = (_to: Recipient, m: OutgoingMessage) => { keys.push(m.idempotencyKey!); crash(); return new Promise(() => undefined); };
    const dying = makeEngine(connA, [stalled], clock, settings);
    clock.advance(4 * HOUR);
    void dying.sendReminders();
    await crashed;
    assert.equal(await b.sendReminders(), 0, 'claimed already: not claimed again');
    assert.equal(await b.sendOwed(), 0, 'the lease still runs');
    clock.advance(61_000);
    assert.equal(await b.sendOwed(), 1);
    assert.equal(reminders(customer).length, 1);
    assert.equal(reminders(customer)[0]!.idempotencyKey, keys[0]);
    assert.equal((await surveyModel(connA).findById(surveyId).lean())?.owed, undefined);
  });

  test('an answer after the reminder is kept apart (remindedAt before scoredAt)', async () => {
    const { customer, surveyId } = await asked();
    clock.advance(4 * HOUR);
    assert.equal(await a.sendReminders(), 1);
    clock.advance(HOUR);
    assert.equal((await a.message({ channel: 'test', customerId: customer, text: '9' })).status, 'scored');
    const s = await surveyModel(connA).findById(surveyId).lean();
    assert.ok(s?.remindedAt && s.scoredAt && s.scoredAt > s.remindedAt);
  });
});
