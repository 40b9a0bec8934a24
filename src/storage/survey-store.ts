/**
 * The one way surveys are written after creation. Every change goes through
 * `update` (a conditional write on the version the caller read), and every state change
 * through `transition`, which re-checks the expected state: if two processes (or a
 * retry after a restart) try the same move, exactly one wins and the other gets null.
 */
import type { Model, UpdateQuery } from 'mongoose';
import type { SurveyDoc, SurveyState } from './survey-model.ts';
import type mongoose from 'mongoose';
import { versionedUpdate } from './versioned-update.ts';

export type SurveyId = mongoose.Types.ObjectId | string;

export interface SurveyChanges {
  set?: Record<string, unknown>;
  unset?: string[];
  inc?: Record<string, number>;
}

export class SurveyStore {
  constructor(readonly model: Model<SurveyDoc>) {}

  /** Apply changes if the survey is still at `version`; null if someone else changed it first. */
  async update(id: SurveyId, version: number, changes: SurveyChanges): Promise<SurveyDoc | null> {
    const update: UpdateQuery<SurveyDoc> = {};
    if (changes.set && Object.keys(changes.set).length > 0) update.$set = changes.set;
    if (changes.unset && changes.unset.length > 0) update.$unset = Object.fromEntries(changes.unset.map((k) => [k, '']));
    if (changes.inc) update.$inc = changes.inc;
    return versionedUpdate(this.model, id, version, update);
  }

  /**
   * Move a survey from `from` to `to`. `extra` narrows what counts as the expected state
   * (e.g. the lease owner, or the re-prompt count the caller saw). Every transition marks
   * the survey dirty, so derived figures (rollups) know to catch up.
   * Returns the survey after the move, or null if it was not in the expected state.
   */
  async transition(
    id: SurveyId, from: SurveyState | SurveyState[], to: SurveyState,
    changes: SurveyChanges = {}, extra: Record<string, unknown> = {}, knownVersion?: number,
  ): Promise<SurveyDoc | null> {
    const full = { ...changes, set: { ...changes.set, state: to, dirty: true } };
    // Try the version the caller saw first; on a conflict (another writer, e.g. rollups
    // clearing `dirty`), re-read and go on only while the expected state still holds.
    let version = knownVersion;
    for (let attempt = 0; attempt < 8; attempt++) {
      if (version === undefined) {
        const current = await this.model.findOne(
          { _id: id, state: Array.isArray(from) ? { $in: from } : from, ...extra },
          { version: 1 },
        ).lean().exec();
        if (!current) return null;
        version = current.version ?? 0;
      }
      const after = await this.update(id, version, full);
      if (after) return after;
      version = undefined;
    }
    return null;
  }

  /** Claim one due scheduled survey for `owner` until `until`, so only one process asks it. */
  async claimDue(now: Date, owner: string, until: Date): Promise<SurveyDoc | null> {
    // Other workers may take every candidate we saw; look again a few times before saying "none due".
    for (let round = 0; round < 5; round++) {
      const due = await this.model.find(
        {
          state: 'scheduled',
          askAt: { $lte: now },
          $or: [{ 'lease.until': { $exists: false } }, { 'lease.until': null }, { 'lease.until': { $lte: now } }],
        },
        { version: 1 },
      ).sort({ askAt: 1 }).limit(16).lean().exec();
      if (due.length === 0) return null;
      // Start at a random candidate so parallel workers rarely contend for the same one.
      const offset = Math.floor(Math.random() * due.length);
      for (let i = 0; i < due.length; i++) {
        const candidate = due[(i + offset) % due.length]!;
        const claimed = await this.update(candidate._id, candidate.version ?? 0, { set: { lease: { owner, until } } });
        if (claimed && claimed.state === 'scheduled') return claimed;
      }
    }
    return null;
  }

  /** Give a claimed survey back (transient send failure): try again at `askAt`. */
  async release(s: SurveyDoc, owner: string, askAt: Date, lastError: string, countAttempt = true): Promise<void> {
    await this.transition(s._id, 'scheduled', 'scheduled',
      { set: { askAt, lastError }, unset: ['lease'], ...(countAttempt ? { inc: { attempts: 1 } } : {}) }, { 'lease.owner': owner });
  }

  /** The customer's open survey on a channel (the newest, if several). */
  async findOpen(channel: string, customerId: string, states: SurveyState[]): Promise<SurveyDoc | null> {
    return this.model.findOne({ channel, 'customer.id': customerId, state: { $in: states } })
      .sort({ askedAt: -1 }).lean().exec() as Promise<SurveyDoc | null>;
  }
}
