/**
 * Platform event ids already handled, so a redelivered event (Slack retries, a
 * duplicate gateway dispatch, X sending twice) is answered once. Unique `_id` is
 * `channel:eventId`; old entries are swept by the scheduler, not a TTL index, so it
 * works the same on every MongoDB-compatible server.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface InboundEventDoc { _id: string; at: Date }

const inboundEventSchema = new Schema<InboundEventDoc>({
  _id: { type: String, required: true },
  at: { type: Date, required: true },
}, { versionKey: false });
inboundEventSchema.index({ at: 1 });

export function inboundEventModel(conn: Connection): Model<InboundEventDoc> {
  return (conn.models.InboundEvent as Model<InboundEventDoc> | undefined) ?? conn.model<InboundEventDoc>('InboundEvent', inboundEventSchema, 'inbound_events');
}
