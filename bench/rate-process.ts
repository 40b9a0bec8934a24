/**
 * One bot process of the rate benchmark (forked by rate.bench.ts): an Outbox with the
 * platform's adapter declaration, sending its share of a backlog of questions to the
 * local fake over HTTP, with the send budget of the strategy under test. A send the
 * budget cannot place in time is put back for its retry-after, as the engine would.
 * At the deadline it reports how many went out and how many database operations the
 * budget made, and exits.
 */
import mongoose from 'mongoose';
import type { ChannelAdapter, ChannelRate, OutgoingMessage, Recipient, SendReceipt } from '../src/conversation/channel-contract/channel.ts';
import { TransientSendError } from '../src/conversation/channel-contract/send-errors.ts';
import { Outbox } from '../src/conversation/outbox.ts';
import { LocalRateBudget, type BudgetKey, type RateBudget } from '../src/conversation/rate-budget.ts';
import { silentLogger } from '../src/logger.ts';
import { MongoRateBudget, MongoWindowBudget } from '../src/shared-state/rate-budget-store.ts';

export interface ProcessTask {
  platform: string;
  rate: ChannelRate;
  strategy: 'local' | 'window' | 'shared';
  url: string;
  uri: string;
  dbName: string;
  /** Question numbers this process sends. */
  first: number;
  count: number;
  seconds: number;
}

class HttpPlatform implements ChannelAdapter {
  constructor(readonly name: string, readonly rate: ChannelRate, private readonly url: string) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async send(to: Recipient, _m: OutgoingMessage): Promise<SendReceipt> {
    const res = await fetch(`${this.url}/${this.name}/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat: to.customerId }) });
    const body = await res.json() as { retry_after_ms?: number };
    if (res.status === 429) throw new TransientSendError('429', body.retry_after_ms ?? 1000);
    if (!res.ok) throw new TransientSendError(`HTTP ${res.status}`);
    return {};
  }
  async post(): Promise<void> {}
}

/** Counts the budget's database operations (reservations and holds). */
class Counted implements RateBudget {
  calls = 0;
  ms = 0;
  constructor(private readonly inner: RateBudget) {}
  /** Database operations: the budget's own count where it keeps one (it serves several reservations per write). */
  get dbOps(): number { return this.inner instanceof MongoRateBudget ? this.inner.ops : this.calls; }
  async reserve(key: BudgetKey, notBefore: number, latest: number, quietAfterMs?: number) {
    this.calls++;
    const t = performance.now();
    try { return await this.inner.reserve(key, notBefore, latest, quietAfterMs); } finally { this.ms += performance.now() - t; }
  }
  holdUntil(key: BudgetKey, until: number) { this.calls++; return this.inner.holdUntil(key, until); }
  heldUntil(key: BudgetKey) { return this.inner.heldUntil(key); }
}

async function main(task: ProcessTask): Promise<void> {
  const conn = await mongoose.createConnection(task.uri, { dbName: task.dbName, maxPoolSize: 16 }).asPromise();
  const budget = new Counted(task.strategy === 'local' ? new LocalRateBudget() : task.strategy === 'window' ? new MongoWindowBudget(conn) : new MongoRateBudget(conn));
  const outbox = new Outbox(new Map([[task.platform, new HttpPlatform(task.platform, task.rate, task.url)]]), { logger: silentLogger(), budget, maxWaitMs: 15_000 });
  const question: OutgoingMessage = { kind: 'question', text: 'How likely…', choices: null };
  process.send!({ ready: true });
  const go = await new Promise<number>((resolve) => process.once('message', (m: { go: number }) => resolve(m.go)));
  const deadline = go + task.seconds * 1000;
  const backlog = Array.from({ length: task.count }, (_, i) => task.first + i);
  let sent = 0;
  let putBack = 0;
  // At the deadline: report and stop (sends still queued in the outbox are not measured).
  setTimeout(() => {
    process.send!({ sent, putBack, dbOps: task.strategy === 'local' ? 0 : budget.dbOps, reserves: budget.calls, dbMs: budget.ms }, () => process.exit(0));
  }, Math.max(0, deadline - Date.now()));
  // Plenty of surveys in flight, as the engine's scheduler claims them; the outbox bounds the sends.
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (Date.now() < deadline) {
      const n = backlog.shift();
      if (n === undefined) return;
      const to: Recipient = { surveyId: `s${n}`, conversationId: `c${n}`, customerId: `customer-${n}`, locale: 'en' };
      try {
        await outbox.send(task.platform, to, question);
        sent++;
      } catch (err) {
        putBack++;
        backlog.push(n);
        const wait = err instanceof TransientSendError ? err.retryAfterMs ?? 100 : 100;
        await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - Date.now()))));
      }
    }
  }));
  await new Promise(() => undefined); // the report at the deadline ends the process
}

process.once('message', (task: ProcessTask) => {
  main(task).then(() => process.exit(0), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
});
