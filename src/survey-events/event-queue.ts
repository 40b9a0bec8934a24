/**
 * The durable survey event queue: the one owner of the `survey_events` collection.
 * Events arrive from the relay (inserted with their own id, so handing the same event over
 * twice stores it once), are taken by one process at a time (a lease in `nextAttemptAt`),
 * and stay until the receiver acknowledged them; a restart loses nothing.
 */
import type { Connection, Model } from 'mongoose';
import { isDuplicateKey } from '../storage/mongo-errors.ts';
import { queuedEventModel, type QueuedEvent } from './event-queue-model.ts';

/** How long a delivered event is kept (for duplicates handed over late, and for inspection). */
const DELIVERED_KEPT_MS = 7 * 86_400_000;

export type NewQueuedEvent = Pick<QueuedEvent, '_id' | 'surveyId' | 'seq' | 'type' | 'body'>;

export class SurveyEventQueue {
  private readonly model: Model<QueuedEvent>;

  constructor(conn: Connection) {
    this.model = queuedEventModel(conn);
  }

  async init(): Promise<void> {
    await this.model.init();
  }

  /** Queue events, due at `now`; one already queued (same id) is left as it is. */
  async add(events: NewQueuedEvent[], now: Date): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.model.insertMany(
        events.map((e) => ({ ...e, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now })),
        { ordered: false },
      );
    } catch (err) {
      // Handed over before (a relay that died before unstaging them): already queued.
      if (!allDuplicates(err)) throw err;
    }
  }

  /** Take the event due soonest, leased to this process until `leaseUntil`. */
  take(now: Date, leaseUntil: Date): Promise<QueuedEvent | null> {
    return this.model.findOneAndUpdate(
      { status: 'pending', nextAttemptAt: { $lte: now } },
      { $set: { nextAttemptAt: leaseUntil }, $inc: { attempts: 1 } },
      { sort: { nextAttemptAt: 1, seq: 1 }, returnDocument: 'after', lean: true },
    ).exec() as Promise<QueuedEvent | null>;
  }

  /** An earlier event of the same survey still waiting, or null: the order to keep. */
  earlierPending(e: Pick<QueuedEvent, 'surveyId' | 'seq'>): Promise<Pick<QueuedEvent, '_id' | 'nextAttemptAt'> | null> {
    return this.model.findOne({ surveyId: e.surveyId, seq: { $lt: e.seq }, status: 'pending' }, { nextAttemptAt: 1 })
      .sort({ seq: 1 }).lean().exec() as Promise<Pick<QueuedEvent, '_id' | 'nextAttemptAt'> | null>;
  }

  /** Not this event's turn: back in line at `at`, the attempt not counted. */
  async putBack(id: string, at: Date): Promise<void> {
    await this.model.updateOne({ _id: id, status: 'pending' }, { $set: { nextAttemptAt: at }, $inc: { attempts: -1 } }).exec();
  }

  async delivered(id: string, now: Date): Promise<void> {
    await this.model.updateOne({ _id: id }, {
      $set: { status: 'delivered', deliveredAt: now, expiresAt: new Date(now.getTime() + DELIVERED_KEPT_MS) }, $unset: { lastError: '' },
    }).exec();
  }

  async retryAt(id: string, at: Date, lastError: string): Promise<void> {
    await this.model.updateOne({ _id: id, status: 'pending' }, { $set: { nextAttemptAt: at, lastError } }).exec();
  }

  /** Events not yet delivered (a gauge, and for tests). */
  pending(): Promise<number> {
    return this.model.countDocuments({ status: 'pending' }).exec();
  }

  /** `nps-bot forget`: the events of these surveys go, delivered or not (they may quote the customer), but the forgetting itself. */
  async forgetSurveys(surveyIds: string[]): Promise<number> {
    if (surveyIds.length === 0) return 0;
    const r = await this.model.deleteMany({ surveyId: { $in: surveyIds }, type: { $ne: 'survey.forgotten' } }).exec();
    return r.deletedCount;
  }
}

/** insertMany with ordered:false reports every duplicate in one bulk error. */
function allDuplicates(err: unknown): boolean {
  const errors = (err as { writeErrors?: unknown }).writeErrors;
  type WriteError = { code?: number; err?: { code?: number } };
  const list: WriteError[] = Array.isArray(errors) ? errors as WriteError[] : errors ? [errors as WriteError] : [];
  return list.length > 0 ? list.every((e) => (e.code ?? e.err?.code) === 11000) : isDuplicateKey(err);
}
