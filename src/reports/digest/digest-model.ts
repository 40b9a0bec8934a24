/**
 * The `digests` collection: one document per posted (or claimed) digest slot and target.
 * Its unique `_id` (slot + target) is the claim that lets several bot processes fire at
 * the same cron slot and post one digest between them (weekly-digest.ts).
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface DigestDoc { _id: string; slot: Date; target: string; from: string; to: string; owner: string; claimedAt: Date; postedAt?: Date; error?: string }

const digestSchema = new Schema<DigestDoc>({
  _id: { type: String, required: true },
  slot: { type: Date, required: true },
  target: { type: String, required: true },
  from: String,
  to: String,
  owner: String,
  claimedAt: Date,
  postedAt: Date,
  error: String,
}, { versionKey: false, _id: false });

export function digestModel(conn: Connection): Model<DigestDoc> {
  return (conn.models.Digest as Model<DigestDoc> | undefined) ?? conn.model<DigestDoc>('Digest', digestSchema, 'digests');
}
