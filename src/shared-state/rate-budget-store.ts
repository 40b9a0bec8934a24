/**
 * The platforms' send budgets in the database every bot process shares (collection
 * `rate_budgets`), so that two processes together send at a platform's ceiling and not
 * at twice it. Two ways of keeping them, measured side by side by bench/rate.bench.ts:
 *
 * - `MongoRateBudget` (used): one document per limit key holding `tat`, the time of its
 *   next free slot. A send costs one atomic write per key: on a busy key, `$inc` the slot
 *   by the interval on the condition that it is neither in the past nor later than the
 *   caller will wait; on an idle (or new) key, set it to "now + interval" on the condition
 *   that it is in the past (an upsert: a busy key refuses it as a duplicate). Each key
 *   remembers which of the two worked last and tries it first. A platform's 429 raises
 *   `tat` past its retry-after (`$max`), for every process. Slots are evenly spaced, so
 *   no window of the platform's length (fixed, sliding or a bucket) sees more than the limit.
 *   Sends of one process that ask for the same key while its write is in flight are served
 *   together by the next write, which moves `tat` by that many intervals: at a platform's
 *   ceiling (Meta: 300/s, a slot every 3.5 ms) one write per send was more round trips than
 *   the slots allowed, and the schedule fell behind (bench/rate.bench.ts, `db_ops_per_send`).
 * - `MongoWindowBudget` (for comparison): a counter per key and fixed window, taken with a
 *   conditional upsert (`n < limit`). Simple, but windows of the clock are not the
 *   platform's: up to twice the limit can fall into one sliding window across a boundary.
 *
 * Documents expire (TTL on `expiresAt`) an hour after their last slot; per-chat keys come
 * and go. Clocks: `now` is this host's; hosts' skew counts against the lateness allowance
 * of the slots (conversation/send-pacer.ts), so keep them NTP-synced.
 */
import type { Collection, Connection } from 'mongoose';
import type { BudgetKey, RateBudget, Reservation } from '../conversation/rate-budget.ts';
import { isDuplicateKey } from '../storage/mongo-errors.ts';

const COLLECTION = 'rate_budgets';
const KEEP_MS = 3_600_000;
/** Rounds of "raise an idle key, then take" before giving up on a key others keep moving. */
const MAX_ROUNDS = 8;
/** Reservations served by one write at most, and the span of schedule one write may take. */
const MAX_BATCH = 64;
const BATCH_SPAN_MS = 250;

interface Waiting { from: number; latest: number; quietAfterMs: number; resolve(r: Reservation): void; reject(err: unknown): void }

/** Slots from `first` on, each `gaps[i]` before the next (an interval, more after a slot that keeps quiet after it). */
function spaced(first: number, gaps: number[]): number[] {
  let at = first;
  return gaps.map((gap) => {
    const slot = at;
    at += gap;
    return slot;
  });
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** A platform's retry-after (`blockedUntil`) is over by `at`. */
const NOT_BLOCKED = (at: number) => ({ $or: [{ blockedUntil: { $exists: false } }, { blockedUntil: { $lte: at } }] });

interface BudgetDoc { _id: string; tat?: number; blockedUntil?: number; n?: number; expiresAt: Date }

abstract class BudgetCollection {
  protected readonly col: Collection<BudgetDoc>;
  constructor(conn: Connection, protected readonly now: () => number = Date.now) {
    this.col = conn.collection<BudgetDoc>(COLLECTION);
  }

  /** The TTL index; the app calls it once at start. */
  async init(): Promise<void> {
    await this.col.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  }
}

export class MongoRateBudget extends BudgetCollection implements RateBudget {
  /** Keys whose last slot came from a busy schedule: try that write first next time. */
  private readonly busy = new Set<string>();
  /** Reservations of a key waiting for the write in flight: the next write takes slots for all of them. */
  private readonly queues = new Map<string, Waiting[]>();
  /** Database operations made (the benchmark reports them per send). */
  ops = 0;

  /**
   * One slot of `key`. Reservations of one key that arrive while a write for it is in
   * flight wait for it and are then served together by ONE write that moves the schedule
   * by as many slots (group commit): a busy key costs about one round trip per batch, not
   * per send, and a process never has more than one write per key in flight.
   */
  reserve(key: BudgetKey, from: number, latest: number, quietAfterMs = 0): Promise<Reservation> {
    return new Promise<Reservation>((resolve, reject) => {
      const queue = this.queues.get(key.id);
      const w: Waiting = { from, latest, quietAfterMs: Math.max(0, quietAfterMs), resolve, reject };
      if (queue) {
        queue.push(w);
        return;
      }
      this.queues.set(key.id, [w]);
      void this.drain(key);
    });
  }

  private async drain(key: BudgetKey): Promise<void> {
    const queue = this.queues.get(key.id)!;
    while (queue.length > 0) {
      // No more slots than fit in BATCH_SPAN_MS: on a slow key (Slack, 1/s) a batch would
      // reach past what the callers wait, and slots nobody uses are lost to every process.
      const batch = queue.splice(0, Math.max(1, Math.min(MAX_BATCH, Math.floor(BATCH_SPAN_MS / key.intervalMs))));
      // Every slot is no earlier than the latest `from` and, counted from the first, no later than the earliest `latest`.
      const from = Math.max(...batch.map((w) => w.from));
      const latest = Math.min(...batch.map((w) => w.latest));
      try {
        const r = await this.reserveMany(key, from, latest, batch.map((w) => key.intervalMs + w.quietAfterMs));
        batch.forEach((w, i) => {
          if ('nextAt' in r) return w.resolve(r);
          const at = r.at[i]!;
          // A slot past this caller's wait is not taken by anyone (the schedule only loses it).
          w.resolve(at > w.latest ? { nextAt: at } : { at });
        });
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.queues.delete(key.id);
  }

  /** Consecutive slots of `key` from `from` on, `gaps` apart (the first not later than `latest`), or when the first free one is. */
  private async reserveMany(key: BudgetKey, from: number, latest: number, gaps: number[]): Promise<{ at: number[] } | { nextAt: number }> {
    const busyFirst = this.busy.has(key.id);
    let notBefore = from;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (busyFirst || round > 0) {
        const at = await this.takeNext(key, notBefore, latest, gaps);
        if (at !== null) return this.mark(key.id, true, { at });
      }
      if (await this.takeIdle(key, notBefore, sum(gaps))) return this.mark(key.id, false, { at: spaced(notBefore, gaps) });
      if (!busyFirst && round === 0) {
        const at = await this.takeNext(key, notBefore, latest, gaps);
        if (at !== null) return this.mark(key.id, true, { at });
      }
      // Neither idle nor a slot in time: held by a platform's retry-after, or later than the
      // caller waits, unless it moved meanwhile.
      this.ops++;
      const doc = await this.col.findOne({ _id: key.id }, { projection: { tat: 1, blockedUntil: 1 } });
      if (doc?.blockedUntil !== undefined && doc.blockedUntil > notBefore) {
        if (doc.blockedUntil > latest) return { nextAt: doc.blockedUntil };
        notBefore = doc.blockedUntil;
        continue;
      }
      if (doc?.tat !== undefined && doc.tat - key.toleranceMs > latest) return { nextAt: doc.tat - key.toleranceMs };
    }
    // Others keep moving it between our writes: what we know is that it is busy now.
    return { nextAt: notBefore + key.intervalMs };
  }

  async holdUntil(key: BudgetKey, until: number): Promise<void> {
    for (let round = 0; round < 2; round++) {
      this.ops++;
      try {
        // No slot before `until`; from then on the schedule (and its burst) as it stands.
        await this.col.updateOne({ _id: key.id }, { $max: { tat: until, blockedUntil: until }, $set: { expiresAt: this.expiry(until) } }, { upsert: true });
        return;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // created at the same moment: once more
      }
    }
  }

  async heldUntil(key: BudgetKey): Promise<number> {
    this.ops++;
    const doc = await this.col.findOne({ _id: key.id }, { projection: { blockedUntil: 1 } });
    return doc?.blockedUntil ?? 0;
  }

  /** Busy schedule: its next slot (up to the tolerance ahead of it), if not later than latest; it moves on by one interval. */
  private async takeNext(key: BudgetKey, notBefore: number, latest: number, gaps: number[]): Promise<number[] | null> {
    this.ops++;
    const span = sum(gaps);
    const before = await this.col.findOneAndUpdate(
      { _id: key.id, tat: { $gte: notBefore, $lte: latest + key.toleranceMs }, ...NOT_BLOCKED(notBefore) },
      { $inc: { tat: span }, $set: { expiresAt: this.expiry(latest + span) } },
      { returnDocument: 'before', projection: { tat: 1 } },
    );
    if (before?.tat === undefined) return null;
    // Slot i of the schedule is due at tat + the gaps before it; up to the tolerance (the burst) ahead of it, never before notBefore.
    return spaced(before.tat, gaps).map((t) => Math.max(notBefore, t - key.toleranceMs));
  }

  /** Idle (next slot already past) or new schedule: the slot is notBefore itself. */
  private async takeIdle(key: BudgetKey, notBefore: number, span: number): Promise<boolean> {
    this.ops++;
    try {
      await this.col.updateOne(
        { _id: key.id, tat: { $lt: notBefore }, ...NOT_BLOCKED(notBefore) },
        { $set: { tat: notBefore + span, expiresAt: this.expiry(notBefore + span) } },
        { upsert: true },
      );
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false; // the schedule exists and is busy
      throw err;
    }
  }

  private mark<R>(id: string, busy: boolean, r: R): R {
    if (busy) {
      if (this.busy.size > 1000) this.busy.clear();
      this.busy.add(id);
    } else {
      this.busy.delete(id);
    }
    return r;
  }

  private expiry(at: number): Date {
    return new Date(Math.max(at, this.now()) + KEEP_MS);
  }
}

/** Fixed windows of the clock, a counter each (kept for the measurements, see above). */
export class MongoWindowBudget extends BudgetCollection implements RateBudget {
  async reserve(key: BudgetKey, notBefore: number, latest: number): Promise<Reservation> {
    let at = Math.max(notBefore, this.now());
    for (let round = 0; round < MAX_ROUNDS * 4; round++) {
      const window = Math.floor(at / key.windowMs);
      try {
        await this.col.updateOne(
          { _id: `${key.id}@${window}`, n: { $lt: key.limit } },
          { $inc: { n: 1 }, $setOnInsert: { expiresAt: new Date((window + 1) * key.windowMs + KEEP_MS) } },
          { upsert: true },
        );
        return { at };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Created by another process at the same moment: look again at the same window.
        const doc = await this.col.findOne({ _id: `${key.id}@${window}` }, { projection: { n: 1 } });
        if ((doc?.n ?? 0) < key.limit) continue;
        // Full: the next window.
        const next = (window + 1) * key.windowMs;
        if (next > latest) return { nextAt: next };
        at = next;
      }
    }
    return { nextAt: at };
  }

  /** Holds are windows filled up (below): nothing to read. */
  async heldUntil(): Promise<number> {
    return 0;
  }

  async holdUntil(key: BudgetKey, until: number): Promise<void> {
    // Fill the windows up to `until` so nobody takes from them.
    const first = Math.floor(this.now() / key.windowMs);
    const last = Math.floor(until / key.windowMs);
    for (let w = first; w <= last && w - first < 100; w++) {
      await this.col.updateOne({ _id: `${key.id}@${w}` }, { $max: { n: key.limit }, $setOnInsert: { expiresAt: new Date((w + 1) * key.windowMs + KEEP_MS) } }, { upsert: true });
    }
  }
}
