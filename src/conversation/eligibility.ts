/**
 * Who may be asked, decided at send time (not at resolution), so an opt-out or a
 * survey that went out in between is always seen. The fatigue window is enforced by
 * one conditional upsert of the contact that doubles as a reservation: two surveys for
 * the same customer claimed at once cannot both pass. Reservations made while one batch
 * is in the database go together in the next command (a group commit), each with its
 * own outcome; the contact keeps its last few reservations, so one whose question could
 * not be delivered is undone to the one before it.
 */
import type { Model } from 'mongoose';
import { RECENT_RESERVATIONS_KEPT, type ContactDoc } from './contact-model.ts';
import { forgottenIds, optOutKey, type OptOutDoc } from './opt-out-model.ts';
import { GroupCommit, type Outcome } from '../storage/group-commit.ts';
import { bulkOutcomes, isDuplicateKey } from '../storage/mongo-errors.ts';

export type SkipReason = 'opted-out' | 'fatigue' | 'staff' | 'bot';

/** The outcome of reserving a customer: null when reserved for the survey, else why not. */
export interface Reservation {
  reason: SkipReason | null;
}

interface ReserveRequest { channel: string; customerId: string; surveyId: string; now: Date }

/** Staff and bot lists: a bare id matches any channel, `channel:id` one channel. */
export function listed(list: readonly string[], channel: string, id: string): boolean {
  return list.includes(id) || list.includes(`${channel}:${id}`);
}

export class Eligibility {
  /**
   * Opt-out checks made while one is in the database go together in the next read (a
   * group commit, no timer): each check is still answered by a read that began after it was
   * asked, so an opt-out stored before the check is always seen.
   */
  private readonly optOutChecks: GroupCommit<string[], boolean>;
  /** Reservations, the same way: one unordered bulk of conditional upserts; true when reserved. */
  private readonly reservations: GroupCommit<ReserveRequest, boolean>;

  constructor(
    private readonly contacts: Model<ContactDoc>,
    private readonly optOuts: Model<OptOutDoc>,
    private readonly opts: { fatigueMs: number; staffIds: readonly string[]; botIds: readonly string[] },
  ) {
    this.optOutChecks = new GroupCommit((checks) => this.readOptOuts(checks), 100);
    this.reservations = new GroupCommit((reqs) => this.reserveBatch(reqs), 100);
  }

  /** A reason not to ask decided from lists alone, before touching the database. */
  listReason(channel: string, customerId: string): SkipReason | null {
    if (listed(this.opts.botIds, channel, customerId)) return 'bot';
    if (listed(this.opts.staffIds, channel, customerId)) return 'staff';
    return null;
  }

  /** Whether the customer opted out (under their id, or a key they were forgotten under). */
  optedOut(channel: string, customerId: string): Promise<boolean> {
    return this.optOutChecks.submit([optOutKey(channel, customerId), ...forgottenIds(channel, customerId)]);
  }

  /** One read for a batch of checks, each a customer's keys: which of them opted out. */
  private async readOptOuts(checks: string[][]): Promise<Array<{ ok: true; value: boolean }>> {
    const keys = checks.length === 1 ? checks[0]! : [...new Set(checks.flat())];
    // The driver, not the model: string keys need no casting, and this runs before every question.
    const found = await this.optOuts.collection.find({ _id: { $in: keys } } as Record<string, unknown>, { projection: { _id: 1 } }).toArray();
    const optedOut = new Set(found.map((d) => String(d._id)));
    return checks.map((ks) => ({ ok: true, value: ks.some((k) => optedOut.has(k)) }));
  }

  /** Record an opt-out for good (insert-only; a second one is a no-op). */
  async optOut(channel: string, customerId: string, at: Date): Promise<void> {
    try {
      await this.optOuts.create({ _id: optOutKey(channel, customerId), channel, at });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /**
   * Reserve the customer for survey `surveyId` now. Returns `reason: null` when reserved,
   * or why not. The reservation is one conditional upsert of the contact: it lands when
   * the customer was not asked within the fatigue window, or was reserved by this same
   * survey (a question re-sent after a crash or a lapsed lease is not "too recent").
   */
  async reserve(channel: string, customerId: string, surveyId: string, now: Date): Promise<Reservation> {
    // The opt-out lives in its own collection; ask both at once.
    const [optedOut, reserved] = await Promise.all([
      this.optedOut(channel, customerId),
      this.reservations.submit({ channel, customerId, surveyId, now }),
    ]);
    if (optedOut) {
      if (reserved) await this.unreserve(channel, customerId, surveyId);
      return { reason: 'opted-out' };
    }
    return { reason: reserved ? null : 'fatigue' };
  }

  /**
   * One command for a batch of reservations. Each upsert matches the contact only if it may
   * be asked; a contact that exists and did not match makes the upsert's insert collide
   * with the unique (channel, customerId): that write fails alone with a duplicate key,
   * which means someone else was asked within the window.
   */
  private async reserveBatch(reqs: ReserveRequest[]): Promise<Array<Outcome<boolean>>> {
    // With the driver (typed values, nothing to cast); the timestamps mongoose would add, set here.
    const ops = reqs.map(({ channel, customerId, surveyId, now }) => ({
      updateOne: {
        filter: {
          channel, customerId,
          $or: [{ lastSurveyedAt: null }, { lastSurveyedAt: { $lte: new Date(now.getTime() - this.opts.fatigueMs) } }, { lastSurveyId: surveyId }],
        },
        update: {
          $set: { lastSurveyedAt: now, lastSurveyId: surveyId, updatedAt: now },
          $setOnInsert: { createdAt: now },
          $push: { recent: { $each: [{ at: now, surveyId }], $slice: -RECENT_RESERVATIONS_KEPT } },
        },
        upsert: true,
      },
    }));
    try {
      await this.contacts.collection.bulkWrite(ops as never, { ordered: false });
      return reqs.map(() => ({ ok: true, value: true }));
    } catch (err) {
      return bulkOutcomes(reqs.length, err, true, false);
    }
  }

  /**
   * Undo a reservation whose question could not be delivered, only if it is still this
   * survey's: the contact goes back to the reservation before it (kept in `recent`), or
   * to "never asked" when this survey's was its first. A contact reserved before `recent`
   * was kept (or past the last few) has an earlier reservation we cannot name: it keeps
   * this one, which errs on the side of asking less often.
   */
  async unreserve(channel: string, customerId: string, surveyId: string): Promise<void> {
    const c = await this.contacts.collection.findOne({ channel, customerId, lastSurveyId: surveyId }) as ContactDoc | null;
    if (!c) return;
    const recent = c.recent ?? [];
    const before = [...recent].reverse().find((r) => r.surveyId !== surveyId);
    const firstOfMine = recent.find((r) => r.surveyId === surveyId);
    const createdByMe = firstOfMine !== undefined && recent[0] === firstOfMine && c.createdAt !== undefined && c.createdAt.getTime() >= firstOfMine.at.getTime();
    if (!before && !createdByMe) return;
    const update = before
      ? { $set: { lastSurveyedAt: before.at, lastSurveyId: before.surveyId, updatedAt: new Date() }, $pull: { recent: { surveyId } } }
      : { $unset: { lastSurveyedAt: '', lastSurveyId: '' }, $set: { updatedAt: new Date() }, $pull: { recent: { surveyId } } };
    // Conditional on the same reservation still holding: a survey reserved meanwhile is left alone.
    await this.contacts.collection.updateOne({ _id: c._id, lastSurveyId: surveyId, lastSurveyedAt: c.lastSurveyedAt }, update as never);
  }
}
