/**
 * A manager's message back to a surveyed customer, through the engine: it goes to the
 * survey's channel and address as a `reply`; never to a customer who opted out or was
 * forgotten; a closed messaging window is said, not retried; one told to wait keeps its
 * place (waits are not tries), within the survey's expiry window.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { SurveyEngine } from '../../src/conversation/engine.ts';
import { openTestDb } from '../helpers/database.ts';
import { HOUR, makeEngine, TestClock } from '../helpers/engine.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';


let db: Awaited<ReturnType<typeof openTestDb>>;
let channel: RecordingChannel;
let clock: TestClock;
let engine: SurveyEngine;
let n = 0;

beforeAll(async () => { db = await openTestDb('msgcustomer'); });
afterAll(async () => { await db.drop(); });
beforeEach(async () => {
  channel = new RecordingChannel();
  clock = new TestClock();
  engine = makeEngine(db.conn, [channel], clock);
  await engine.init();
});

async function detractor(): Promise<{ customer: string; surveyId: string }> {
  const customer = `cust-${++n}`;
  const { surveyId } = await engine.resolved({ channel: 'test', conversationId: `conv-${n}`, customer: { id: customer }, agent: { id: 'a1' }, address: { thread: `T-${n}` } });
  await engine.askNow(surveyId);
  await engine.message({ channel: 'test', customerId: customer, text: '2 it never arrived' });
  return { customer, surveyId };
}

describe('a message back to the customer', () => {
  test('goes to the survey\'s channel and address as a reply', async () => {
    const { customer, surveyId } = await detractor();
    const result = await engine.messageCustomer({ surveyId, text: 'We found your parcel and sent it today.', by: 'manager' });
    assert.equal(result.status, 'sent');
    const last = channel.sent.at(-1)!;
    assert.equal(last.to.customerId, customer);
    assert.deepEqual(last.to.address, { thread: `T-${n}` });
    const { idempotencyKey, ...message } = last.message;
    assert.deepEqual(message, { kind: 'reply', text: 'We found your parcel and sent it today.', choices: null });
    assert.match(idempotencyKey ?? '', /^[0-9a-f-]{36}$/, 'one key for every attempt at this message');
    assert.deepEqual((await surveyModel(db.conn).findById(surveyId).lean())?.notes ?? [], [], 'settled once sent');
  });

  test('never to a customer who opted out, nor to an unknown survey', async () => {
    const customer = `cust-${++n}`;
    const { surveyId } = await engine.resolved({ channel: 'test', conversationId: `conv-${n}`, customer: { id: customer }, agent: { id: 'a1' } });
    await engine.askNow(surveyId);
    await engine.message({ channel: 'test', customerId: customer, text: '3' });
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: 'stop' })).status, 'opted-out');
    const before = channel.sent.length;
    assert.equal((await engine.messageCustomer({ surveyId, text: 'Sorry!', by: 'manager' })).status, 'opted-out');
    assert.equal((await engine.messageCustomer({ surveyId: 'not-an-id', text: 'x', by: 'manager' })).status, 'unavailable');
    assert.equal((await engine.messageCustomer({ surveyId: '0123456789abcdef01234567', text: 'x', by: 'manager' })).status, 'unavailable');
    assert.equal(channel.sent.length, before);
  });

  test('a closed messaging window is reported, not retried', async () => {
    const { customer, surveyId } = await detractor();
    channel.closedWindows.add(customer);
    assert.equal((await engine.messageCustomer({ surveyId, text: 'We fixed it.', by: 'agent:a1' })).status, 'window-closed');
    assert.deepEqual((await surveyModel(db.conn).findById(surveyId).lean())?.notes ?? [], []);
  });

  test('told to wait 60 times is still sent, once; told to wait past the survey\'s expiry window, it is given up', async () => {
    const { customer, surveyId } = await detractor();
    const notes = async () => (await surveyModel(db.conn).findById(surveyId).lean())?.notes ?? [];
    channel.retryAfter.set(customer, 1_000);
    assert.equal((await engine.messageCustomer({ surveyId, text: 'We found your parcel.', by: 'manager' })).status, 'queued');
    for (let wait = 1; wait <= 60; wait++) {
      channel.retryAfter.set(customer, 1_000);
      clock.advance(1_100);
      assert.equal(await engine.sendOwed(), 1, `taken again after wait ${wait}`);
      assert.equal((await notes()).length, 1, `still owed after wait ${wait}`);
    }
    const [note] = await notes();
    assert.equal(note?.waits, 61, 'every try was a wait');
    clock.advance(1_100);
    assert.equal(await engine.sendOwed(), 1);
    assert.deepEqual(channel.to(customer).filter((m) => m.kind === 'reply').map((m) => m.text), ['We found your parcel.']);
    assert.deepEqual(await notes(), []);

    channel.retryAfter.set(customer, 6 * HOUR);
    assert.equal((await engine.messageCustomer({ surveyId, text: 'And a voucher.', by: 'manager' })).status, 'queued');
    clock.advance(71 * HOUR); // taken late (every process was away), still within 72 h of being owed
    channel.retryAfter.set(customer, 6 * HOUR);
    assert.equal(await engine.sendOwed(), 1);
    assert.deepEqual(await notes(), [], 'a wait that would end past 72 h after it was owed: given up');
    assert.equal(channel.to(customer).filter((m) => m.kind === 'reply').length, 1);
  });
});
