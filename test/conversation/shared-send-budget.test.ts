/**
 * The send budget shared by bot processes through the database: two outboxes on two
 * connections to one database (two processes) sending to one platform that enforces its
 * limit in any sliding window and answers 429 with a retry-after when it is exceeded.
 * Together they stay within the limit (per app and per chat); with each process pacing
 * alone (the local budget) the same load is refused; a platform's 429 holds every
 * process; a send that cannot get a slot in time goes back to its caller untried.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import mongoose, { type Connection } from 'mongoose';
import type { ChannelAdapter, ChannelRate, OutgoingMessage, Recipient, SendReceipt } from '../../src/conversation/channel-contract/channel.ts';
import { TransientSendError } from '../../src/conversation/channel-contract/send-errors.ts';
import { silentLogger } from '../../src/logger.ts';
import { Outbox } from '../../src/conversation/outbox.ts';
import { LocalRateBudget, type RateBudget } from '../../src/conversation/rate-budget.ts';
import { MongoRateBudget } from '../../src/shared-state/rate-budget-store.ts';
import { busiestWindow, SlidingWindowLimit } from '../fakes/sliding-window-limit.ts';
import { mongoUri, openTestDb } from '../helpers/database.ts';

/** One platform both processes talk to: it keeps the log and enforces its limits. */
class Platform {
  readonly accepted: Array<{ at: number; chat: string }> = [];
  readonly refused: Array<{ at: number; chat: string }> = [];
  /** The next requests are refused with this retry-after (the platform's own call), then normal service. */
  readonly scripted: Array<{ retryAfterMs: number; per: 'app' | 'chat' }> = [];
  private readonly app: SlidingWindowLimit;
  private readonly chat: SlidingWindowLimit | null;

  constructor(readonly rate: ChannelRate) {
    this.app = new SlidingWindowLimit(rate.perSecond, 1000);
    const c = rate.limits?.find((l) => l.per === 'chat');
    this.chat = c ? new SlidingWindowLimit(c.limit, c.windowMs) : null;
  }

  receive(chat: string): void {
    const at = Date.now();
    const script = this.scripted.shift();
    if (script) {
      this.refused.push({ at, chat });
      throw new TransientSendError('429 Too Many Requests', script.retryAfterMs, script.per);
    }
    const verdicts = [this.chat?.take(chat, at) ?? { ok: true as const }, this.app.take('app', at)];
    const no = verdicts.find((v) => !v.ok);
    if (no && !no.ok) {
      this.refused.push({ at, chat });
      throw new TransientSendError('429 Too Many Requests', no.retryAfterMs);
    }
    this.accepted.push({ at, chat });
  }
}

/** One process's adapter of the platform. */
class PlatformAdapter implements ChannelAdapter {
  readonly name = 'limited';
  constructor(private readonly platform: Platform, readonly rate: ChannelRate) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async send(to: Recipient, _m: OutgoingMessage): Promise<SendReceipt> {
    this.platform.receive(to.customerId);
    return {};
  }
  async post(channelId: string): Promise<void> { this.platform.receive(channelId); }
}

const question: OutgoingMessage = { kind: 'question', text: 'How likely…', choices: null };
const to = (customerId: string): Recipient => ({ surveyId: `s-${customerId}`, conversationId: `c-${customerId}`, customerId, locale: 'en' });

let db: Awaited<ReturnType<typeof openTestDb>>;
let other: Connection;
const outboxes: Outbox[] = [];

beforeAll(async () => {
  db = await openTestDb('sendbudget');
  other = await mongoose.createConnection(mongoUri(), { dbName: db.dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
  await new MongoRateBudget(db.conn).init();
});

afterAll(async () => {
  await Promise.all(outboxes.map((o) => o.stop()));
  await other?.close();
  await db?.drop();
});

/** Two processes' outboxes on one platform, each with its own budget object. */
function twoProcesses(platform: Platform, budgets: [RateBudget, RateBudget], maxWaitMs = 15_000): [Outbox, Outbox] {
  const make = (budget: RateBudget) => {
    const o = new Outbox(new Map([['limited', new PlatformAdapter(platform, platform.rate)]]), { logger: silentLogger(), budget, maxWaitMs, baseDelayMs: 5 });
    outboxes.push(o);
    return o;
  };
  return [make(budgets[0]), make(budgets[1])];
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the send budget shared through the database', () => {
  test('two processes together never exceed the app limit in any window, and every send goes out', async () => {
    const platform = new Platform({ perSecond: 20, concurrent: 4 });
    const [a, b] = twoProcesses(platform, [new MongoRateBudget(db.conn), new MongoRateBudget(other)]);
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).send('limited', to(`cust-${i}`), question)));
    assert.equal(platform.accepted.length, 60);
    assert.deepEqual(platform.refused, [], 'no 429 from the platform');
    assert.ok(busiestWindow(platform.accepted.map((r) => r.at), 1000) <= 20);
  });

  test('the same load paced by each process alone is refused by the platform (what the shared budget prevents)', async () => {
    const platform = new Platform({ perSecond: 20, concurrent: 4 });
    const [a, b] = twoProcesses(platform, [new LocalRateBudget(), new LocalRateBudget()]);
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).send('limited', to(`cust-${i}`), question)));
    assert.ok(platform.refused.length > 0, 'two processes at the full rate each earn 429s');
  });

  test('a per-chat limit holds across processes', async () => {
    const platform = new Platform({ perSecond: 100, concurrent: 4, limits: [{ per: 'chat', limit: 1, windowMs: 300 }] });
    const [a, b] = twoProcesses(platform, [new MongoRateBudget(db.conn), new MongoRateBudget(other)]);
    await Promise.all([
      ...Array.from({ length: 3 }, () => a.send('limited', to('same-customer'), question)),
      ...Array.from({ length: 3 }, () => b.send('limited', to('same-customer'), question)),
      b.send('limited', to('someone-else'), question),
    ]);
    assert.deepEqual(platform.refused, [], 'no 429 from the platform');
    const same = platform.accepted.filter((r) => r.chat === 'same-customer').map((r) => r.at);
    assert.equal(same.length, 6);
    assert.equal(busiestWindow(same, 300), 1);
  });

  test("the platform's 429 wins: its retry-after holds the other process too", async () => {
    const platform = new Platform({ perSecond: 100, concurrent: 4 });
    platform.scripted.push({ retryAfterMs: 1200, per: 'app' });
    const budgetA = new MongoRateBudget(db.conn);
    const [a, b] = twoProcesses(platform, [budgetA, new MongoRateBudget(other)]);
    const first = a.send('limited', to('first'), question);
    await until('the 429', () => platform.refused.length === 1);
    const refusedAt = platform.refused[0]!.at;
    // Once process A has shared the retry-after, process B asks for its own customer.
    await until('the shared hold', async () => {
      const r = await budgetA.reserve({ id: 'limited|app|100/1000', limit: 100, windowMs: 1000, intervalMs: 10.5, toleranceMs: 0 }, Date.now(), Date.now());
      return 'nextAt' in r;
    });
    await Promise.all([first, b.send('limited', to('second'), question)]);
    assert.equal(platform.refused.length, 1);
    for (const r of platform.accepted) assert.ok(r.at >= refusedAt + 1200, `a send went out ${refusedAt + 1200 - r.at} ms inside the platform's retry-after`);
  });

  test("a retry-after meant for one chat does not hold the app's other chats", async () => {
    const platform = new Platform({ perSecond: 100, concurrent: 4, limits: [{ per: 'chat', limit: 10, windowMs: 1000 }] });
    platform.scripted.push({ retryAfterMs: 1500, per: 'chat' });
    const [a, b] = twoProcesses(platform, [new MongoRateBudget(db.conn), new MongoRateBudget(other)]);
    const first = a.send('limited', to('busy-chat'), question);
    await until('the 429', () => platform.refused.length === 1);
    const refusedAt = platform.refused[0]!.at;
    await b.send('limited', to('quiet-chat'), question);
    const quiet = platform.accepted.find((r) => r.chat === 'quiet-chat')!;
    assert.ok(quiet.at < refusedAt + 1500, 'the other chat was not held');
    await first;
    assert.ok(platform.accepted.find((r) => r.chat === 'busy-chat')!.at >= refusedAt + 1500);
  });

  test('reservations of one key asked together are served by fewer writes, one slot each, evenly spaced, and the other process continues after them', async () => {
    const key = { id: `batch-${Date.now()}`, limit: 100, windowMs: 1000, intervalMs: 10.5, toleranceMs: 0 };
    const a = new MongoRateBudget(db.conn);
    const b = new MongoRateBudget(other);
    const from = Date.now() + 50;
    const mine = await Promise.all(Array.from({ length: 40 }, () => a.reserve(key, from, from + 10_000)));
    assert.ok(a.ops < 40, `${a.ops} writes for 40 slots`);
    const slots = mine.map((r) => ('at' in r ? r.at : assert.fail('no slot')));
    const theirs = await b.reserve(key, from, from + 10_000);
    const all = [...slots, 'at' in theirs ? theirs.at : assert.fail('no slot')].sort((x, y) => x - y);
    assert.equal(new Set(all).size, all.length, 'no slot given twice');
    for (let i = 1; i < all.length; i++) assert.ok(all[i]! - all[i - 1]! >= key.intervalMs - 1e-6, `slots ${i - 1} and ${i} are ${all[i]! - all[i - 1]!} ms apart`);
  });

  test('a reservation asking for quiet after its slot, in a batch with others, pushes the ones after it back by that much', async () => {
    const key = { id: `quiet-${Date.now()}`, limit: 100, windowMs: 1000, intervalMs: 10.5, toleranceMs: 0 };
    const a = new MongoRateBudget(db.conn);
    const from = Date.now() + 50;
    const got = await Promise.all([0, 0, 60, 0].map((quiet) => a.reserve(key, from, from + 10_000, quiet)));
    const slots = got.map((r) => ('at' in r ? r.at : assert.fail('no slot')));
    const theirs = await new MongoRateBudget(other).reserve(key, from, from + 10_000);
    const all = [...slots, 'at' in theirs ? theirs.at : assert.fail('no slot')];
    const gaps = all.slice(1).map((t, i) => Math.round((t - all[i]!) * 10) / 10);
    assert.deepEqual(gaps, [10.5, 10.5, 70.5, 10.5]);
  });

  test('a send that cannot get a slot within its wait goes back untried, saying when to come back', async () => {
    const platform = new Platform({ perSecond: 2, concurrent: 4 });
    const [a, b] = twoProcesses(platform, [new MongoRateBudget(db.conn), new MongoRateBudget(other)], 200);
    await a.send('limited', to('one'), question);
    const err = await b.send('limited', to('two'), question).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof TransientSendError, 'a transient error for the engine to reschedule');
    assert.ok((err.retryAfterMs ?? 0) > 0);
    assert.equal(platform.accepted.length, 1, 'the platform was not asked');
    assert.deepEqual(platform.refused, []);
  });
});
