/**
 * A follow-up, re-prompt or thanks that the platform could not take (a rate limit, an
 * outage) is kept on the survey and sent again by the scheduler, once; a message the
 * conversation has moved past is dropped; a permanent refusal is not retried; being told
 * to wait (a retry-after, no slot of the shared budget) does not use up the tries.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { SurveyEngine } from '../../src/conversation/engine.ts';
import { openTestDb } from '../helpers/database.ts';
import { makeEngine, TestClock } from '../helpers/engine.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { MAX_REPLY_ATTEMPTS } from '../../src/conversation/send-retry-policy.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;
let clock: TestClock;
let channel: RecordingChannel;
let engine: SurveyEngine;
let n = 0;

beforeAll(async () => { db = await openTestDb('replyretry'); });
afterAll(async () => { await db.drop(); });
beforeEach(async () => {
  clock = new TestClock();
  channel = new RecordingChannel();
  engine = makeEngine(db.conn, [channel], clock);
  await engine.init();
});

async function asked(): Promise<{ customer: string; surveyId: string }> {
  const customer = `cust-${++n}`;
  const { surveyId } = await engine.resolved({ channel: 'test', conversationId: `conv-${n}`, customer: { id: customer }, agent: { id: 'a1' } });
  assert.equal(await engine.askNow(surveyId), true);
  return { customer, surveyId };
}

describe('replies the platform could not take', () => {
  test('a follow-up refused with a retry-after is sent when due, once', async () => {
    const { customer, surveyId } = await asked();
    channel.retryAfter.set(customer, 120_000);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '9' })).status, 'scored');
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question']);
    let s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(s?.owed?.key, 'followupPromoter');
    assert.equal(await engine.sendOwed(), 0, 'not before it is due');
    clock.advance(121_000);
    assert.equal(await engine.sendOwed(), 1);
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question', 'followup']);
    s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(s?.owed, undefined);
    assert.equal(await engine.sendOwed(), 0, 'sent once');
    // The comment then completes the survey as usual.
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: 'great help' })).status, 'completed');
  });

  test('a follow-up told to wait more often than a failing platform gets tries is still sent (a wait is not a failure)', async () => {
    const { customer, surveyId } = await asked();
    channel.retryAfter.set(customer, 10_000);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '7' })).status, 'scored');
    for (let wait = 0; wait < MAX_REPLY_ATTEMPTS + 2; wait++) {
      channel.retryAfter.set(customer, 10_000);
      clock.advance(11_000);
      assert.equal(await engine.sendOwed(), 1, `taken again after wait ${wait + 1}`);
      assert.equal((await surveyModel(db.conn).findById(surveyId).lean())?.owed?.key, 'followupPassive', 'still owed');
    }
    clock.advance(11_000);
    assert.equal(await engine.sendOwed(), 1);
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question', 'followup']);
    assert.equal((await surveyModel(db.conn).findById(surveyId).lean())?.owed, undefined);
  });

  test('a follow-up the customer has answered anyway is dropped, not sent late', async () => {
    const { customer, surveyId } = await asked();
    channel.retryAfter.set(customer, 60_000);
    await engine.message({ channel: 'test', customerId: customer, text: '4' });
    await engine.message({ channel: 'test', customerId: customer, text: 'it took a week' });
    clock.advance(61_000);
    assert.equal(await engine.sendOwed(), 0);
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question', 'thanks']);
    assert.equal((await surveyModel(db.conn).findById(surveyId).lean())?.owed, undefined);
  });

  test('two processes retrying at once send the message once', async () => {
    const { customer } = await asked();
    channel.retryAfter.set(customer, 60_000);
    await engine.message({ channel: 'test', customerId: customer, text: '8' });
    clock.advance(61_000);
    const other = makeEngine(db.conn, [channel], clock);
    const [a, b] = await Promise.all([engine.sendOwed(), other.sendOwed()]);
    assert.equal(a + b, 1);
    assert.equal(channel.to(customer).filter((m) => m.kind === 'followup').length, 1);
  });

  test('a permanent refusal is kept as the error and not retried', async () => {
    const { customer, surveyId } = await asked();
    channel.refuse.add(customer);
    await engine.message({ channel: 'test', customerId: customer, text: '10' });
    const s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(s?.owed, undefined);
    assert.match(s?.lastError ?? '', /dms_closed/);
  });
});
