/**
 * The sweep of owed messages whose lease ran out takes several at a time: one waiting on
 * its platform (a slow send, a rate-limit slot) does not hold other customers' messages
 * behind it, and each is still sent once.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { OutgoingMessage, Recipient, SendReceipt } from '../../src/conversation/channel-contract/channel.ts';
import { openTestDb } from '../helpers/database.ts';
import { makeEngine, TestClock } from '../helpers/engine.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { Scheduler } from '../../src/conversation/scheduler.ts';
import { silentLogger } from '../../src/logger.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;
beforeAll(async () => { db = await openTestDb('owedsweep'); });
afterAll(async () => { await db.drop(); });

/** A platform that keeps one customer's sends open until released (a send waiting for its slot). */
class OneSlowChat extends RecordingChannel {
  slowCustomer = '';
  private openSlow: (() => void) | null = null;
  private readonly slowGate = new Promise<void>((resolve) => { this.openSlow = resolve; });
  override async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    if (to.customerId === this.slowCustomer && message.kind === 'followup') await this.slowGate;
    return super.send(to, message);
  }
  releaseSlow(): void { this.openSlow?.(); }
}

async function until(what: string, ok: () => boolean, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('owed messages taken again after their lease', () => {
  test('one customer\'s follow-up waiting on its platform does not hold the others\'; each goes once', async () => {
    const clock = new TestClock();
    const channel = new OneSlowChat();
    const engine = makeEngine(db.conn, [channel], clock);
    await engine.init();
    const customers = ['slow', 'c1', 'c2', 'c3'];
    for (const [i, customer] of customers.entries()) {
      const { surveyId } = await engine.resolved({ channel: 'test', conversationId: `sweep-${i}`, customer: { id: customer }, agent: { id: 'a1' } });
      assert.equal(await engine.askNow(surveyId), true);
      // The platform says wait: the follow-up stays owed, due in a minute.
      channel.retryAfter.set(customer, 60_000);
      assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '9' })).status, 'scored');
      clock.advance(10); // the slow customer's is the most overdue, taken first
    }
    channel.slowCustomer = 'slow';
    clock.advance(61_000);
    const sweep = engine.sendOwed();
    const others = () => customers.slice(1).every((c) => channel.to(c).some((m) => m.kind === 'followup'));
    await until('the other customers\' follow-ups went while the slow one waits', others);
    assert.equal(channel.to('slow').some((m) => m.kind === 'followup'), false);
    channel.releaseSlow();
    assert.equal(await sweep, 4);
    for (const c of customers) assert.equal(channel.to(c).filter((m) => m.kind === 'followup').length, 1, c);
    const owed = await surveyModel(db.conn).countDocuments({ conversationId: /^sweep-/, owed: { $exists: true } });
    assert.equal(owed, 0);
    assert.equal(await engine.sendOwed(), 0, 'nothing left to take');
  });

  test('the scheduler\'s tick sends owed follow-ups while new questions wait on their platform', async () => {
    const clock = new TestClock();
    const channel = new RecordingChannel();
    const engine = makeEngine(db.conn, [channel], clock);
    await engine.init();
    const { surveyId } = await engine.resolved({ channel: 'test', conversationId: 'tick-owed', customer: { id: 'waiting' }, agent: { id: 'a1' } });
    assert.equal(await engine.askNow(surveyId), true);
    channel.retryAfter.set('waiting', 60_000);
    assert.equal((await engine.message({ channel: 'test', customerId: 'waiting', text: '3' })).status, 'scored');
    clock.advance(61_000);
    // A new question the platform holds open (a backlog waiting for its slots).
    channel.hold();
    await engine.resolved({ channel: 'test', conversationId: 'tick-new', customer: { id: 'new' }, agent: { id: 'a1' } });
    const scheduler = new Scheduler(engine, 3_600_000, silentLogger());
    scheduler.start();
    try {
      await until('the owed follow-up went while the question is held', () => channel.to('waiting').some((m) => m.kind === 'followup'));
      assert.equal(channel.to('new').length, 0, 'the question is still held');
    } finally {
      channel.release();
      await scheduler.stop();
    }
    assert.equal(channel.to('new')[0]?.kind, 'question');
  });
});
