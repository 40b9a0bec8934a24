/**
 * What we remember about a customer per channel between surveys: when they were last
 * asked (the fatigue window) and by which survey, so the reservation belongs to that
 * survey (asking it again after a crash passes; another survey waits out the window),
 * and the last few reservations (`recent`), so one whose question could not be delivered
 * is undone to the one before. Unique on (channel, customerId); written only by
 * conditional updates in eligibility.ts. Opt-outs live apart, insert-only, in opt-out-model.ts.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';

export const contactSchema = new Schema({
  channel: { type: String, required: true },
  customerId: { type: String, required: true },
  lastSurveyedAt: Date,
  lastSurveyId: String,
  recent: { type: [{ _id: false, at: Date, surveyId: String }], default: undefined },
}, { timestamps: true });

/** Reservations kept per contact: enough to undo one past re-reservations of the same survey after crashes. */
export const RECENT_RESERVATIONS_KEPT = 5;

contactSchema.index({ channel: 1, customerId: 1 }, { unique: true });

export interface ContactDoc {
  _id: mongoose.Types.ObjectId;
  channel: string;
  customerId: string;
  lastSurveyedAt?: Date;
  lastSurveyId?: string;
  recent?: Array<{ at: Date; surveyId: string }>;
  createdAt?: Date;
}

export function contactModel(conn: Connection): Model<ContactDoc> {
  return (conn.models.Contact as Model<ContactDoc> | undefined) ?? conn.model<ContactDoc>('Contact', contactSchema, 'contacts');
}
