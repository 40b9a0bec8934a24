/**
 * A follow-up, re-prompt or thanks that the platform could not take (a rate limit, an
 * outage) is kept on the survey and sent again by the scheduler, once; a message the
 * conversation has moved past is dropped; a permanent refusal is not retried; being told
 * to wait (a retry-after, no slot of the shared budget) does not use up the tries, and
 * keeps the message's place until it is no longer relevant or owed longer than the
 * survey's expiry window (EXPIRE_HOURS); failures give up after MAX_REPLY_ATTEMPTS.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { SurveyEngine } from '../../src/conversation/engine.ts';
import { openTestDb } from '../helpers/database.ts';
import { makeEngine, TestClock } from '../helpers/engine.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { MAX_REPLY_ATTEMPTS, nextStep } from '../../src/conversation/send-retry-policy.ts';
import { NoSlotInTime } from '../../src/conversation/send-pacer.ts';
import { BotMetrics } from '../../src/metrics/bot-metrics.ts';
import { countTransitions } from '../../src/metrics/engine-metrics.ts';
import { HOUR } from '../helpers/engine.ts';
import { recordingLogger, WARN, type LogLine } from '../helpers/log-lines.ts';
import type { ChannelAdapter } from '../../src/conversation/channel-contract/channel.ts';
import { WebhookChannel } from '../../src/channels/webhook-channel.ts';
import { WebhookReceiver } from '../fakes/webhook-receiver.ts';

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

describe('a message told to wait keeps its place; failures use up its tries', () => {
  let log: ReturnType<typeof recordingLogger>;
  let metrics: BotMetrics;

  beforeEach(() => {
    log = recordingLogger();
    metrics = new BotMetrics({ processMetrics: false });
    engine = makeEngine(db.conn, [channel], clock, {}, log.logger);
    countTransitions(engine, metrics);
  });

  const givenUp = (surveyId: string): LogLine[] => log.lines.filter((l) => l.msg === 'owed message given up' && l.surveyId === surveyId);
  const counted = async (labels: Partial<Record<'channel' | 'message' | 'reason', string>>): Promise<number> =>
    (await metrics.owedGivenUp.get()).values.filter((v) => (Object.entries(labels) as Array<[keyof typeof labels, string]>).every(([k, x]) => v.labels[k] === x)).reduce((sum, v) => sum + v.value, 0);

  /** The channel tells the customer's next send to wait `ms`; the clock moves past it and the scheduler takes the message again. */
  async function waitedOnce(customer: string, ms: number): Promise<number> {
    channel.retryAfter.set(customer, ms);
    clock.advance(ms + 100);
    return engine.sendOwed();
  }

  test('a follow-up told to wait ~1 s 60 times (a busy shared budget) is delivered once the platform takes it, while the survey is scored', async () => {
    const { customer, surveyId } = await asked();
    channel.retryAfter.set(customer, 1_000);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '9' })).status, 'scored');
    for (let wait = 1; wait <= 60; wait++) {
      assert.equal(await waitedOnce(customer, 1_000), 1, `taken again after wait ${wait}`);
      const s = await surveyModel(db.conn).findById(surveyId).lean();
      assert.equal(s?.owed?.key, 'followupPromoter', `still owed after wait ${wait}`);
    }
    clock.advance(1_100);
    assert.equal(await engine.sendOwed(), 1);
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question', 'followup']);
    const s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(s?.owed, undefined, 'settled');
    assert.equal(s?.state, 'scored');
    assert.equal(givenUp(surveyId).length, 0);
    assert.equal(await counted({}), 0);
    assert.deepEqual(log.lines.filter((l) => l.level >= WARN), [], 'a wait is no warning');
  });

  test('a follow-up still waiting when its survey expires is given up as no longer relevant, logged and counted, not sent late', async () => {
    const { customer, surveyId } = await asked();
    channel.retryAfter.set(customer, 1_000);
    await engine.message({ channel: 'test', customerId: customer, text: '3' });
    assert.equal(await waitedOnce(customer, 1_000), 1);
    // The platform said wait again, for longer than the comment is awaited (72 h); the expiry sweep has not run yet.
    assert.equal(await waitedOnce(customer, 73 * HOUR), 1);
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question']);
    const s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(s?.owed, undefined, 'no longer owed');
    const lines = givenUp(surveyId);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.reason, 'no-longer-relevant');
    assert.equal(await counted({ channel: 'test', message: 'followup', reason: 'no-longer-relevant' }), 1);
  });

  test('a thanks told to wait is given up once it would be owed longer than the survey\'s expiry window (72 h)', async () => {
    const { customer, surveyId } = await asked();
    channel.retryAfter.set(customer, 6 * HOUR);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '10 great help' })).status, 'completed');
    let waits = 1;
    for (; waits < 20; waits++) {
      assert.equal(await waitedOnce(customer, 6 * HOUR), 1);
      if ((await surveyModel(db.conn).findById(surveyId).lean())?.owed === undefined) break;
    }
    // Waits of 6 h (the longest a retry-after is honoured) fill the 72 h: the one that would end past them gives up.
    assert.ok(waits >= 11 && waits <= 12, `given up after ${waits} waits`);
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question']);
    const s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.match(s?.lastError ?? '', /given up: told to wait past 72 h/);
    const lines = givenUp(surveyId);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.reason, 'owed-too-long');
    assert.equal(lines[0]?.level, WARN);
    assert.equal(await counted({ channel: 'test', message: 'thanks', reason: 'owed-too-long' }), 1);
    // Nothing about the customer in the lines.
    assert.doesNotMatch(log.text(), new RegExp(customer));
  });

  test('a thanks taken only after 72 h (every process was away) is given up unsent, though the platform would take it now', async () => {
    const { customer, surveyId } = await asked();
    channel.retryAfter.set(customer, 1_000);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '8 fine' })).status, 'completed');
    clock.advance(73 * HOUR);
    assert.equal(await engine.sendOwed(), 1);
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question']);
    const s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(s?.owed, undefined);
    assert.match(s?.lastError ?? '', /given up: owed for longer than 72 h/);
    assert.equal(givenUp(surveyId)[0]?.reason, 'owed-too-long');
    assert.equal(await counted({ message: 'thanks', reason: 'owed-too-long' }), 1);
  });

  test('failures (a 5xx without a retry-after) still give up after MAX_REPLY_ATTEMPTS tries, waits in between not counted', async () => {
    const { customer, surveyId } = await asked();
    channel.failing.add(customer);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '6' })).status, 'scored');
    // Two failures, then ten waits, then failures until it is given up.
    clock.advance(31_000);
    assert.equal(await engine.sendOwed(), 1);
    channel.failing.delete(customer);
    clock.advance(61_000); // the second failure's backoff
    for (let wait = 0; wait < 10; wait++) assert.equal(await waitedOnce(customer, 1_000), 1);
    channel.failing.add(customer);
    let failures = 2;
    while ((await surveyModel(db.conn).findById(surveyId).lean())?.owed !== undefined && failures < 20) {
      clock.advance(10 * 60_000);
      assert.equal(await engine.sendOwed(), 1);
      failures++;
    }
    assert.equal(failures, MAX_REPLY_ATTEMPTS);
    assert.equal(log.lines.filter((l) => l.msg === 'message not delivered' && l.surveyId === surveyId && l.level === WARN).length, MAX_REPLY_ATTEMPTS, 'each failure warned, no wait');
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question']);
    const lines = givenUp(surveyId);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.reason, 'failed');
    assert.equal(await counted({ channel: 'test', message: 'followup', reason: 'failed' }), 1);
    assert.match((await surveyModel(db.conn).findById(surveyId).lean())?.lastError ?? '', /503.*given up: failed 5 times/);
  });

  test('a message owed before `since` and `waits` were recorded keeps working: owed from its first wait on', async () => {
    const { customer, surveyId } = await asked();
    channel.retryAfter.set(customer, 6 * HOUR);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '10 all good' })).status, 'completed');
    // As an older bot left it: attempts counted, no since, no waits.
    await surveyModel(db.conn).updateOne({ _id: surveyId }, { $unset: { 'owed.since': '', 'owed.waits': '' }, $set: { 'owed.attempts': 3 } });
    clock.advance(50 * HOUR); // owed long before; unknown to this document
    assert.equal(await waitedOnce(customer, 6 * HOUR), 1);
    const s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(s?.owed?.key, 'thanks', 'not given up on a guess');
    assert.equal(s?.owed?.since?.getTime(), clock.now().getTime(), 'owed from its first wait');
    assert.equal(s?.owed?.waits, 1);
    // Then it is sent when the platform takes it.
    clock.advance(6 * HOUR + 1_000);
    assert.equal(await engine.sendOwed(), 1);
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question', 'thanks']);
  });

  test('no slot of the shared send budget in time (NoSlotInTime, ~1 s) is a wait, however many came before', () => {
    const now = new Date('2026-03-02T10:00:00Z');
    const since = new Date(now.getTime() - HOUR);
    const step = nextStep(new NoSlotInTime('no slot within 15000 ms', 900), { attempts: 500, waits: 499, since }, now, 72 * HOUR);
    assert.deepEqual(step, { kind: 'wait', at: new Date(now.getTime() + 900) });
    const failed = nextStep(new Error('socket hang up'), { attempts: 500, waits: 499, since }, now, 72 * HOUR);
    assert.equal(failed.kind, 'retry', 'the second failure among 500 tries');
    assert.equal(nextStep(new NoSlotInTime('no slot', 2 * HOUR), { attempts: 0, since }, new Date(since.getTime() + 71 * HOUR), 72 * HOUR).kind, 'give-up');
  });
});

describe('over HTTP: a chat system answering 429 with Retry-After: 1', () => {
  const SECRET = 'webhook-secret-0123456789';
  let hook: WebhookReceiver;
  beforeAll(async () => { hook = await new WebhookReceiver(SECRET).start(); });
  afterAll(async () => { await hook.stop(); });

  /**
   * The webhook adapter as it is (its HTTP client reads the Retry-After), without its
   * declared rate: the pacer would hold the schedule for that second in real time, and
   * here the engine's clock, moved by the test, says when the second has passed.
   */
  function unpaced(adapter: WebhookChannel): ChannelAdapter {
    return { name: adapter.name, start: (c) => adapter.start(c), stop: () => adapter.stop(), send: (to, m) => adapter.send(to, m), post: (id, n) => adapter.post(id, n) };
  }

  test('the follow-up is delivered, once, after 60 answers of 429', async () => {
    const webhook = makeEngine(db.conn, [unpaced(new WebhookChannel({ outboundUrl: hook.url, secret: SECRET, ratePerSecond: 50 }))], clock);
    const customer = `hook-${++n}`;
    const { surveyId } = await webhook.resolved({ channel: 'webhook', conversationId: `conv-${n}`, customer: { id: customer }, agent: { id: 'a1' } });
    assert.equal(await webhook.askNow(surveyId), true);
    for (let i = 0; i < 61; i++) hook.answers.push({ status: 429, retryAfter: '1' });
    assert.equal((await webhook.message({ channel: 'webhook', customerId: customer, text: '9' })).status, 'scored');
    for (let wait = 1; wait <= 60; wait++) {
      clock.advance(1_100);
      assert.equal(await webhook.sendOwed(), 1, `taken again after 429 number ${wait}`);
    }
    assert.equal(hook.answers.length, 0, 'every 429 was answered');
    assert.equal((await surveyModel(db.conn).findById(surveyId).lean())?.owed?.waits, 61);
    clock.advance(1_100);
    assert.equal(await webhook.sendOwed(), 1);
    const got = hook.received.filter((r) => r.body.customerId === customer);
    assert.equal(got.length, 2, 'the question and the follow-up');
    assert.ok(got[1]?.signed);
    const s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(s?.owed, undefined);
    assert.equal(s?.state, 'scored');
    assert.equal(await webhook.sendOwed(), 0, 'sent once');
  });
});
