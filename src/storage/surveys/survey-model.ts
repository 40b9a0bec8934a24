/**
 * One document per surveyed conversation; it is also the response. A unique index on
 * (channel, conversationId) makes a repeated resolution event harmless. Every change is
 * one conditional write with the expected state in the filter, made by the repository
 * beside this file (survey-repository.ts), the only module that imports this model.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';

/**
 * `sending`: the question is owed (recorded before the platform call) and may have reached
 * the customer; a reply is applied from here on, and the question is never "un-asked".
 */
export const SURVEY_STATES = ['scheduled', 'sending', 'asked', 'scored', 'completed', 'skipped', 'expired', 'failed'] as const;
export type SurveyState = (typeof SURVEY_STATES)[number];
/** States in which the customer's next message belongs to the survey. */
export const OPEN_STATES: readonly SurveyState[] = ['sending', 'asked', 'scored'];
/** States in which the customer has not given a score yet, but may have been asked. */
export const AWAITING_SCORE: readonly SurveyState[] = ['sending', 'asked'];

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
  /** Platform event ids already applied to this survey (newest kept), so a redelivery changes nothing. */
  eventIds: { type: [String], default: undefined },
  /**
   * The conversation's next message the bot owes the customer (question, re-prompt,
   * follow-up, thanks, consent…), written in the same conditional write that makes it owed
   * and removed once sent. `dueAt` is also the lease of the process sending it: past it,
   * any process sends it again with the same `id` (the platform's idempotency key).
   * `since`: when it became owed (its waits end a bound after it); `waits`: how many of
   * its `attempts` were waits the platform or the send budget told it to take, not failures.
   */
  owed: { id: String, key: String, attempts: Number, dueAt: Date, since: Date, waits: Number },
  /**
   * The message that was still owed when the survey expired (or completed without its
   * comment): moved here by that same write, so the expiry can report it given up.
   */
  droppedOwed: { id: String, key: String, attempts: Number, dueAt: Date, since: Date, waits: Number },
  /** Managers' messages to the customer not yet sent (closing the loop), each with the same lease rule. */
  notes: {
    type: [{ _id: false, id: String, text: String, by: String, attempts: Number, dueAt: Date, since: Date, waits: Number }],
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
  /** Comment themes (reports' theme tagger), stored with the comment so reports can filter by them. */
  themes: { type: [String], default: undefined },
  /**
   * REMINDER_AFTER_HOURS: when the one reminder is due and the last moment it may go (inside
   * the platform's messaging window and before expiry), set when the question is asked;
   * both go when the reminder is claimed (then `remindedAt`) or given up.
   */
  reminderAt: Date,
  reminderBy: Date,
  remindedAt: Date,
  /**
   * SURVEY_EVENTS_URL: events of this survey's steps not yet handed to the event queue,
   * appended in the same write as the step (so none is lost), moved out by the relay.
   * `eventSeq` counts the events handed over: each event's place in the survey's order.
   */
  outbound: {
    type: [{ _id: false, id: String, type: { type: String }, at: Date, data: Schema.Types.Mixed }],
    default: undefined,
  },
  eventSeq: Number,
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
// Messages owed to customers, taken when due (few at any time).
surveySchema.index({ 'owed.dueAt': 1 }, { sparse: true });
surveySchema.index({ 'notes.dueAt': 1 }, { sparse: true });
// The one reminder, when due (asked surveys only hold it).
surveySchema.index({ state: 1, reminderAt: 1 });
// Survey events waiting for the relay (few at any time).
surveySchema.index({ 'outbound.at': 1 }, { sparse: true });
// GET /api/surveys for an agent token: their surveys, paged by id.
surveySchema.index({ 'agent.id': 1, _id: 1 });

/**
 * A message the bot owes the customer; see `owed` in the schema. `since` and `waits` are
 * absent on messages owed before they existed: such a message counts as owed from its
 * first wait (recorded then), and as having waited none of its attempts.
 */
export interface OwedMessage { id: string; key: string; attempts: number; dueAt: Date; since?: Date; waits?: number }
/** A survey step's event, staged on the survey until the relay moves it to the event queue. */
export interface StagedEvent { id: string; type: string; at: Date; data?: Record<string, unknown> }
/** A manager's message owed to the customer; `since` and `waits` as on OwedMessage. */
export interface OwedNote { id: string; text: string; by: string; attempts: number; dueAt: Date; since?: Date; waits?: number }

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
  eventIds?: string[];
  owed?: OwedMessage;
  droppedOwed?: OwedMessage;
  notes?: OwedNote[];
  version: number;
  dirty: boolean;
  forgotten?: boolean;
  themes?: string[];
  testimonial?: { askedAt?: Date; until?: Date; granted?: boolean; answeredAt?: Date };
  reminderAt?: Date;
  reminderBy?: Date;
  remindedAt?: Date;
  outbound?: StagedEvent[];
  eventSeq?: number;
  createdAt: Date;
  updatedAt: Date;
}

export function surveyModel(conn: Connection): Model<SurveyDoc> {
  return (conn.models.Survey as Model<SurveyDoc> | undefined) ?? conn.model<SurveyDoc>('Survey', surveySchema, 'surveys');
}
