/**
 * Customers who asked never to be surveyed again. Insert-only (unique `_id` of
 * `channel:customerId`, or a one-way hash once the customer is forgotten), so no
 * concurrent write elsewhere can ever undo an opt-out.
 */
import { createHash } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';

export interface OptOutDoc { _id: string; channel: string; at: Date }

const optOutSchema = new Schema<OptOutDoc>({
  _id: { type: String, required: true },
  channel: { type: String, required: true },
  at: { type: Date, required: true },
}, { versionKey: false });

export function optOutModel(conn: Connection): Model<OptOutDoc> {
  return (conn.models.OptOut as Model<OptOutDoc> | undefined) ?? conn.model<OptOutDoc>('OptOut', optOutSchema, 'opt_outs');
}

export function optOutKey(channel: string, customerId: string): string {
  return `${channel}:${customerId}`;
}

/** The one-way key a forgotten customer's opt-out (and their surveys' customer id) is kept under. */
export function forgottenId(channel: string, customerId: string): string {
  return `sha256:${createHash('sha256').update(`${channel}\u0000${customerId}`).digest('hex')}`;
}
