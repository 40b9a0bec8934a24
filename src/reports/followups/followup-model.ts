/**
 * The closed loop: one follow-up per detractor answer, unique on the survey, so the
 * alert for it is created (and sent) once however often the survey is looked at. It is
 * due FOLLOWUP_DUE_HOURS after it opened; until somebody contacts the customer, an
 * overdue reminder goes out once per due period; it ends with an outcome (recovered,
 * not recovered, no answer), who recorded it and when.
 * The customer's comment is not copied here: it is read from the survey, so
 * `nps-bot forget` erasing it from the survey erases it everywhere. Every change after
 * creation is a versioned write (one conditional update on the version read), so two
 * alert or reminder senders never both claim the same notice.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';

export const FOLLOWUP_STATUSES = ['open', 'contacted', 'closed'] as const;
export type FollowupStatus = (typeof FOLLOWUP_STATUSES)[number];

/** How the loop ended: the customer is happy again, is not, or could not be reached. */
export const FOLLOWUP_OUTCOMES = ['recovered', 'not-recovered', 'no-answer'] as const;
export type FollowupOutcome = (typeof FOLLOWUP_OUTCOMES)[number];

export interface FollowupDoc {
  _id: mongoose.Types.ObjectId;
  surveyId: mongoose.Types.ObjectId;
  channel: string;
  conversationId: string;
  link?: string;
  agentId: string;
  agentName?: string;
  type: 'transactional' | 'relational';
  score: number;
  resolvedAt: Date;
  /** When the detractor answer was seen (the module's clock). */
  openedAt: Date;
  status: FollowupStatus;
  owner?: string;
  note?: string;
  statusChangedAt?: Date;
  /** Who changed the status last: `manager`, `agent:<id>` or `cli`. */
  statusChangedBy?: string;
  /** Somebody should have contacted the customer by then (openedAt + FOLLOWUP_DUE_HOURS); absent on follow-ups from before due times. */
  dueAt?: Date;
  /** The first contact with the customer (status contacted, an outcome after a talk, or a message back). */
  firstContactAt?: Date;
  /** firstContactAt − openedAt, stored so the median is found by the database. */
  contactDelayMs?: number;
  outcome?: FollowupOutcome;
  outcomeBy?: string;
  outcomeAt?: Date;
  /** The next overdue reminder is due then (also the lease while one process posts it); absent when none is planned. */
  remindAt?: Date | null;
  remindersSent?: number;
  remindedAt?: Date;
  remindError?: string;
  /** Messages back to the customer from managers (the latest 20): when, who, the engine's answer, the text they wrote. */
  replies?: Array<{ at: Date; by: string; status: string; text: string }>;
  /** Messages back reserved in the current window (followup-reply-quota.ts): one conditional write per reservation. */
  replyQuota?: { windowStart: Date; count: number };
  /** When the alert reached the managers' channel; null until then. */
  notifiedAt: Date | null;
  /** Where the alert was posted (`channel:channelId`), so `nps-bot forget` can say where to delete it. */
  notifiedTo?: string;
  /** The alert is (re)tried no earlier than this; also a lease while one process posts. */
  notifyAfter: Date;
  notifyAttempts: number;
  notifyError?: string;
  /** Bumped by every write after creation (a conditional write on the version read, see storage/versioned-update.ts). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const followupSchema = new Schema<FollowupDoc>({
  surveyId: { type: Schema.Types.ObjectId, required: true },
  channel: { type: String, required: true },
  conversationId: { type: String, required: true },
  link: String,
  agentId: { type: String, required: true },
  agentName: String,
  type: { type: String, required: true },
  score: { type: Number, required: true },
  resolvedAt: { type: Date, required: true },
  openedAt: { type: Date, required: true },
  status: { type: String, enum: FOLLOWUP_STATUSES, required: true, default: 'open' },
  owner: String,
  note: String,
  statusChangedAt: Date,
  statusChangedBy: String,
  dueAt: Date,
  firstContactAt: Date,
  contactDelayMs: Number,
  outcome: { type: String, enum: FOLLOWUP_OUTCOMES },
  outcomeBy: String,
  outcomeAt: Date,
  remindAt: { type: Date, default: null },
  remindersSent: { type: Number, default: 0 },
  remindedAt: Date,
  remindError: String,
  replies: { type: [{ _id: false, at: Date, by: String, status: String, text: String }], default: undefined },
  replyQuota: { type: { _id: false, windowStart: Date, count: Number }, default: undefined },
  notifiedAt: { type: Date, default: null },
  notifiedTo: String,
  notifyAfter: { type: Date, required: true },
  notifyAttempts: { type: Number, default: 0 },
  notifyError: String,
  version: { type: Number, default: 0 },
}, { timestamps: true });

followupSchema.index({ surveyId: 1 }, { unique: true });
followupSchema.index({ status: 1, openedAt: -1 });
followupSchema.index({ notifiedAt: 1, notifyAfter: 1 });
followupSchema.index({ remindAt: 1 });
followupSchema.index({ openedAt: 1 });

export function followupModel(conn: Connection): Model<FollowupDoc> {
  return (conn.models.Followup as Model<FollowupDoc> | undefined) ?? conn.model<FollowupDoc>('Followup', followupSchema, 'followups');
}
