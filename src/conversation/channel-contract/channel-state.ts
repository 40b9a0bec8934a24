/**
 * Small pieces of state an adapter must share with the other processes running it
 * (X's daily DM caps, which conversations are open), offered to the adapter through
 * `ChannelContext.state`. Adapters never touch the database; the app hands each one a
 * store already scoped to its channel, backed by MongoDB (shared-state/channel-state-store.ts).
 *
 * Every operation is atomic on its own key (one document, one conditional write), so
 * two processes can count and compare-and-set on the same key without a lock.
 *
 * @example
 * const used = await ctx.state.increment(`dm-cap:${day}`, 1, endOfDay);
 * if (used > cap) await ctx.state.increment(`dm-cap:${day}`, -1, endOfDay);
 */

/** A key and its value, with when it is due (see `set`'s `dueAt`). */
export interface DueEntry { key: string; value: string; dueAt: Date }

export interface ChannelStateStore {
  /**
   * Add `by` to the counter `key` (a missing or expired counter starts at 0) and return
   * the new value. The counter is gone after `expiresAt`; an increment after that starts over.
   */
  increment(key: string, by: number, expiresAt: Date): Promise<number>;

  /** The value of `key`, or null when it is missing or expired. */
  get(key: string): Promise<string | null>;

  /**
   * Set `key` to `value` until `expiresAt`. With `dueAt` the entry is listed by `due`
   * from then on (a timer that any process can pick up, and that outlives a restart).
   */
  set(key: string, value: string, opts: { expiresAt: Date; dueAt?: Date }): Promise<void>;

  /**
   * Replace the value only if it is still `expected` (null: only if the key is missing
   * or expired). `next` null deletes the key. True when the swap happened.
   */
  compareAndSet(key: string, expected: string | null, next: string | null, opts: { expiresAt: Date; dueAt?: Date }): Promise<boolean>;

  /** Entries whose key starts with `prefix` and whose `dueAt` has come, oldest due first, at most `limit`. */
  due(prefix: string, now: Date, limit: number): Promise<DueEntry[]>;

  /** Remove `key` now, expired or not (an expired entry may still hold data until the TTL sweep). */
  delete(key: string): Promise<void>;
}
