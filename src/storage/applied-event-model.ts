/**
 * Platform events the engine has handled, across every survey: one small document per
 * `(channel, eventId)`, so a delivery replayed later (after the customer's next
 * resolution, or to a consent or opt-out question) is recognised whatever survey is open
 * then. The key is a SHA-256 of channel and event id (some event ids embed a customer
 * id; the hash keeps no personal data). MongoDB's TTL index removes a document once
 * `expiresAt` has passed; reads check `expiresAt` as well, for servers that never sweep.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface AppliedEventDoc {
  /** hex SHA-256 of `<channel>\0<eventId>`. */
  _id: string;
  appliedAt: Date;
  expiresAt: Date;
}

const appliedEventSchema = new Schema<AppliedEventDoc>({
  _id: { type: String, required: true },
  appliedAt: { type: Date, required: true },
  expiresAt: { type: Date, required: true },
}, { versionKey: false });

appliedEventSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export function appliedEventModel(conn: Connection): Model<AppliedEventDoc> {
  return (conn.models.AppliedEvent as Model<AppliedEventDoc> | undefined) ?? conn.model<AppliedEventDoc>('AppliedEvent', appliedEventSchema, 'applied_events');
}
