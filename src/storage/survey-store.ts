/**
 * The one way surveys are written after creation. Every state change is one
 * conditional `findOneAndUpdate` whose filter holds the expected state (and whatever
 * else the caller saw, such as the lease owner or the re-prompt count): MongoDB applies
 * it atomically, so if two processes (or a retry after a restart) try the same move,
 * exactly one wins and the other gets null. No read comes before a write.
 */
import type { Model, UpdateQuery } from 'mongoose';
import type mongoose from 'mongoose';
import type { SurveyDoc, SurveyState } from './survey-model.ts';
import { versionedUpdate } from './versioned-update.ts';

export type SurveyId = mongoose.Types.ObjectId | string;

export interface SurveyChanges {
  set?: Record<string, unknown>;
  unset?: string[];
  inc?: Record<string, number>;
  /** Append to an array field, keeping only the newest `keep` entries (bounded history). */
  push?: { field: string; value: unknown; keep: number };
}

/** Platform event ids kept on a survey, so a redelivered event is recognised (newest first out). */
export const EVENT_IDS_KEPT = 20;

export class SurveyStore {
  constructor(readonly model: Model<SurveyDoc>) {}

  /** Apply changes if the survey is still at `version`; null if someone else changed it first. */
  async update(id: SurveyId, version: number, changes: SurveyChanges): Promise<SurveyDoc | null> {
    return versionedUpdate(this.model, id, version, toUpdate(changes));
  }

  /**
   * Move the survey matching `where` from `from` to `to` in one conditional write.
   * Every transition bumps the version and marks the survey dirty, so derived figures
   * (rollups) know to catch up. `eventId`, when given, must not have been applied to the
   * survey before and is recorded with the change itself: a platform's redelivery of the
   * same event then matches nothing, and a failed change leaves no trace of it.
   * Returns the survey after the move, or null if nothing matched.
   */
  async transition(
    where: Record<string, unknown>, from: SurveyState | SurveyState[], to: SurveyState,
    changes: SurveyChanges = {}, opts: { eventId?: string; newestFirst?: boolean } = {},
  ): Promise<SurveyDoc | null> {
    const filter: Record<string, unknown> = { ...where, state: Array.isArray(from) ? { $in: from } : from };
    const full: SurveyChanges = { ...changes, set: { ...changes.set, state: to, dirty: true } };
    if (opts.eventId !== undefined) {
      filter.eventIds = { $ne: opts.eventId };
      full.push = { field: 'eventIds', value: opts.eventId, keep: EVENT_IDS_KEPT };
    }
    return this.model.findOneAndUpdate(filter, toUpdate(full, true), {
      returnDocument: 'after',
      lean: true,
      ...(opts.newestFirst ? { sort: { askedAt: -1 } } : {}),
    }).exec() as Promise<SurveyDoc | null>;
  }

  /** Claim the most overdue scheduled survey resolved since `resolvedSince` (or the one named) for `owner` until `until`. */
  async claimDue(now: Date, owner: string, until: Date, resolvedSince: Date, id?: SurveyId): Promise<SurveyDoc | null> {
    return this.model.findOneAndUpdate(
      {
        ...(id !== undefined ? { _id: id } : {}),
        state: 'scheduled',
        askAt: { $lte: now },
        resolvedAt: { $gte: resolvedSince },
        $or: [{ 'lease.until': { $exists: false } }, { 'lease.until': null }, { 'lease.until': { $lte: now } }],
      },
      toUpdate({ set: { lease: { owner, until } } }, true),
      { returnDocument: 'after', lean: true, sort: { askAt: 1 } },
    ).exec() as Promise<SurveyDoc | null>;
  }

  /** Give a claimed survey back (a send that may succeed later): try again at `askAt`. */
  async release(id: SurveyId, owner: string, askAt: Date, lastError: string, countAttempt = true): Promise<SurveyDoc | null> {
    return this.transition({ _id: id, 'lease.owner': owner }, 'scheduled', 'scheduled',
      { set: { askAt, lastError }, unset: ['lease'], ...(countAttempt ? { inc: { attempts: 1 } } : {}) });
  }

  /** The customer's survey in one of `states` on a channel (the newest asked, if several). */
  async findFor(channel: string, customerId: string, states: readonly SurveyState[]): Promise<SurveyDoc | null> {
    return this.model.findOne({ channel, 'customer.id': customerId, state: { $in: states } })
      .sort({ askedAt: -1 }).lean().exec() as Promise<SurveyDoc | null>;
  }
}

function toUpdate(changes: SurveyChanges, bumpVersion = false): UpdateQuery<SurveyDoc> {
  const update: UpdateQuery<SurveyDoc> = {};
  if (changes.set && Object.keys(changes.set).length > 0) update.$set = changes.set;
  if (changes.unset && changes.unset.length > 0) update.$unset = Object.fromEntries(changes.unset.map((k) => [k, '']));
  const inc = { ...changes.inc, ...(bumpVersion ? { version: 1 } : {}) };
  if (Object.keys(inc).length > 0) update.$inc = inc;
  if (changes.push) update.$push = { [changes.push.field]: { $each: [changes.push.value], $slice: -changes.push.keep } };
  return update;
}
