/**
 * The expiry sweep and messages still owed: a survey that expires (or completes without
 * its comment) while a re-prompt or follow-up waits for the platform drops that message
 * in the same write, and it is reported given up as no longer relevant (the `givenUp`
 * event, its info line and nps_owed_messages_given_up_total), once; a survey expiring
 * with nothing owed reports nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { SurveyEngine } from '../../src/conversation/engine.ts';
import type { GivenUpEvent } from '../../src/conversation/engine-core.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { BotMetrics } from '../../src/metrics/bot-metrics.ts';
import { countTransitions } from '../../src/metrics/engine-metrics.ts';
import { openTestDb } from '../helpers/database.ts';
import { HOUR, makeEngine, TestClock } from '../helpers/engine.ts';
import { recordingLogger, type LogLine } from '../helpers/log-lines.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;
let clock: TestClock;
let channel: RecordingChannel;
let engine: SurveyEngine;
let log: ReturnType<typeof recordingLogger>;
let metrics: BotMetrics;
let events: GivenUpEvent[];
let n = 0;

beforeAll(async () => { db = await openTestDb('expirygivenup'); });
afterAll(async () => { await db.drop(); });
beforeEach(async () => {
  // Each test on its own collection contents: the sweep takes every survey past its expiry.
  await surveyModel(db.conn).deleteMany({});
  clock = new TestClock();
  channel = new RecordingChannel();
  log = recordingLogger();
  metrics = new BotMetrics({ processMetrics: false });
  engine = makeEngine(db.conn, [channel], clock, {}, log.logger);
  await engine.init();
  countTransitions(engine, metrics);
  events = [];
  engine.on('givenUp', (e) => events.push(e));
});

async function asked(): Promise<{ customer: string; surveyId: string }> {
  const customer = `cust-${++n}`;
  const { surveyId } = await engine.resolved({ channel: 'test', conversationId: `conv-${n}`, customer: { id: customer }, agent: { id: 'a1' } });
  assert.equal(await engine.askNow(surveyId), true);
  return { customer, surveyId };
}

const givenUpLines = (surveyId: string): LogLine[] => log.lines.filter((l) => l.msg === 'owed message given up' && l.surveyId === surveyId);
const counted = async (labels: Partial<Record<'channel' | 'message' | 'reason', string>>): Promise<number> =>
  (await metrics.owedGivenUp.get()).values.filter((v) => (Object.entries(labels) as Array<[keyof typeof labels, string]>).every(([k, x]) => v.labels[k] === x)).reduce((sum, v) => sum + v.value, 0);

describe('the expiry sweep and owed messages', () => {
  test('a survey whose re-prompt is still owed expires: the re-prompt is given up once, as no longer relevant, and counted', async () => {
    const { customer, surveyId } = await asked();
    channel.retryAfter.set(customer, 60_000);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: 'hmm' })).status, 'reprompted');
    const before = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(before?.owed?.key, 'reprompt', 'the re-prompt waits for the platform');

    clock.advance(73 * HOUR);
    assert.deepEqual(await engine.expireDue(), { expired: 1, completed: 0 });
    const after = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(after?.state, 'expired');
    assert.equal(after?.owed, undefined, 'no longer owed');
    assert.deepEqual(events, [{ channel: 'test', message: 'reprompt', reason: 'no-longer-relevant' }]);
    assert.equal(givenUpLines(surveyId).length, 1);
    assert.equal(await counted({ channel: 'test', message: 'reprompt', reason: 'no-longer-relevant' }), 1);

    // Swept again (another process, the next pass): nothing more is reported, nothing sent.
    assert.deepEqual(await engine.expireDue(), { expired: 0, completed: 0 });
    assert.equal(await engine.sendOwed(), 0);
    assert.equal(events.length, 1);
    assert.equal(await counted({}), 1);
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question']);
  });

  test('a score whose follow-up is still owed completes at its expiry: the follow-up is given up once', async () => {
    const { customer, surveyId } = await asked();
    channel.retryAfter.set(customer, 60_000);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '4' })).status, 'scored');
    clock.advance(73 * HOUR);
    assert.deepEqual(await engine.expireDue(), { expired: 0, completed: 1 });
    assert.equal((await surveyModel(db.conn).findById(surveyId).lean())?.state, 'completed');
    assert.deepEqual(events, [{ channel: 'test', message: 'followup', reason: 'no-longer-relevant' }]);
    assert.equal(await counted({ message: 'followup', reason: 'no-longer-relevant' }), 1);
  });

  test('a survey expiring with nothing owed reports nothing given up', async () => {
    const { surveyId } = await asked();
    const { customer: scorer } = await asked();
    assert.equal((await engine.message({ channel: 'test', customerId: scorer, text: '9' })).status, 'scored'); // follow-up sent
    clock.advance(73 * HOUR);
    assert.deepEqual(await engine.expireDue(), { expired: 1, completed: 1 });
    assert.equal((await surveyModel(db.conn).findById(surveyId).lean())?.state, 'expired');
    assert.deepEqual(events, []);
    assert.equal(log.lines.filter((l) => l.msg === 'owed message given up').length, 0);
    assert.equal(await counted({}), 0);
  });
});
