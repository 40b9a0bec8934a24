/**
 * What we remember about a customer per channel between surveys: when they were last
 * asked (the fatigue window) and by which survey, so the reservation belongs to that
 * survey (asking it again after a crash passes; another survey waits out the window).
 * Unique on (channel, customerId); written only by conditional updates in
 * eligibility.ts. Opt-outs live apart, insert-only, in opt-out-model.ts.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';

export const contactSchema = new Schema({
  channel: { type: String, required: true },
  customerId: { type: String, required: true },
  lastSurveyedAt: Date,
  lastSurveyId: String,
}, { timestamps: true });

contactSchema.index({ channel: 1, customerId: 1 }, { unique: true });

export interface ContactDoc {
  _id: mongoose.Types.ObjectId;
  channel: string;
  customerId: string;
  lastSurveyedAt?: Date;
  lastSurveyId?: string;
}

export function contactModel(conn: Connection): Model<ContactDoc> {
  return (conn.models.Contact as Model<ContactDoc> | undefined) ?? conn.model<ContactDoc>('Contact', contactSchema, 'contacts');
}
