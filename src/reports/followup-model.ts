/**
 * The closed loop: one follow-up per detractor answer, unique on the survey, so the
 * alert for it is created (and sent) once however often the survey is looked at.
 * The customer's comment is not copied here: it is read from the survey, so
 * `nps-bot forget` erasing it from the survey erases it everywhere. Every change after
 * creation is a versioned write, because FerretDB runs a conditional update as a read
 * plus a write and two alert senders could otherwise both claim the same alert.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';

export const FOLLOWUP_STATUSES = ['open', 'contacted', 'closed'] as const;
export type FollowupStatus = (typeof FOLLOWUP_STATUSES)[number];

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

export function followupModel(conn: Connection): Model<FollowupDoc> {
  return (conn.models.Followup as Model<FollowupDoc> | undefined) ?? conn.model<FollowupDoc>('Followup', followupSchema, 'followups');
}
