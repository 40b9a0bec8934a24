/**
 * The engine's write path: what one conversation costs the database, and that nothing
 * is lost around a slow send, a crash mid-send, or a reply racing its own question.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import mongoose, { type Connection } from 'mongoose';
import type mongooseTypes from 'mongoose';
import type { SurveyEngine } from '../../src/conversation/engine.ts';
import { askedSurveys, HOUR, makeEngine, TestClock } from '../helpers/engine.ts';
import { mongoUri, testDbName } from '../helpers/database.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

let conn: Connection;
let clock: TestClock;
let channel: RecordingChannel;
let engine: SurveyEngine;
const commands: string[] = [];
/** Waits on the database: a command that starts while none is in flight begins a new one. */
let roundTrips = 0;
let inFlight = 0;
const PLUMBING = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo', 'killCursors']);

beforeAll(async () => {
  conn = await mongoose.createConnection(mongoUri(), { dbName: testDbName('writepath'), monitorCommands: true }).asPromise();
  conn.getClient().on('commandStarted', (e: mongooseTypes.mongo.CommandStartedEvent) => {
    if (PLUMBING.has(e.commandName)) return;
    commands.push(e.commandName);
    if (inFlight++ === 0) roundTrips++;
  });
  const done = (e: { commandName: string }) => { if (!PLUMBING.has(e.commandName)) inFlight--; };
  conn.getClient().on('commandSucceeded', done);
  conn.getClient().on('commandFailed', done);
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});
beforeEach(async () => {
  clock = new TestClock();
  channel = new RecordingChannel();
  engine = makeEngine(conn, [channel], clock);
  await engine.init();
});

let n = 0;
function resolution(customer = `cust-${++n}`) {
  return { channel: 'test', conversationId: `conv-${++n}`, customer: { id: customer, name: 'Kim' }, agent: { id: 'agent-1' } };
}

describe('write path', () => {
  // insert (claimed at once), reserve the contact + the opt-out check (sent together: one
  // wait), asked (question settled), score (follow-up owed), follow-up settled, comment
  // (thanks owed), thanks settled: 8 commands in 7 round trips. Alone, each of these is its
  // own command; new surveys, opt-out checks and settles of conversations in flight at the
  // same time share one (group commits: the next test, eligibility.test.ts, survey-group-commit.test.ts).
  test('a whole conversation (resolution → question → score → follow-up → comment → thanks) costs at most 8 commands in 7 round trips', async () => {
    const r = resolution();
    commands.length = 0;
    roundTrips = 0;
    const { surveyId } = await engine.resolved(r);
    assert.equal(await engine.askNow(surveyId), true);
    assert.equal((await engine.message({ channel: 'test', customerId: r.customer.id, text: '9' })).status, 'scored');
    assert.equal((await engine.message({ channel: 'test', customerId: r.customer.id, text: 'Quick and kind' })).status, 'completed');
    assert.deepEqual(channel.to(r.customer.id).map((m) => m.kind), ['question', 'followup', 'thanks']);
    assert.ok(commands.length <= 8, `commands: ${commands.length} (${commands.join(', ')})`);
    assert.ok(roundTrips <= 7, `round trips: ${roundTrips} (${commands.join(', ')})`);
    const s = await surveyModel(conn).findById(surveyId).lean();
    assert.equal(s?.state, 'completed');
    assert.equal(s?.comment, 'Quick and kind');
  });

  test('follow-ups the platform took at the same time are settled together: fewer commands than settles, each settled', async () => {
    const N = 6;
    const rs = Array.from({ length: N }, () => resolution());
    const ids = await askedSurveys(engine, rs);
    // The platform answers the six follow-ups at once, after it has taken them all.
    channel.answerTogether('followup', N);
    commands.length = 0;
    const outcomes = await Promise.all(rs.map((r) => engine.message({ channel: 'test', customerId: r.customer.id, text: '9' })));
    channel.afterAccept = null;
    assert.deepEqual(outcomes.map((o) => o.status), rs.map(() => 'scored'));
    const settles = commands.filter((c) => c === 'update').length;
    assert.ok(settles < N, `${N} settles in ${settles} update commands (${commands.join(', ')})`);
    for (const id of ids) assert.equal((await surveyModel(conn).findById(id).lean())?.owed, undefined, 'settled');
  });

  test('a reply that arrives while its question is being sent is applied at once, and the question finishing changes nothing', async () => {
    const r = resolution();
    const { surveyId } = await engine.resolved(r);
    channel.hold();
    const asking = engine.askNow(surveyId);
    await channel.sendsStarted();
    assert.equal((await surveyModel(conn).findById(surveyId).lean())?.state, 'sending');
    const early = await engine.message({ channel: 'test', customerId: r.customer.id, text: '10', eventId: 'ev-early' });
    assert.equal(early.status, 'scored');
    channel.release();
    await asking;
    const s = await surveyModel(conn).findById(surveyId).lean();
    assert.equal(s?.state, 'scored');
    assert.equal(s?.score, 10);
    assert.ok(s?.askedAt, 'asked, as of the answer');
    assert.equal(s?.owed, undefined, 'the follow-up went out and was settled');
    assert.deepEqual(channel.to(r.customer.id).map((m) => m.kind).sort(), ['followup', 'question']);
    // The platform redelivering the same event later changes nothing.
    assert.equal((await engine.message({ channel: 'test', customerId: r.customer.id, text: '10', eventId: 'ev-early' })).status, 'duplicate');
  });

  /**
   * Process A claims and sends the question (the customer has it), then stalls before
   * storing `asked`, as if dead; the lease lapses and process B, on `other`, may take it.
   * `first` is A's ask, which goes on when `channel.release()` is called.
   */
  async function aStallsAfterSending(other: RecordingChannel) {
    const r = resolution();
    const { surveyId } = await engine.resolved(r);
    channel.hold();
    const first = engine.askNow(surveyId);
    await channel.sendsStarted();
    clock.advance(61_000);
    return { r, surveyId, first, b: makeEngine(conn, [other], clock) };
  }

  test('a process that dies after sending: another asks again, the customer is not "surveyed too recently", and the answer counts', async () => {
    // Process B, after A's lease lapsed: the question is owed, so B sends it again.
    const { r, surveyId, first, b } = await aStallsAfterSending(new RecordingChannel());
    assert.equal(await b.askDue(), 0, 'nothing to claim: the survey is being sent');
    assert.equal(await b.sendOwed(), 1);
    const s = await surveyModel(conn).findById(surveyId).lean();
    assert.equal(s?.state, 'asked', `state ${s?.state} skipReason ${s?.skipReason}`);
    assert.equal((await b.message({ channel: 'test', customerId: r.customer.id, text: '3 slow' })).status, 'completed');
    // A wakes up late: its write matches nothing, the answer stays.
    channel.release();
    await first;
    const after = await surveyModel(conn).findById(surveyId).lean();
    assert.equal(after?.state, 'completed');
    assert.equal(after?.score, 3);
  });

  test('a process that dies after sending, and the re-send is told to wait: the survey stays open, so the answer to the first copy counts', async () => {
    // Process B takes the lapsed lease; the platform tells it to wait ten minutes.
    const other = new RecordingChannel();
    const { r, surveyId, first, b } = await aStallsAfterSending(other);
    other.retryAfter.set(r.customer.id, 10 * 60_000);
    assert.equal(await b.sendOwed(), 1);
    const s = await surveyModel(conn).findById(surveyId).lean();
    assert.equal(s?.state, 'sending', `not back to the schedule, where the answer would match nothing (state ${s?.state})`);
    assert.ok(s?.owed && s.owed.dueAt.getTime() >= clock.now().getTime() + 10 * 60_000, 'the question owed again after the wait');
    assert.equal(s?.owed?.waits, 1, 'a wait, not a failed try');
    // The customer answers the copy A sent.
    assert.equal((await b.message({ channel: 'test', customerId: r.customer.id, text: '4 it took long' })).status, 'completed');
    channel.release();
    await first;
    const after = await surveyModel(conn).findById(surveyId).lean();
    assert.equal(after?.state, 'completed');
    assert.equal(after?.score, 4);
    assert.equal(other.sent.filter((m) => m.message.kind === 'question').length, 0, 'B never sent the question again');
  });

  test('a long retry-after is not waited out inside the lease: the survey goes back to the schedule, no attempt counted', async () => {
    const r = resolution();
    channel.retryAfter.set(r.customer.id, 10 * 60_000);
    const { surveyId } = await engine.resolved(r);
    const t0 = Date.now();
    await engine.askNow(surveyId);
    assert.ok(Date.now() - t0 < 10_000, 'the send did not wait ten minutes');
    let s = await surveyModel(conn).findById(surveyId).lean();
    assert.equal(s?.state, 'scheduled');
    assert.equal(s?.attempts ?? 0, 0);
    assert.equal(s?.askAt.getTime(), clock.now().getTime() + 10 * 60_000);
    // The customer is free again (the reservation was undone), and is asked when the time comes.
    clock.advance(10 * 60_000);
    assert.equal(await engine.askDue(), 1);
    s = await surveyModel(conn).findById(surveyId).lean();
    assert.equal(s?.state, 'asked');
  });

  test('a huge retry-after is clamped to hours, not a broken date', async () => {
    const r = resolution();
    channel.retryAfter.set(r.customer.id, Number.MAX_SAFE_INTEGER);
    const { surveyId } = await engine.resolved(r);
    await engine.askNow(surveyId);
    const s = await surveyModel(conn).findById(surveyId).lean();
    assert.equal(s?.state, 'scheduled');
    assert.ok(s!.askAt.getTime() <= clock.now().getTime() + 6 * HOUR);
    assert.ok(s!.askAt.getTime() > clock.now().getTime());
  });

  test('a button naming a survey that is no longer open is ignored, never applied to another open survey', async () => {
    const customer = `cust-${++n}`;
    const first = await engine.resolved(resolution(customer));
    await engine.askNow(first.surveyId);
    await engine.message({ channel: 'test', customerId: customer, text: '', choice: 8 });
    await engine.message({ channel: 'test', customerId: customer, text: 'fine' });
    clock.advance(40 * 24 * HOUR); // past the fatigue window
    const second = await engine.resolved(resolution(customer));
    await engine.askNow(second.surveyId);
    const late = await engine.message({ channel: 'test', customerId: customer, text: '', choice: 2, surveyId: first.surveyId });
    assert.equal(late.status, 'ignored');
    assert.equal((await surveyModel(conn).findById(second.surveyId).lean())?.state, 'asked');
    assert.equal((await surveyModel(conn).findById(first.surveyId).lean())?.score, 8);
  });

  test('an unclear reply delivered twice is re-prompted once', async () => {
    const r = resolution();
    const { surveyId } = await engine.resolved(r);
    await engine.askNow(surveyId);
    const once = await engine.message({ channel: 'test', customerId: r.customer.id, text: 'hmm', eventId: 'ev-1' });
    const twice = await engine.message({ channel: 'test', customerId: r.customer.id, text: 'hmm', eventId: 'ev-1' });
    assert.equal(once.status, 'reprompted');
    assert.equal(twice.status, 'duplicate');
    const s = await surveyModel(conn).findById(surveyId).lean();
    assert.equal(s?.reprompts, 1);
    assert.deepEqual(s?.eventIds, ['ev-1']);
    assert.deepEqual(channel.to(r.customer.id).map((m) => m.kind), ['question', 'reprompt']);
  });
});
