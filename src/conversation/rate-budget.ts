/**
 * The send budget of a platform limit, shared by every bot process: a schedule of send
 * slots per limit key (a token bucket kept as its "theoretical arrival time", GCRA).
 * Each send reserves the next slot, at least `intervalMs` after the one before (after a
 * quiet spell up to `burst` at once), and waits for it; nobody takes a slot later than
 * the send is willing to wait.
 *
 * `LocalRateBudget` keeps the schedule in this process (one bot process, tests);
 * `MongoRateBudget` (shared-state/rate-budget-store.ts) keeps it in the database the
 * processes share, so two processes together stay at the platform's ceiling.
 */

/** One limit of one platform, as a schedule of evenly spaced slots. */
export interface BudgetKey {
  /** Names the limit and what it counts: `slack|app|1/1000`, `slack|chat|<hash>|1/1000`. */
  id: string;
  /** The documented limit: at most `limit` sends in any `windowMs`. */
  limit: number;
  windowMs: number;
  /** Time between two slots: the window (plus the lateness allowance) over the limit less the burst. */
  intervalMs: number;
  /** How far ahead of the schedule a slot may be (GCRA's tolerance): (burst − 1) intervals. */
  toleranceMs: number;
}

/** A slot at `at` (epoch ms), or none before `nextAt`, later than the caller can wait. */
export type Reservation = { at: number } | { nextAt: number };

export interface RateBudget {
  /**
   * Reserve the next slot of `key` at or after `notBefore`, unless it is later than `latest`.
   * With `quietAfterMs`, the next slot is that much further than one interval away: a send
   * that may reach the platform late keeps the time after its slot to itself.
   */
  reserve(key: BudgetKey, notBefore: number, latest: number, quietAfterMs?: number): Promise<Reservation>;
  /** The platform said "not before `until`" (a 429): no process gets a slot of `key` before it. */
  holdUntil(key: BudgetKey, until: number): Promise<void>;
  /** Until when `key` is held (0: not held): a slot given before a hold was made is void. */
  heldUntil(key: BudgetKey): Promise<number>;
}

/** The schedule in this process's memory: each process paces on its own (one process). */
export class LocalRateBudget implements RateBudget {
  private readonly next = new Map<string, number>();
  private readonly blocked = new Map<string, number>();

  async reserve(key: BudgetKey, from: number, latest: number, quietAfterMs = 0): Promise<Reservation> {
    const notBefore = Math.max(from, this.blocked.get(key.id) ?? 0);
    const tat = this.next.get(key.id) ?? 0;
    const at = Math.max(tat - key.toleranceMs, notBefore);
    if (at > latest) return { nextAt: at };
    this.next.set(key.id, Math.max(tat, notBefore) + key.intervalMs + quietAfterMs);
    if (this.next.size > 10_000) this.forgetPast(notBefore);
    return { at };
  }

  async holdUntil(key: BudgetKey, until: number): Promise<void> {
    this.next.set(key.id, Math.max(this.next.get(key.id) ?? 0, until));
    this.blocked.set(key.id, Math.max(this.blocked.get(key.id) ?? 0, until));
  }

  async heldUntil(key: BudgetKey): Promise<number> {
    return this.blocked.get(key.id) ?? 0;
  }

  /** Per-chat keys come and go; drop schedules already in the past. */
  private forgetPast(now: number): void {
    for (const [id, t] of this.next) if (t < now) this.next.delete(id);
    for (const [id, t] of this.blocked) if (t < now) this.blocked.delete(id);
  }
}

const SHARED_TIMEOUT_MS = 2000;

/**
 * The shared budget, and this process's own while the database does not answer: a send
 * during an outage is paced by this process alone rather than not sent at all.
 */
export class ResilientRateBudget implements RateBudget {
  private readonly local = new LocalRateBudget();
  private lastReported = 0;

  constructor(private readonly shared: RateBudget, private readonly onFailure: (err: unknown) => void, private readonly now: () => number = Date.now) {}

  async reserve(key: BudgetKey, notBefore: number, latest: number, quietAfterMs = 0): Promise<Reservation> {
    try {
      return await this.withinTime(this.shared.reserve(key, notBefore, latest, quietAfterMs));
    } catch (err) {
      this.report(err);
      return this.local.reserve(key, notBefore, latest, quietAfterMs);
    }
  }

  async holdUntil(key: BudgetKey, until: number): Promise<void> {
    await this.local.holdUntil(key, until);
    try {
      await this.withinTime(this.shared.holdUntil(key, until));
    } catch (err) {
      this.report(err);
    }
  }

  async heldUntil(key: BudgetKey): Promise<number> {
    const local = await this.local.heldUntil(key);
    try {
      return Math.max(local, await this.withinTime(this.shared.heldUntil(key)));
    } catch (err) {
      this.report(err);
      return local;
    }
  }

  /** A database that does not answer (a driver waits for it up to 30 s) counts as failed. */
  private async withinTime<T>(op: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${SHARED_TIMEOUT_MS} ms`)), SHARED_TIMEOUT_MS);
    });
    try {
      return await Promise.race([op, late]);
    } finally {
      clearTimeout(timer);
      op.catch(() => undefined); // answered after we stopped waiting: nothing to do
    }
  }

  /** Once a minute at most: an outage would otherwise log every send. */
  private report(err: unknown): void {
    if (this.now() - this.lastReported < 60_000) return;
    this.lastReported = this.now();
    this.onFailure(err);
  }
}
