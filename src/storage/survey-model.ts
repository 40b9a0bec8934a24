/**
 * One document per surveyed conversation; it is also the response. A unique index on
 * (channel, conversationId) makes a repeated resolution event harmless. Every state
 * change is one conditional update with the expected state in the filter (see
 * conversation/survey-store.ts), so no state lives only in memory.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';

export const SURVEY_STATES = ['scheduled', 'asked', 'scored', 'completed', 'skipped', 'expired', 'failed'] as const;
export type SurveyState = (typeof SURVEY_STATES)[number];
/** States in which the customer's next message belongs to the survey. */
export const OPEN_STATES: readonly SurveyState[] = ['asked', 'scored'];

export const surveySchema = new Schema({
  channel: { type: String, required: true },
  conversationId: { type: String, required: true },
  type: { type: String, enum: ['transactional', 'relational'], required: true, default: 'transactional' },
  customer: {
    id: { type: String, required: true },
    name: String,
    locale: { type: String, required: true },
    segment: String,
    value: Number,
  },
  agent: { id: { type: String, required: true }, name: String },
  /** Every agent who replied, where the platform tells (ResolvedEvent.participants). */
  participants: { type: [{ _id: false, id: String, name: String, replies: Number }], default: undefined },
  link: String,
  /** Adapter routing data handed back on every send (e.g. a DM channel or thread fallback). */
  address: { type: Schema.Types.Mixed },
  state: { type: String, enum: SURVEY_STATES, required: true },
  skipReason: String,
  score: Number,
  category: { type: String, enum: ['promoter', 'passive', 'detractor'] },
  comment: String,
  resolvedAt: { type: Date, required: true },
  askAt: { type: Date, required: true },
  askedAt: Date,
  scoredAt: Date,
  completedAt: Date,
  expiresAt: Date,
  reprompts: { type: Number, default: 0 },
  attempts: { type: Number, default: 0 },
  lastError: String,
  lease: { owner: String, until: Date },
  /** Platform event ids already applied to this survey (newest kept), so a redelivery changes nothing. */
  eventIds: { type: [String], default: undefined },
  /** Replies that arrived while the question was still being sent; handled once it is stored as asked. */
  earlyReplies: {
    type: [{ _id: false, text: String, choice: Number, eventId: String, receivedAt: Date }],
    default: undefined,
  },
  /** Bumped by every transition; lets derived data (rollups) tell which version it saw. */
  version: { type: Number, default: 0 },
  /** Set by every transition that changes counted figures; cleared once rollups caught up. */
  dirty: { type: Boolean, default: false },
  forgotten: Boolean,
  /** A promoter's consent to quote the comment publicly: asked once, the answer kept with its time. */
  testimonial: {
    askedAt: Date,
    /** The customer's next message answers it until then. */
    until: Date,
    granted: Boolean,
    answeredAt: Date,
  },
  /** A message to the customer the platform could not take yet; the scheduler sends it again when due. */
  pendingReply: { key: String, attempts: Number, dueAt: Date },
  /** Comment themes (reports' theme tagger), stored with the comment so reports can filter by them. */
  themes: { type: [String], default: undefined },
}, { timestamps: true, minimize: true });

surveySchema.index({ channel: 1, conversationId: 1 }, { unique: true });
// The scheduler's pick of due surveys, and expiry sweeps.
surveySchema.index({ state: 1, askAt: 1 });
surveySchema.index({ state: 1, expiresAt: 1 });
// A customer's open survey when a message arrives.
surveySchema.index({ channel: 1, 'customer.id': 1, state: 1 });
// Reports over a date range.
surveySchema.index({ resolvedAt: 1, channel: 1 });
surveySchema.index({ dirty: 1 });
// Courtesy messages waiting to be sent again (few at any time).
surveySchema.index({ 'pendingReply.dueAt': 1 }, { sparse: true });

/** A customer's message parked on a survey whose question was in flight when it arrived. */
export interface EarlyReply { text: string; choice?: number; eventId?: string; receivedAt: Date }

/** A survey as stored. Optional fields are absent until the step that sets them. */
export interface SurveyDoc {
  _id: mongoose.Types.ObjectId;
  channel: string;
  conversationId: string;
  type: 'transactional' | 'relational';
  customer: { id: string; name?: string; locale: string; segment?: string; value?: number };
  agent: { id: string; name?: string };
  participants?: Array<{ id: string; name?: string; replies: number }>;
  link?: string;
  address?: Record<string, string>;
  state: SurveyState;
  skipReason?: string;
  score?: number;
  category?: 'promoter' | 'passive' | 'detractor';
  comment?: string;
  resolvedAt: Date;
  askAt: Date;
  askedAt?: Date;
  scoredAt?: Date;
  completedAt?: Date;
  expiresAt?: Date;
  reprompts: number;
  attempts: number;
  lastError?: string;
  lease?: { owner?: string; until?: Date };
  eventIds?: string[];
  earlyReplies?: EarlyReply[];
  version: number;
  dirty: boolean;
  forgotten?: boolean;
  themes?: string[];
  pendingReply?: { key: string; attempts: number; dueAt: Date };
  testimonial?: { askedAt?: Date; until?: Date; granted?: boolean; answeredAt?: Date };
  createdAt: Date;
  updatedAt: Date;
}

export function surveyModel(conn: Connection): Model<SurveyDoc> {
  return (conn.models.Survey as Model<SurveyDoc> | undefined) ?? conn.model<SurveyDoc>('Survey', surveySchema, 'surveys');
}
