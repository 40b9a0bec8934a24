/**
 * Survey events (SURVEY_EVENTS_URL) against a local HTTP receiver: every step arrives,
 * signed (the signature verifies), in its survey's order, with an id that stays the same
 * across retries after 500s; undelivered events survive a restart; with events off no
 * write carries one, and with them on a conversation costs no extra round trip.
 */
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose, { type Connection } from 'mongoose';
import type mongooseTypes from 'mongoose';
import { verifyBody } from '../../src/channels/webhook-signature.ts';
import { SurveyEvents } from '../../src/survey-events/survey-events.ts';
import type { SurveyEventBody } from '../../src/survey-events/event-body.ts';
import { retryDelayMs } from '../../src/survey-events/event-delivery.ts';
import { stageSurveyEvents } from '../../src/storage/surveys/index.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { silentLogger } from '../../src/logger.ts';
import { forgetCustomer } from '../../src/forget.ts';
import { queuedEventModel } from '../../src/survey-events/event-queue-model.ts';
import { HOUR, makeEngine, TestClock } from '../helpers/engine.ts';
import { mongoUri, testDbName } from '../helpers/database.ts';
import { eventually } from '../helpers/app.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';

const SECRET = 'survey-events-secret-0123456789abcdef';

interface Received { id: string; headerId: string; verified: boolean; body: SurveyEventBody; status: number }

/** A receiver as another system would run one: verifies, answers with what `answer` says. */
class Receiver {
  readonly got: Received[] = [];
  answer: (body: SurveyEventBody, attempt: number) => number = () => 200;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const body = JSON.parse(raw) as SurveyEventBody;
        const verified = verifyBody(raw, SECRET, req.headers['x-nps-signature'] as string, req.headers['x-nps-timestamp'] as string);
        const attempt = this.got.filter((g) => g.id === body.id).length + 1;
        const status = verified ? this.answer(body, attempt) : 401;
        this.got.push({ id: body.id, headerId: String(req.headers['x-nps-event-id']), verified, body, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
  }

  /** Acknowledged events, in the order they were acknowledged. */
  acked(): SurveyEventBody[] { return this.got.filter((g) => g.status === 200).map((g) => g.body); }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let conn: Connection;
const dbName = testDbName('surveyevents');
const running: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  conn = await mongoose.createConnection(mongoUri(), { dbName }).asPromise();
});
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  stageSurveyEvents(conn, false);
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

function eventsFor(url: string, c = conn): SurveyEvents {
  const e = new SurveyEvents({ conn: c, url, secret: SECRET, logger: silentLogger(), intervalMs: 20, delivery: { retryBaseMs: 20, retryCapMs: 200, leaseMs: 5_000 } });
  running.push(e);
  return e;
}

let n = 0;
async function conversation(clock: TestClock, channel: RecordingChannel, steps: string[]): Promise<string> {
  const engine = makeEngine(conn, [channel], clock);
  await engine.init();
  const customer = `cust-${++n}`;
  const { surveyId } = await engine.resolved({ channel: 'test', conversationId: `conv-${n}`, customer: { id: customer }, agent: { id: 'agent-1' } });
  await engine.askNow(surveyId);
  for (const text of steps) await engine.message({ channel: 'test', customerId: customer, text });
  return surveyId;
}

const typesOf = (events: SurveyEventBody[], surveyId: string) => events.filter((e) => e.survey.id === surveyId).map((e) => e.type);

describe('survey events', () => {
  test('every step arrives signed, once acknowledged, in its survey\'s order, with the step\'s data', async () => {
    const receiver = new Receiver();
    await receiver.start();
    running.push(receiver);
    const events = eventsFor(receiver.url);
    await events.init();
    const clock = new TestClock();
    const channel = new RecordingChannel();
    const answered = await conversation(clock, channel, ['3', 'Too slow']);
    const optedOut = await conversation(clock, channel, ['stop']);
    events.start();
    await eventually(async () => receiver.acked().length >= 7, 10_000, 'seven events acknowledged');
    const acked = receiver.acked();
    assert.ok(receiver.got.every((g) => g.verified && g.headerId === g.id), 'every request verifies, the header names the body\'s id');
    assert.deepEqual(typesOf(acked, answered), ['survey.resolved', 'survey.asked', 'survey.answered', 'survey.commented']);
    assert.deepEqual(acked.filter((e) => e.survey.id === answered).map((e) => e.sequence), [0, 1, 2, 3]);
    assert.deepEqual(typesOf(acked, optedOut), ['survey.resolved', 'survey.asked', 'survey.opted_out']);
    const score = acked.find((e) => e.survey.id === answered && e.type === 'survey.answered')!;
    assert.deepEqual(score.data, { score: 3, category: 'detractor' });
    assert.equal(acked.find((e) => e.type === 'survey.commented')!.data.comment, 'Too slow');
    assert.equal(score.survey.agentId, 'agent-1');
    assert.equal(new Set(acked.map((e) => e.id)).size, acked.length, 'ids are unique');
    assert.equal(await events.queue.pending(), 0);
    assert.equal((await surveyModel(conn).findById(answered).lean())?.outbound?.length ?? 0, 0, 'nothing left staged');
  });

  test('retried after 500s with backoff, the same id every time, and a later event of the survey waits for the earlier', async () => {
    const receiver = new Receiver();
    // Each event is refused twice before it is taken.
    receiver.answer = (_body, attempt) => (attempt <= 2 ? 500 : 200);
    await receiver.start();
    running.push(receiver);
    const events = eventsFor(receiver.url);
    await events.init();
    const surveyId = await conversation(new TestClock(), new RecordingChannel(), ['10']);
    events.start();
    await eventually(async () => typesOf(receiver.acked(), surveyId).length >= 3, 15_000, 'three events acknowledged');
    const mine = receiver.got.filter((g) => g.body.survey.id === surveyId);
    // Per id: 500, 500, 200, and the next event's first attempt only after that 200.
    const order = mine.map((g) => `${g.body.type}:${g.status}`);
    assert.deepEqual(order, [
      'survey.resolved:500', 'survey.resolved:500', 'survey.resolved:200',
      'survey.asked:500', 'survey.asked:500', 'survey.asked:200',
      'survey.answered:500', 'survey.answered:500', 'survey.answered:200',
    ]);
    for (const id of new Set(mine.map((g) => g.id))) assert.equal(mine.filter((g) => g.id === id).length, 3, 'the same id on each attempt');
  });

  test('the backoff doubles up to its cap', () => {
    const s = { retryBaseMs: 1000, retryCapMs: 60_000 };
    assert.deepEqual([1, 2, 3, 4, 7, 30].map((a) => retryDelayMs(a, s, () => 0)), [1000, 2000, 4000, 8000, 60_000, 60_000]);
    assert.equal(retryDelayMs(2, s, () => 1), 2200, 'jitter adds at most a tenth');
  });

  test('a restart keeps what was not delivered: another process delivers it, same ids', async () => {
    const receiver = new Receiver();
    receiver.answer = () => 503;
    await receiver.start();
    const first = eventsFor(receiver.url);
    await first.init();
    const surveyId = await conversation(new TestClock(), new RecordingChannel(), ['7']);
    await first.tick();
    await eventually(async () => receiver.got.length > 0, 5000, 'a first attempt');
    const triedIds = new Set(receiver.got.map((g) => g.id));
    await first.stop();
    await receiver.stop();
    assert.ok(await first.queue.pending() >= 3, 'kept in the queue');

    // "Restart": a new process on its own connection; the receiver is back.
    const back = new Receiver();
    await back.start();
    running.push(back);
    const conn2 = await mongoose.createConnection(mongoUri(), { dbName }).asPromise();
    running.push({ stop: () => conn2.close() });
    const second = eventsFor(back.url, conn2);
    second.start();
    await eventually(async () => typesOf(back.acked(), surveyId).length >= 3, 15_000, 'delivered after the restart');
    assert.deepEqual(typesOf(back.acked(), surveyId), ['survey.resolved', 'survey.asked', 'survey.answered']);
    for (const id of triedIds) assert.ok(back.acked().some((e) => e.id === id), 'the id tried before the restart is the one delivered');
  });

  test('forgetting a customer removes their queued events (a comment among them) and tells receivers survey.forgotten', async () => {
    const receiver = new Receiver();
    receiver.answer = () => 503;
    await receiver.start();
    running.push(receiver);
    const events = eventsFor(receiver.url);
    await events.init();
    const surveyId = await conversation(new TestClock(), new RecordingChannel(), ['2 rude staff']);
    const customer = (await surveyModel(conn).findById(surveyId).lean())!.customer.id;
    await events.tick();
    assert.ok(await events.queue.pending() >= 4, 'queued, undelivered');
    await forgetCustomer(conn, 'test', customer);
    await events.tick();
    const left = await queuedEventModel(conn).find({ surveyId }).lean();
    assert.deepEqual(left.map((e) => e.type), ['survey.forgotten']);
    assert.ok(!left[0]!.body.includes('rude'));
    assert.equal(JSON.parse(left[0]!.body).survey.customerId === customer, false, 'the customer id is the keyed hash');
  });

  test('off, no write stages an event; on, a whole conversation costs no extra round trip', async () => {
    const clock = new TestClock();
    const off = await conversation(clock, new RecordingChannel(), ['9', 'Great']);
    assert.equal((await surveyModel(conn).findById(off).lean())?.outbound, undefined);

    const watched = await mongoose.createConnection(mongoUri(), { dbName, monitorCommands: true }).asPromise();
    try {
      const commands: string[] = [];
      const plumbing = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo', 'killCursors']);
      watched.getClient().on('commandStarted', (e: mongooseTypes.mongo.CommandStartedEvent) => { if (!plumbing.has(e.commandName)) commands.push(e.commandName); });
      stageSurveyEvents(watched, true);
      const channel = new RecordingChannel();
      const engine = makeEngine(watched, [channel], clock);
      await engine.init();
      commands.length = 0;
      const { surveyId } = await engine.resolved({ channel: 'test', conversationId: `conv-w-${++n}`, customer: { id: `cw-${n}` }, agent: { id: 'agent-1' } });
      await engine.askNow(surveyId);
      await engine.message({ channel: 'test', customerId: `cw-${n}`, text: '9' });
      await engine.message({ channel: 'test', customerId: `cw-${n}`, text: 'Quick and kind' });
      assert.ok(commands.length <= 8, `round trips with events on: ${commands.length} (${commands.join(', ')})`);
      const staged = (await surveyModel(watched).findById(surveyId).lean())?.outbound ?? [];
      assert.deepEqual(staged.map((e) => e.type), ['survey.resolved', 'survey.asked', 'survey.answered', 'survey.commented']);
    } finally {
      stageSurveyEvents(watched, false);
      await watched.close();
    }
    clock.advance(HOUR);
  });
});
