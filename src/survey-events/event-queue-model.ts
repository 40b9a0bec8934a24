/**
 * The survey event queue (SURVEY_EVENTS_URL): one document per event, from the moment the
 * relay takes it off its survey until the receiver acknowledged it. Only event-queue.ts
 * (beside this file) reads or writes it.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface QueuedEvent {
  /** The event's id, also in the body: receivers deduplicate on it. */
  _id: string;
  surveyId: string;
  /** The event's place in its survey's order: an event goes only once every earlier one was acknowledged. */
  seq: number;
  type: string;
  /** The JSON body as POSTed, fixed when queued, so every attempt sends the same bytes. */
  body: string;
  status: 'pending' | 'delivered';
  attempts: number;
  /** When to try next; while one process delivers it, also its lease. */
  nextAttemptAt: Date;
  deliveredAt?: Date;
  /** Delivered events are kept this long (a TTL index removes them), so a late duplicate from the relay stays a duplicate. */
  expiresAt?: Date;
  lastError?: string;
  createdAt: Date;
}

const queuedEventSchema = new Schema<QueuedEvent>({
  _id: { type: String, required: true },
  surveyId: { type: String, required: true },
  seq: { type: Number, required: true },
  type: { type: String, required: true },
  body: { type: String, required: true },
  status: { type: String, enum: ['pending', 'delivered'], required: true },
  attempts: { type: Number, default: 0 },
  nextAttemptAt: { type: Date, required: true },
  deliveredAt: Date,
  expiresAt: Date,
  lastError: String,
  createdAt: { type: Date, required: true },
}, { versionKey: false });

// The next event due; the events of one survey before a given one.
queuedEventSchema.index({ status: 1, nextAttemptAt: 1 });
queuedEventSchema.index({ surveyId: 1, seq: 1 });
queuedEventSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export function queuedEventModel(conn: Connection): Model<QueuedEvent> {
  return (conn.models.SurveyEvent as Model<QueuedEvent> | undefined) ?? conn.model<QueuedEvent>('SurveyEvent', queuedEventSchema, 'survey_events');
}
