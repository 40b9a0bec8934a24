/**
 * Who may be asked, decided at send time (not at resolution), so an opt-out or a
 * survey that went out in between is always seen. The fatigue window is enforced by
 * one conditional upsert of the contact that doubles as a reservation: two surveys for
 * the same customer claimed at once cannot both pass.
 */
import type { Model } from 'mongoose';
import type { ContactDoc } from './contact-model.ts';
import { forgottenIds, optOutKey, type OptOutDoc } from './opt-out-model.ts';
import { GroupCommit } from '../storage/group-commit.ts';
import { isDuplicateKey } from '../storage/mongo-errors.ts';

export type SkipReason = 'opted-out' | 'fatigue' | 'staff' | 'bot';

/** The outcome of reserving a customer; `previous` is what to restore if the send fails. */
export interface Reservation {
  reason: SkipReason | null;
  previous?: { at: Date | null; surveyId: string | null } | null;
}

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

  constructor(
    private readonly contacts: Model<ContactDoc>,
    private readonly optOuts: Model<OptOutDoc>,
    private readonly opts: { fatigueMs: number; staffIds: readonly string[]; botIds: readonly string[] },
  ) {
    this.optOutChecks = new GroupCommit((checks) => this.readOptOuts(checks), 100);
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
   * `previous` is what the contact held before, to undo the reservation if the send fails.
   */
  async reserve(channel: string, customerId: string, surveyId: string, now: Date): Promise<Reservation> {
    const threshold = new Date(now.getTime() - this.opts.fatigueMs);
    // The opt-out lives in its own collection; ask both at once.
    const [optedOut, reserved] = await Promise.all([
      this.optedOut(channel, customerId),
      // With the driver (typed values, nothing to cast); the timestamps mongoose would add, set here.
      this.contacts.collection.findOneAndUpdate(
        {
          channel, customerId,
          $or: [{ lastSurveyedAt: null }, { lastSurveyedAt: { $lte: threshold } }, { lastSurveyId: surveyId }],
        },
        { $set: { lastSurveyedAt: now, lastSurveyId: surveyId, updatedAt: now }, $setOnInsert: { createdAt: now } },
        { upsert: true, returnDocument: 'before' },
      ).then(
        (before) => ({ ok: true as const, previous: before as ContactDoc | null }),
        (err: unknown) => {
          // The contact exists and did not match: someone else was asked within the window.
          if (isDuplicateKey(err)) return { ok: false as const, previous: null };
          throw err;
        },
      ),
    ]);
    const previous = reserved.previous ? { at: reserved.previous.lastSurveyedAt ?? null, surveyId: reserved.previous.lastSurveyId ?? null } : null;
    if (optedOut) {
      if (reserved.ok) await this.unreserve(channel, customerId, surveyId, previous);
      return { reason: 'opted-out' };
    }
    return reserved.ok ? { reason: null, previous } : { reason: 'fatigue' };
  }

  /** Undo a reservation whose question could not be delivered (only if it is still this survey's). */
  async unreserve(channel: string, customerId: string, surveyId: string, previous: Reservation['previous']): Promise<void> {
    const update = previous?.at
      ? { $set: { lastSurveyedAt: previous.at, ...(previous.surveyId ? { lastSurveyId: previous.surveyId } : {}) } }
      : { $unset: { lastSurveyedAt: '', lastSurveyId: '' } };
    await this.contacts.updateOne({ channel, customerId, lastSurveyId: surveyId }, update).exec();
  }
}
