/**
 * What we remember about a customer per channel: opt-out, when they were last surveyed
 * (the fatigue window) and their locale. Unique on (channel, customerId). A forgotten
 * customer's opt-out stays as a one-way hash in `customerId` (see forget.ts).
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';

export const contactSchema = new Schema({
  channel: { type: String, required: true },
  customerId: { type: String, required: true },
  name: String,
  locale: String,
  optedOut: { type: Boolean, default: false },
  optedOutAt: Date,
  lastSurveyedAt: Date,
}, { timestamps: true });

contactSchema.index({ channel: 1, customerId: 1 }, { unique: true });

export interface ContactDoc {
  _id: mongoose.Types.ObjectId;
  channel: string;
  customerId: string;
  name?: string;
  locale?: string;
  optedOut: boolean;
  optedOutAt?: Date;
  lastSurveyedAt?: Date;
}

export function contactModel(conn: Connection): Model<ContactDoc> {
  return (conn.models.Contact as Model<ContactDoc> | undefined) ?? conn.model<ContactDoc>('Contact', contactSchema, 'contacts');
}
