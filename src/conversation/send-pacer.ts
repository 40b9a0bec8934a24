/**
 * Pacing every send to the platform's documented limits, through a RateBudget shared by
 * the bot's processes: before a send, one slot is reserved from each limit that counts
 * it (the chat's first, then, once that has come, the app's), and the send waits for the
 * latest. A platform that still answers "wait" (429 with a retry-after) holds the app's
 * schedule for everybody until then: the platform's word wins over our estimate.
 *
 * Slots are spaced so that sends reaching the platform up to LATE_ALLOWANCE_MS after
 * their slot (timers, the way there, clock skew between hosts) still fit any window of the
 * platform's length. Slots are asked for ahead of now by the budget's answer time; a send
 * later than TOO_LATE_MS after its slot when it could go, for whatever reason, gives it up
 * and reserves a fresh one; a request its HTTP client writes later than LATE_WRITE_MS
 * after its slot gives one more up (wroteLate, answeredLate; see late-writes.ts).
 */
import { createHash } from 'node:crypto';
import type { ChannelAdapter, RateLimit } from './channel-contract/channel.ts';
import { TransientSendError } from './channel-contract/send-errors.ts';
import type { BudgetKey, RateBudget } from './rate-budget.ts';

/** How late after its slot a send may still go out without breaking the window. */
export const LATE_ALLOWANCE_MS = 50;
/** A send this late re-reserves (the rest of the allowance is for the request to arrive). */
const TOO_LATE_MS = 30;
/** A request written to the socket later than this after its slot may arrive outside the allowance (10 ms left for the wire). */
export const LATE_WRITE_MS = 40;
/**
 * A limit with slots at least this far apart is slow: its next slots are booked long
 * before a late write is seen, so giving up the next free one comes too late. A late
 * send holds such a limit once answered, and a send checks for a hold before its slot.
 */
const SLOW_INTERVAL_MS = 100;
const MAX_RESERVATIONS = 4;
/** The most a slot is asked for ahead of now to cover the budget's answer time. */
const MAX_LEAD_MS = 200;
/**
 * How long the schedule stays empty after the slot of a process's first send on a channel,
 * beyond the interval. That send is the slowest to reach the platform (the HTTP client is
 * loaded and a connection opened on its way: written 40-70 ms after its slot in
 * bench/rate.bench.ts), and on a slow limit (Slack, a slot a second) the next slot is
 * booked by the time it is written, so giving one up then (wroteLate) comes too late.
 */
const COLD_SEND_QUIET_MS = 60;

/** No slot within the wait this send may still take: the engine puts the survey back until `retryAfterMs`. */
export class NoSlotInTime extends TransientSendError {}

export interface PacedLimits { app: BudgetKey[]; chat: RateLimit[] }

/** What a send got: the time it waited, and its slot (the earliest of its limits'), none when the channel is not paced. */
export interface TakenSlot { waitedMs: number; at?: number; quietAfterMs?: number }

export class SendPacer {
  private readonly limits = new Map<string, PacedLimits>();
  /** Channels this process has asked a slot for. */
  private readonly started = new Set<string>();
  /** How long the budget takes to answer (moving average) and how much that varies (mean deviation). */
  private answerMs = 0;
  private answerDevMs = 0;

  constructor(adapters: ReadonlyMap<string, ChannelAdapter>, private readonly budget: RateBudget, readonly now: () => number = Date.now) {
    for (const [name, adapter] of adapters) {
      if (!adapter.rate) continue;
      const declared: RateLimit[] = [{ per: 'app', limit: adapter.rate.perSecond, windowMs: 1000 }, ...(adapter.rate.limits ?? [])];
      this.limits.set(name, {
        app: tightest(declared.filter((l) => l.per === 'app')).map((l) => budgetKey(name, 'app', l)),
        chat: declared.filter((l) => l.per === 'chat'),
      });
    }
  }

  /** The keys one send to `chat` on `channel` draws from: the chat's, then the app's. */
  keysFor(channel: string, chat: string): BudgetKey[] {
    const l = this.limits.get(channel);
    if (!l) return [];
    return [...this.chatKeys(channel, l, chat), ...l.app];
  }

  /**
   * Wait for a slot of every limit of this send. Resolves with the time waited and the slot; throws
   * NoSlotInTime (retry-after: the first free slot) when that is more than `maxWaitMs` away.
   *
   * The chat's own schedule first (raising it blocks nobody else), then, shortly before
   * its slot comes (the budget's answer time), the app's next slot from it on: the shared
   * schedule is never pushed further into the future than that for one busy chat. A send may go out a little after a slot (TOO_LATE_MS),
   * never before one.
   */
  async take(channel: string, chat: string, maxWaitMs: number): Promise<TakenSlot> {
    const l = this.limits.get(channel);
    if (!l) return { waitedMs: 0 };
    const chatKeys = this.chatKeys(channel, l, chat);
    const quietAfterMs = this.started.has(channel) ? 0 : COLD_SEND_QUIET_MS;
    this.started.add(channel);
    const started = this.now();
    const latest = started + maxWaitMs;
    const noSlot = (nextAt: number) => new NoSlotInTime(`${channel}: the shared send budget has no slot within ${maxWaitMs} ms`, Math.max(1, nextAt - this.now()));
    // No chat limit: nothing to wait for before the app's slot (waiting the budget's answer time here only slowed every send).
    // The chat's slot is asked for two answer times ahead: its own answer, then the app's,
    // asked one answer time before the chat's slot, both come before it.
    const chatSlot = () => (chatKeys.length > 0 ? this.reserveAll(chatKeys, this.now() + 2 * this.lead(), latest, noSlot, quietAfterMs) : Promise.resolve(0));
    let chatAt = await chatSlot();
    for (let round = 1; ; round++) {
      // The app's slot is asked for the budget's answer time before the chat's slot comes,
      // for the chat's slot on: asked only once the chat's slot had come, it came back that
      // answer time after it, which on a slow database (over TOO_LATE_MS) was always "too
      // late", and every try ended in the chat's next slot, a second later on Slack.
      await this.sleepUntil(chatAt - this.lead());
      let appAt = await this.reserveAll(l.app, Math.max(chatAt, this.ahead()), latest, noSlot, quietAfterMs);
      if (appAt - chatAt > TOO_LATE_MS && chatKeys.length > 0) {
        // The app is busier than the chat: the chat's slot would be used late; take its next one.
        // Both slow (Slack: a slot a second each) and out of step: the chat's next slot is
        // past this app slot and the app's next past the chat's. Asked one after the other,
        // each from the other's slot, the two stayed that far apart round after round, and
        // after MAX_RESERVATIONS the send went back to the engine with four app slots lost.
        // So the app's next slot first, then the chat's from it: the chat's comes before, so
        // it is that very slot.
        const chatNextFrom = chatAt + nextSlotAfter(chatKeys, quietAfterMs);
        if (chatNextFrom > appAt + TOO_LATE_MS && appAt + nextSlotAfter(l.app, quietAfterMs) > chatNextFrom + TOO_LATE_MS) {
          appAt = await this.reserveAll(l.app, chatNextFrom, latest, noSlot, quietAfterMs);
        }
        chatAt = await this.reserveAll(chatKeys, appAt, latest, noSlot, quietAfterMs);
        if (chatAt - appAt > TOO_LATE_MS && round < MAX_RESERVATIONS) continue; // that app slot goes unused
      }
      const earliest = chatKeys.length > 0 ? Math.min(appAt, chatAt) : appAt;
      const slow = [...chatKeys, ...l.app].filter((k) => k.intervalMs >= SLOW_INTERVAL_MS);
      if (slow.length > 0) {
        // Just before the slot: did the send before this one get out late and hold the schedule (answeredLate)?
        await this.sleepUntil(Math.max(appAt, chatAt) - this.lead());
        const held = Math.max(...(await Promise.all(slow.map((k) => this.budget.heldUntil(k)))));
        if (held > earliest) {
          if (round >= MAX_RESERVATIONS) throw noSlot(held);
          chatAt = chatKeys.length > 0 ? await this.reserveAll(chatKeys, Math.max(this.ahead(), held), latest, noSlot, quietAfterMs) : 0;
          continue; // these slots are void; the app's next from the hold on
        }
      }
      await this.sleepUntil(Math.max(appAt, chatAt));
      // Late is counted from the slot, whatever made it late: a timer, an event-loop pause,
      // or a database that answered after the slot had passed. A send later than that
      // shares a window with the slots after it, and the platform refuses one of them.
      const late = this.now() - earliest;
      if (late <= TOO_LATE_MS) return { waitedMs: this.now() - started, at: earliest, quietAfterMs };
      // Fresh slots, asked for further ahead (the answer time is learnt from this late one);
      // after MAX_RESERVATIONS the send goes back to the engine rather than out late.
      if (round >= MAX_RESERVATIONS) throw noSlot(this.ahead());
      chatAt = await chatSlot();
    }
  }

  /**
   * This send's request was written later than LATE_WRITE_MS after its slot: it may reach
   * the platform beside the sends of the next slots, so it takes one more slot of each of
   * its fast limits (the next free one, which no one else then uses). With that, any
   * window of the platform's length holds no more sends than slots.
   */
  async wroteLate(channel: string, chat: string): Promise<void> {
    const now = this.now();
    await Promise.all(this.keysFor(channel, chat).filter((k) => k.intervalMs < SLOW_INTERVAL_MS).map((k) => this.budget.reserve(k, now, now + k.windowMs)));
  }

  /**
   * The answer to a request written late has come: it reached the platform before now. A
   * slow limit's next slot is already booked, so giving up one comes too late: it is held
   * until the next send fits after this one (the send holding the booked slot sees the
   * hold before its slot and takes a later one). The quiet the send kept after its slot
   * counts: a hold within it voids nothing.
   */
  async answeredLate(channel: string, chat: string, quietAfterMs = 0): Promise<void> {
    const now = this.now();
    await Promise.all(this.keysFor(channel, chat).filter((k) => k.intervalMs >= SLOW_INTERVAL_MS).map((k) => this.budget.holdUntil(k, now + k.intervalMs - LATE_ALLOWANCE_MS - quietAfterMs)));
  }

  /** The platform asked for `ms` of quiet: hold the chat's limits, and the app's unless only the chat was meant. */
  async platformSaidWait(channel: string, chat: string, ms: number, per: 'app' | 'chat'): Promise<void> {
    if (!Number.isFinite(ms) || ms <= 0) return;
    const until = this.now() + ms;
    const keys = this.keysFor(channel, chat).filter((k) => per === 'app' || k.id.startsWith(`${channel}|chat|`));
    await Promise.all(keys.map((k) => this.budget.holdUntil(k, until)));
  }

  private chatKeys(channel: string, l: PacedLimits, chat: string): BudgetKey[] {
    if (l.chat.length === 0) return [];
    const hashed = createHash('sha256').update(chat).digest('base64url').slice(0, 16); // no platform ids in the budget
    return l.chat.map((c) => budgetKey(channel, `chat|${hashed}`, c));
  }

  /**
   * The earliest slot worth asking for: now plus how long the budget takes to answer, so
   * a slot on a quiet schedule is not already past (a late send) when the answer comes.
   */
  private ahead(): number {
    return this.now() + this.lead();
  }

  /** The budget's answer time, with room for its spread. */
  private lead(): number {
    return Math.min(MAX_LEAD_MS, this.answerMs + 2 * this.answerDevMs);
  }

  /** One slot from each key, each not before the one before it; the latest of them. */
  private async reserveAll(keys: BudgetKey[], notBefore: number, latest: number, noSlot: (nextAt: number) => Error, quietAfterMs = 0): Promise<number> {
    let at = Math.min(notBefore, latest);
    for (const key of keys) {
      const asked = this.now();
      const r = await this.budget.reserve(key, at, latest, quietAfterMs);
      const took = this.now() - asked;
      this.answerDevMs = 0.8 * this.answerDevMs + 0.2 * Math.abs(took - this.answerMs);
      this.answerMs = 0.8 * this.answerMs + 0.2 * took;
      if ('nextAt' in r) throw noSlot(r.nextAt);
      at = Math.max(at, r.at);
    }
    return at;
  }

  /** Never before `at`: a timer may fire a millisecond early, so look again. */
  private async sleepUntil(at: number): Promise<void> {
    for (let wait = at - this.now(); wait > 0; wait = at - this.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
    }
  }
}

/** The least time from a slot of these keys to their next one (a burst may come sooner than an interval). */
function nextSlotAfter(keys: BudgetKey[], quietAfterMs: number): number {
  return Math.min(...keys.map((k) => k.intervalMs + quietAfterMs - k.toleranceMs));
}

/** Of app limits over the same window only the smallest binds: one reservation instead of two. */
function tightest(limits: RateLimit[]): RateLimit[] {
  const byWindow = new Map<number, RateLimit>();
  for (const l of limits) {
    const known = byWindow.get(l.windowMs);
    if (!known || l.limit < known.limit) byWindow.set(l.windowMs, l);
  }
  return [...byWindow.values()];
}

/**
 * Slots for a limit: with a burst B, any span of the window holds at most
 * ceil((W + late) / T) + B − 1 sends, which is the limit when T = (W + late) / (L − B + 1).
 */
function budgetKey(channel: string, what: string, l: RateLimit): BudgetKey {
  const burst = Math.max(1, Math.min(l.burst ?? 1, l.limit));
  const intervalMs = (l.windowMs + LATE_ALLOWANCE_MS) / (l.limit - burst + 1);
  return {
    id: `${channel}|${what}|${l.limit}/${l.windowMs}${burst > 1 ? `/${burst}` : ''}`,
    limit: l.limit,
    windowMs: l.windowMs,
    intervalMs,
    toleranceMs: (burst - 1) * intervalMs,
  };
}
