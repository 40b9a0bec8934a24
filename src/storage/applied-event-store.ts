/**
 * The store of applied `(channel, eventId)` pairs (applied-event-model.ts): `has` before
 * the engine sees an event, `record` after it handled it. Kept `APPLIED_EVENT_TTL_MS`
 * (7 days), longer than any channel's event-age window (at most 24 hours), so an event
 * fresh enough to be accepted is always still remembered.
 *
 * @example
 * const applied = new AppliedEventStore(conn);
 * await applied.init();
 * if (!(await applied.has('whatsapp', 'wamid.X'))) { ...; await applied.record('whatsapp', 'wamid.X'); }
 */
import { createHash } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { appliedEventModel, type AppliedEventDoc } from './applied-event-model.ts';
import { isDuplicateKey } from './mongo-errors.ts';

export const APPLIED_EVENT_TTL_MS = 7 * 24 * 3_600_000;

export class AppliedEventStore {
  private readonly model: Model<AppliedEventDoc>;

  constructor(conn: Connection, private readonly now: () => Date = () => new Date(), readonly ttlMs = APPLIED_EVENT_TTL_MS) {
    this.model = appliedEventModel(conn);
  }

  /** Build the TTL index; the app calls it once at start. */
  async init(): Promise<void> {
    await this.model.init();
  }

  /** Whether this event was applied within the last `ttlMs`. */
  async has(channel: string, eventId: string): Promise<boolean> {
    const doc = await this.model.findOne({ _id: key(channel, eventId), expiresAt: { $gt: this.now() } }, { _id: 1 }).lean().exec();
    return doc !== null;
  }

  /** Remember the event (again: the expiry moves on). One upsert, so two processes recording it agree. */
  async record(channel: string, eventId: string): Promise<void> {
    const now = this.now();
    await this.model.updateOne(
      { _id: key(channel, eventId) },
      { $set: { appliedAt: now, expiresAt: new Date(now.getTime() + this.ttlMs) } },
      { upsert: true },
    ).exec().catch((err: unknown) => {
      // Two processes upserting the same new key: one insert wins, which is all we need.
      if (!isDuplicateKey(err)) throw err;
    });
  }
}

function key(channel: string, eventId: string): string {
  return createHash('sha256').update(`${channel}\0${eventId}`).digest('hex');
}
