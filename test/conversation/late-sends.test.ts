/**
 * Slots are spaced so that a send reaching the platform up to LATE_ALLOWANCE_MS after its
 * slot still fits any window of the platform's length; a send later than that crowds the
 * next slots' sends and the platform refuses one of them (the stray 429s of the rate
 * benchmark). So a send is never handed to its adapter more than TOO_LATE_MS (30 ms)
 * after its slot, whatever made it late; a request written to the socket later than
 * LATE_WRITE_MS after its slot gives up one more slot; and a process's first send on a
 * channel, the slowest to get out, keeps some time after its slot to itself. Lateness is made with an injected
 * clock that jumps, as a stalled process sees time; the schedule is the real shared one
 * (MongoRateBudget on the test server), the platform a real HTTP server on loopback.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChannelAdapter, ChannelRate, OutgoingMessage, Recipient, SendReceipt } from '../../src/conversation/channel-contract/channel.ts';
import { silentLogger } from '../../src/logger.ts';
import { Outbox } from '../../src/conversation/outbox.ts';
import type { BudgetKey, RateBudget, Reservation } from '../../src/conversation/rate-budget.ts';
import { NoSlotInTime } from '../../src/conversation/send-pacer.ts';
import { MongoRateBudget } from '../../src/shared-state/rate-budget-store.ts';
import { openTestDb } from '../helpers/database.ts';

/** A clock that can jump ahead: what a process sees after its event loop or its database stalled. */
class JumpingClock {
  private skewMs = 0;
  readonly now = () => Date.now() + this.skewMs;
  jump(ms: number): void { this.skewMs += ms; }
}

/** The shared budget, answering `lateMs[i]` after reservation i was asked for (a slow database); keeps every slot it gave. */
class SlowAnswers implements RateBudget {
  readonly slots: number[] = [];
  /** The same slots by limit key. */
  readonly byKey = new Map<string, number[]>();
  constructor(private readonly inner: RateBudget, private readonly clock: JumpingClock, private readonly lateMs: (i: number) => number) {}
  /** The longest the real database took to answer (a loaded machine's, on top of `lateMs`). */
  longestRealAnswerMs = 0;
  async reserve(key: BudgetKey, notBefore: number, latest: number, quietAfterMs?: number): Promise<Reservation> {
    const asked = Date.now();
    const r = await this.inner.reserve(key, notBefore, latest, quietAfterMs);
    this.longestRealAnswerMs = Math.max(this.longestRealAnswerMs, Date.now() - asked);
    this.clock.jump(this.lateMs(this.slots.length));
    if ('at' in r) {
      this.slots.push(r.at);
      this.byKey.set(key.id, [...(this.byKey.get(key.id) ?? []), r.at]);
    }
    return r;
  }
  holdUntil(key: BudgetKey, until: number): Promise<void> { return this.inner.holdUntil(key, until); }
  heldUntil(key: BudgetKey): Promise<number> { return this.inner.heldUntil(key); }
}

/** The platform's side of the wire: a loopback HTTP server that answers every send. */
let platform: Server;
let url: string;
const fastRate: ChannelRate = { perSecond: 20, concurrent: 1 };
const question: OutgoingMessage = { kind: 'question', text: 'How likely…', choices: null };
const to: Recipient = { surveyId: 's-1', conversationId: 'c-1', customerId: 'cust-1', locale: 'en' };

/** Sends over HTTP; `beforeWrite` runs between the outbox's hand-off and the request. */
class HttpAdapter implements ChannelAdapter {
  readonly handedAt: number[] = [];
  readonly answeredAt: number[] = [];
  /** Each test its own platform name, so its own schedule. */
  constructor(readonly name: string, private readonly clock: JumpingClock, private readonly beforeWrite: () => void = () => undefined, readonly rate: ChannelRate = fastRate) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async send(_to: Recipient, _m: OutgoingMessage): Promise<SendReceipt> {
    this.handedAt.push(this.clock.now());
    this.beforeWrite();
    const res = await fetch(`${url}/send`, { method: 'POST', body: '{}' });
    await res.text();
    this.answeredAt.push(this.clock.now());
    return {};
  }
  async post(): Promise<void> {}
}

let db: Awaited<ReturnType<typeof openTestDb>>;
const outboxes: Outbox[] = [];

function outbox(adapter: HttpAdapter, budget: RateBudget, clock: JumpingClock): Outbox {
  const o = new Outbox(new Map([[adapter.name, adapter]]), { logger: silentLogger(), budget, now: clock.now, maxWaitMs: 10_000 });
  outboxes.push(o);
  return o;
}

/**
 * The longest the event loop was held up (beyond a 5 ms tick) while `run` ran: a timer
 * that fires that late is a stall of the machine, not of the code under test.
 */
async function longestStall(run: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const tick = setInterval(() => {
    const t = performance.now();
    longest = Math.max(longest, t - last - 5);
    last = t;
  }, 5);
  try {
    await run();
  } finally {
    clearInterval(tick);
  }
  return longest;
}

async function until(what: string, ok: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  db = await openTestDb('latesends');
  await new MongoRateBudget(db.conn).init();
  platform = createServer((req, res) => { req.resume(); req.on('end', () => res.end('{"ok":true}')); });
  await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
  await (await fetch(`${url}/warm`)).text(); // the HTTP client loaded and a connection open before any watched send
});

afterAll(async () => {
  await Promise.all(outboxes.map((o) => o.stop()));
  platform?.closeAllConnections();
  await new Promise<void>((resolve) => (platform ? platform.close(() => resolve()) : resolve()));
  await db?.drop();
});

describe('a send is never handed over later than the allowance after its slot', () => {
  test('a slot already past when the database answers is given up for a fresh one', async () => {
    const clock = new JumpingClock();
    // The first answer comes 100 ms after it was asked for: its slot has passed by then.
    const budget = new SlowAnswers(new MongoRateBudget(db.conn, clock.now), clock, (i) => (i === 0 ? 100 : 0));
    const adapter = new HttpAdapter('slowdb', clock);
    await outbox(adapter, budget, clock).send(adapter.name, to, question);
    assert.equal(adapter.handedAt.length, 1);
    const used = budget.slots.filter((at) => at <= adapter.handedAt[0]!).at(-1)!;
    assert.ok(adapter.handedAt[0]! - used <= 30, `handed over ${adapter.handedAt[0]! - used} ms after the slot it used`);
    assert.ok(budget.slots.length >= 2, 'a fresh slot was reserved');
  });

  test('a send whose every slot has passed when it could go goes back to the engine, not out late', async () => {
    const clock = new JumpingClock();
    const budget = new SlowAnswers(new MongoRateBudget(db.conn, clock.now), clock, () => 250);
    const adapter = new HttpAdapter('alwayslate', clock);
    const err = await outbox(adapter, budget, clock).send(adapter.name, to, question).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof NoSlotInTime, `expected NoSlotInTime, got ${String(err)}`);
    assert.ok((err.retryAfterMs ?? 0) > 0, 'with the time to come back');
    assert.deepEqual(adapter.handedAt, [], 'nothing was sent');
  });
});

describe('a channel with a per-chat limit as well (Slack: 1 a second per DM)', () => {
  test('on a database that answers in 60 ms, a send to a new chat goes at its slots, not a second later nor back to the engine', async () => {
    const clock = new JumpingClock();
    // Every answer 60 ms after it was asked for: more than TOO_LATE_MS (30 ms). The app's
    // slot asked only once the chat's slot had come was always that late after it.
    const budget = new SlowAnswers(new MongoRateBudget(db.conn, clock.now), clock, () => 60);
    const twoLimits: ChannelRate = { perSecond: 20, concurrent: 1, limits: [{ per: 'chat', limit: 1, windowMs: 1000 }] };
    const adapter = new HttpAdapter('perchat', clock, () => undefined, twoLimits);
    const o = outbox(adapter, budget, clock);
    // The first sends learn how long the budget takes to answer.
    for (let i = 0; i < 3; i++) await o.send(adapter.name, { ...to, customerId: `warm-${i}` }, question);
    // A process that really is late at a slot (a stall of the loaded machine, or its database
    // answering late) rightly gives it up for the chat's next one: such a try says nothing
    // here and is made again with new chats. A try without a stall must be quick; the
    // mistake this guards against (the app's slot asked for too late) made every try slow.
    for (let attempt = 1; ; attempt++) {
      budget.longestRealAnswerMs = 0;
      const started = clock.now();
      const stallMs = await longestStall(async () => {
        for (let i = 0; i < 3; i++) await o.send(adapter.name, { ...to, customerId: `new-${attempt}-${i}` }, question);
      });
      const took = clock.now() - started;
      assert.equal(adapter.handedAt.length, 3 + 3 * attempt);
      // Each: its chat's slot and its app slot (a few answer times), never a chat's next slot
      // (a second later), and never back to the engine.
      if (took < 1_000) break;
      const stalled = stallMs >= 15 || budget.longestRealAnswerMs >= 30;
      assert.ok(stalled && attempt < 5, `three sends took ${took} ms (try ${attempt}; longest stall ${Math.round(stallMs)} ms, slowest real answer ${budget.longestRealAnswerMs} ms)`);
    }
  });
});

describe('both limits slow (Slack: a slot a second for the workspace and one per channel)', () => {
  test('a send to a new chat that starts well after the last slot goes out at one slot of each, not back to the engine', async () => {
    const clock = new JumpingClock();
    const budget = new SlowAnswers(new MongoRateBudget(db.conn, clock.now), clock, () => 0);
    const slackLike: ChannelRate = { perSecond: 1, concurrent: 2, limits: [{ per: 'chat', limit: 1, windowMs: 1000 }] };
    const adapter = new HttpAdapter('bothslow', clock, () => undefined, slackLike);
    const o = outbox(adapter, budget, clock);
    await o.send(adapter.name, { ...to, customerId: 'first' }, question);
    // Each next send starts 200 ms after the one before went (the caller's own work): its
    // chat's first slot is then out of step with the workspace's schedule. Before, the
    // pacer asked the two schedules in turn, each from the other's slot; they stayed 200 ms
    // apart, and after four tries the send went back to the engine (NoSlotInTime).
    for (let i = 0; i < 2; i++) {
      clock.jump(200);
      const err = await o.send(adapter.name, { ...to, customerId: `new-${i}` }, question).then(() => null, (e: unknown) => e);
      assert.equal(err, null, `send ${i} went back to the engine: ${String(err)}`);
    }
    assert.equal(adapter.handedAt.length, 3);
    // Every send went within TOO_LATE_MS (30 ms) of a slot of each of its limits.
    const appSlots = [...budget.byKey].find(([id]) => id.startsWith('bothslow|app|'))![1];
    const chatSlots = [...budget.byKey].filter(([id]) => id.startsWith('bothslow|chat|')).flatMap(([, at]) => at);
    for (const handed of adapter.handedAt) {
      for (const [what, slots] of [['app', appSlots], ['chat', chatSlots]] as const) {
        const used = slots.filter((at) => at <= handed).sort((a, b) => a - b).at(-1);
        assert.ok(used !== undefined && handed - used <= 30, `handed over ${used === undefined ? 'before any' : handed - used + ' ms after its'} ${what} slot`);
      }
    }
  });
});

describe('a request written late gives up one more slot', () => {
  test('the process stalls between the hand-off and the write: the shared schedule moves on by two slots, not one', async () => {
    const clock = new JumpingClock();
    let stall = 0;
    const adapter = new HttpAdapter('latewrite', clock, () => clock.jump(stall));
    const sending = new SlowAnswers(new MongoRateBudget(db.conn, clock.now), clock, () => 0);
    const box = outbox(adapter, sending, clock);
    await box.send(adapter.name, to, question); // the process's first send on the channel, on time
    stall = 150;
    await box.send(adapter.name, { ...to, customerId: 'cust-2' }, question);
    const slot = sending.slots.filter((at) => at <= adapter.handedAt[1]!).at(-1)!; // the one the late send used
    const key = 'latewrite|app|20/1000';
    const interval = 1050 / 20;
    // The slot given up is taken once the write is seen (it does not hold the send up).
    await until('the late send\'s second slot', async () => {
      const doc = await db.conn.collection<{ _id: string; tat: number }>('rate_budgets').findOne({ _id: key });
      return (doc?.tat ?? 0) >= slot + 2 * interval - 1e-6;
    });
    // Another process's next slot comes after both.
    const next = await new MongoRateBudget(db.conn, clock.now).reserve({ id: key, limit: 20, windowMs: 1000, intervalMs: interval, toleranceMs: 0 }, clock.now(), clock.now() + 10_000);
    assert.ok('at' in next && next.at >= slot + 2 * interval - 1e-6, `next slot ${'at' in next ? next.at - slot : 'none'} ms after the late send's`);
  });
});

describe("a process's first send on a channel keeps time after its slot", () => {
  test('the next slot, of any process, is more than one interval after it', async () => {
    const clock = new JumpingClock();
    const adapter = new HttpAdapter('coldstart', clock);
    const sending = new SlowAnswers(new MongoRateBudget(db.conn, clock.now), clock, () => 0);
    const box = outbox(adapter, sending, clock);
    const key = { id: 'coldstart|app|20/1000', limit: 20, windowMs: 1000, intervalMs: 1050 / 20, toleranceMs: 0 };
    const other = new MongoRateBudget(db.conn, clock.now);
    await box.send(adapter.name, to, question);
    const first = sending.slots.filter((at) => at <= adapter.handedAt[0]!).at(-1)!;
    const afterFirst = await other.reserve(key, clock.now(), clock.now() + 10_000);
    assert.ok('at' in afterFirst);
    assert.ok(afterFirst.at - first >= key.intervalMs + 50, `the next slot came ${afterFirst.at - first} ms after the first send's`);
  });
});

describe('a request written late on a slow limit (a slot a second) holds it', () => {
  test("another process's slot booked before the late answer is given up: its send reaches the platform a window after the late one", async () => {
    const clock = new JumpingClock();
    const slow: ChannelRate = { perSecond: 1, concurrent: 1 };
    let stall = 0;
    let other: Promise<unknown> | undefined;
    const bAdapter = new HttpAdapter('slowlimit', clock, () => undefined, slow);
    const b = outbox(bAdapter, new MongoRateBudget(db.conn, clock.now), clock);
    const aAdapter = new HttpAdapter('slowlimit', clock, () => {
      // Process B books the next slot while A's request is on its way, then A's process stalls before writing it.
      if (stall > 0) other ??= b.send('slowlimit', { ...to, customerId: 'cust-b' }, question);
      clock.jump(stall);
    }, slow);
    const a = outbox(aAdapter, new MongoRateBudget(db.conn, clock.now), clock);
    await a.send('slowlimit', to, question); // A's first send on the channel, on time
    stall = 150;
    await a.send('slowlimit', { ...to, customerId: 'cust-2' }, question);
    await other;
    const lateAnswered = aAdapter.answeredAt[1]!;
    const bHanded = bAdapter.handedAt[0]!;
    assert.ok(bHanded - lateAnswered >= 1000, `B's send went ${bHanded - lateAnswered} ms after the late one was answered`);
  });
});
