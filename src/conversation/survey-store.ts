/**
 * The survey collection's state changes. Each transition is one conditional
 * `findOneAndUpdate` with the expected state in the filter: if two processes (or a
 * retry after a restart) try the same move, exactly one wins and the other gets null.
 */
import type { Model, UpdateQuery } from 'mongoose';
import type { SurveyDoc, SurveyState } from '../survey-model.ts';
import type mongoose from 'mongoose';

export type SurveyId = mongoose.Types.ObjectId | string;

export class SurveyStore {
  constructor(readonly model: Model<SurveyDoc>) {}

  /**
   * Move a survey from `from` to `to`, applying `set`. `extra` narrows the filter further
   * (e.g. the lease owner, or the re-prompt count the caller saw).
   * Returns the survey after the move, or null if it was not in the expected state.
   */
  async transition(
    id: SurveyId,
    from: SurveyState | SurveyState[],
    to: SurveyState,
    set: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
    unset: string[] = [],
  ): Promise<SurveyDoc | null> {
    const update: UpdateQuery<SurveyDoc> = {
      $set: { ...set, state: to, dirty: true },
      $inc: { version: 1 },
    };
    if (unset.length > 0) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
    return this.model.findOneAndUpdate(
      { _id: id, state: Array.isArray(from) ? { $in: from } : from, ...extra },
      update,
      { new: true, lean: true },
    ).exec() as Promise<SurveyDoc | null>;
  }

  /** Claim one due scheduled survey for `owner` until `until`, so only one process asks it. */
  async claimDue(now: Date, owner: string, until: Date): Promise<SurveyDoc | null> {
    return this.model.findOneAndUpdate(
      {
        state: 'scheduled',
        askAt: { $lte: now },
        $or: [{ 'lease.until': { $exists: false } }, { 'lease.until': null }, { 'lease.until': { $lte: now } }],
      },
      { $set: { lease: { owner, until } } },
      { new: true, lean: true, sort: { askAt: 1 } },
    ).exec() as Promise<SurveyDoc | null>;
  }

  /** Give a claimed survey back (transient send failure): try again at `askAt`. */
  async release(id: SurveyId, owner: string, askAt: Date, lastError: string): Promise<void> {
    await this.model.updateOne(
      { _id: id, state: 'scheduled', 'lease.owner': owner },
      { $set: { askAt, lastError }, $unset: { lease: '' }, $inc: { attempts: 1 } },
    ).exec();
  }

  /** The customer's open survey on a channel (the newest, if several). */
  async findOpen(channel: string, customerId: string, states: SurveyState[]): Promise<SurveyDoc | null> {
    return this.model.findOne({ channel, 'customer.id': customerId, state: { $in: states } })
      .sort({ askedAt: -1 }).lean().exec() as Promise<SurveyDoc | null>;
  }
}
