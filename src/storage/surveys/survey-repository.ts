/**
 * The one owner of the survey document. Every write is a named operation and one
 * conditional `findOneAndUpdate` (or update) whose filter holds the expected state, so
 * of two processes (or a retry after a restart) trying the same step exactly one lands
 * and the other gets null. Nothing else imports the model; reports read through
 * `SurveyReader` (survey-reader.ts), which cannot write.
 *
 * Messages the bot owes a customer are recorded here too (`owed`, `notes`): in the same
 * write that makes them owed, before the platform call, and settled after it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import mongoose, { type Connection, type Model, type UpdateQuery } from 'mongoose';
import { GroupCommit, type Outcome } from '../group-commit.ts';
import { bulkOutcomes } from '../mongo-errors.ts';
import { newSurveyDocument, type NewSurvey } from './new-survey-document.ts';
import { afterUpdate, type SurveyUpdate } from './survey-post-image.ts';
import {
  AWAITING_SCORE, OPEN_STATES, surveyModel,
  type OwedMessage, type OwedNote, type StagedEvent, type SurveyDoc, type SurveyState,
} from './survey-model.ts';

export type SurveyId = mongoose.Types.ObjectId | string;
export type { NewSurvey } from './new-survey-document.ts';

/** Platform event ids kept on a survey, so a redelivered event is recognised (oldest dropped first). */
export const EVENT_IDS_KEPT = 20;
/** Manager messages waiting on one survey at most. */
const NOTES_KEPT = 10;

/** Who a reply is for: the customer on a channel, and the survey a button names. */
export interface ReplyTarget { channel: string; customerId: string; surveyId?: string }

/** A step's event before it is staged: its type and what it carries. */
interface StepEvent { type: string; data?: Record<string, unknown> }

/**
 * Connections whose surveys stage events (SURVEY_EVENTS_URL is set). Off, no write carries
 * one: the hot path is exactly what it is without events.
 */
const staging = new WeakSet<Connection>();

/** Turn survey events on (or off) for every repository on this connection. */
export function stageSurveyEvents(conn: Connection, on: boolean): void {
  if (on) staging.add(conn);
  else staging.delete(conn);
}

/**
 * One conditional update in a group commit. `landedIf`: for a write whose caller must know
 * whether it landed, the survey as it reads right after it (asked for only when the batch's
 * matched count cannot tell).
 */
interface GroupedUpdate {
  filter: Record<string, unknown>;
  update: SurveyUpdate;
  landedIf?: { id: mongoose.Types.ObjectId; state: SurveyState; version: number; askedAt: Date };
}

interface Changes {
  set?: Record<string, unknown>;
  unset?: string[];
  inc?: Record<string, number>;
  min?: Record<string, unknown>;
  /** Fields moved to another name (`$rename`): gone from where they were, still in the returned document. */
  rename?: Record<string, string>;
}

export class SurveyRepository {
  private readonly model: Model<SurveyDoc>;
  private readonly conn: Connection;
  /**
   * New surveys, and conditional updates (settles, the asked step), made while one batch is
   * in the database go together in the next (group-commit.ts).
   */
  private readonly inserts: GroupCommit<SurveyDoc, boolean>;
  private readonly updates: GroupCommit<GroupedUpdate, boolean>;

  constructor(conn: Connection) {
    this.model = surveyModel(conn);
    this.conn = conn;
    this.inserts = new GroupCommit((docs) => this.insertBatch(docs), 100);
    this.updates = new GroupCommit((reqs) => this.updateBatch(reqs));
  }

  /** Create the indexes the queries need (idempotent). */
  async init(): Promise<void> {
    await this.model.init();
  }

  // ── creation ─────────────────────────────────────────────────────────────────

  /**
   * Store a resolved conversation; a second resolution of the same conversation returns the
   * first's id. With `claim`, a survey due now is stored already claimed (`sending`, its
   * question owed), which saves the separate claim. Resolves once the insert is
   * acknowledged; surveys created meanwhile by other resolutions share one command.
   */
  async create(s: NewSurvey, claim?: { owed: OwedMessage; expiresAt: Date }): Promise<{ created: true; survey: SurveyDoc } | { created: false; id: string }> {
    // Built as the schema stores it (new-survey-document.ts) and inserted with the driver:
    // no mongoose document is built, validated and turned back into an object (a hot path).
    const outbound = this.stage([{ type: 'survey.resolved', data: { agentId: s.agent.id, surveyType: s.type } }], s.resolvedAt);
    const survey = newSurveyDocument(s, { ...(claim ? { state: 'sending', ...claim } : { state: 'scheduled' }), outbound, now: new Date() });
    if (await this.inserts.submit(survey)) return { created: true, survey };
    const again = await this.model.collection.findOne({ channel: s.channel, conversationId: s.conversationId }, { projection: { _id: 1 } });
    return { created: false, id: String(again?._id) };
  }

  /**
   * One `insert` command for a batch of new surveys, unordered: each is stored or refused
   * on its own. True when stored, false when the conversation already has its survey.
   */
  private async insertBatch(docs: SurveyDoc[]): Promise<Array<Outcome<boolean>>> {
    try {
      await this.model.collection.insertMany(docs, { ordered: false });
      return docs.map(() => ({ ok: true, value: true }));
    } catch (err) {
      return bulkOutcomes(docs.length, err, true, false);
    }
  }

  // ── asking ───────────────────────────────────────────────────────────────────

  /**
   * scheduled → sending: claim the most overdue survey resolved since `resolvedSince`
   * (or the one named) and record its question as owed, with the lease in `owed.dueAt`.
   */
  claimDue(now: Date, resolvedSince: Date, owed: OwedMessage, expiresAt: Date, id?: SurveyId): Promise<SurveyDoc | null> {
    return this.transition(
      { ...(id !== undefined ? { _id: id } : {}), askAt: { $lte: now }, resolvedAt: { $gte: resolvedSince } },
      'scheduled', 'sending', { set: { owed, expiresAt } }, { sort: { askAt: 1 } },
    );
  }

  /**
   * Take one owed message whose lease ran out (its sender failed or died, or it waits for
   * a retry): push the lease forward and count the attempt, so one process sends it.
   */
  takeDueOwed(now: Date, leaseUntil: Date): Promise<SurveyDoc | null> {
    return this.model.findOneAndUpdate(
      { 'owed.dueAt': { $lte: now } },
      { $set: { 'owed.dueAt': leaseUntil }, $inc: { 'owed.attempts': 1 } },
      { returnDocument: 'after', lean: true },
    ).exec() as Promise<SurveyDoc | null>;
  }

  /**
   * sending → asked: the question of `s` (the survey as last read) went out; its intent is
   * settled in the same write. The write goes with the other conditional updates made
   * meanwhile (one command for many conversations), pinned to the version read, and the
   * survey it answers is `s` as that write leaves it (survey-post-image.ts): a pinned
   * version means no transition came between, so every field a transition sets is as read.
   * If the version moved on (another process's step; the rollup sync leaves `sending`
   * surveys alone), the step is the plain conditional write, which answers the stored
   * survey, or null when a reply got in first. (A step that landed in a batch that matched
   * fewer than it carried, and whose survey moved on again before the read that tells, is
   * answered null too: the later step's transition carries the survey to the listeners.)
   */
  async markAsked(
    s: SurveyDoc, owedId: string, at: Date, expiresAt: Date, address?: Record<string, string>,
    reminder?: { at: Date; by: Date },
  ): Promise<SurveyDoc | null> {
    const changes: Changes = {
      set: { askedAt: at, expiresAt, ...(address ? { address } : {}), ...(reminder ? { reminderAt: reminder.at, reminderBy: reminder.by } : {}) },
      unset: ['owed', 'lastError'],
    };
    const opts = { events: [{ type: 'survey.asked' }], at };
    const version = s.version;
    if (typeof version === 'number') {
      const { filter, update } = this.transitionWrite({ _id: s._id, 'owed.id': owedId, version }, 'sending', 'asked', changes, opts);
      const landedIf = { id: filter._id as mongoose.Types.ObjectId, state: 'asked' as const, version: version + 1, askedAt: at };
      if (await this.updates.submit({ filter, update, landedIf })) return afterUpdate(s, update);
    }
    return this.transition({ _id: s._id, 'owed.id': owedId }, 'sending', 'asked', changes, opts);
  }

  /** sending → scheduled: the platform refused the question (so it did not go out); ask again at `askAt`. */
  reschedule(id: SurveyId, owedId: string, askAt: Date, lastError: string, countAttempt: boolean): Promise<SurveyDoc | null> {
    return this.transition({ _id: id, 'owed.id': owedId }, 'sending', 'scheduled', {
      set: { askAt, lastError }, unset: ['owed', 'expiresAt'], ...(countAttempt ? { inc: { attempts: 1 } } : {}),
    });
  }

  /** sending → skipped: not asked (opted out, too recent, staff, a closed window). */
  skipAsking(id: SurveyId, owedId: string, reason: string, lastError?: string): Promise<SurveyDoc | null> {
    return this.transition({ _id: id, 'owed.id': owedId }, 'sending', 'skipped', {
      set: { skipReason: reason, ...(lastError ? { lastError } : {}) }, unset: ['owed', 'expiresAt'],
    }, { events: [{ type: 'survey.skipped', data: { reason } }] });
  }

  /** sending → failed: the platform refused for good, or every attempt failed. */
  failAsking(id: SurveyId, owedId: string, lastError: string, attempts: number): Promise<SurveyDoc | null> {
    return this.transition({ _id: id, 'owed.id': owedId }, 'sending', 'failed', {
      set: { lastError, attempts }, unset: ['owed', 'expiresAt'],
    }, { events: [{ type: 'survey.failed', data: { attempts } }] });
  }

  // ── replies ──────────────────────────────────────────────────────────────────

  /** One survey by id; null for an id that is not one. */
  async byId(id: unknown): Promise<SurveyDoc | null> {
    if (!mongoose.isValidObjectId(id)) return null;
    return this.model.findById(id).lean().exec() as Promise<SurveyDoc | null>;
  }

  /** The customer's open survey (the one a button names, else the newest asked). */
  async findOpen(t: ReplyTarget): Promise<SurveyDoc | null> {
    if (t.surveyId !== undefined && !mongoose.isValidObjectId(t.surveyId)) return null;
    return this.model.findOne({ ...whose(t), state: { $in: OPEN_STATES } })
      .sort({ askedAt: -1, _id: -1 }).lean().exec() as Promise<SurveyDoc | null>;
  }

  /**
   * sending | asked → scored, with the follow-up owed. A reply proves the question
   * arrived, so the question's intent (if still there) is replaced in the same write.
   */
  score(t: ReplyTarget | SurveyId, v: { score: number; category: string; at: Date; expiresAt: Date; owed: OwedMessage }, eventId?: string): Promise<SurveyDoc | null> {
    return this.transition(target(t), AWAITING_SCORE, 'scored', {
      set: { score: v.score, category: v.category, scoredAt: v.at, expiresAt: v.expiresAt, owed: v.owed },
      min: { askedAt: v.at },
    }, { eventId, newestFirst: true, at: v.at, events: [{ type: 'survey.answered', data: { score: v.score, category: v.category } }] });
  }

  /** sending | asked → completed: a score that came with its comment; thanks (or the consent question) owed. */
  scoreWithComment(
    t: ReplyTarget | SurveyId,
    v: { score: number; category: string; comment: string; at: Date; owed: OwedMessage; testimonial?: Record<string, unknown> },
    eventId?: string,
  ): Promise<SurveyDoc | null> {
    return this.transition(target(t), AWAITING_SCORE, 'completed', {
      set: {
        score: v.score, category: v.category, comment: v.comment, scoredAt: v.at, completedAt: v.at, owed: v.owed,
        ...(v.testimonial ? { testimonial: v.testimonial } : {}),
      },
      unset: ['expiresAt'], min: { askedAt: v.at },
    }, {
      eventId, newestFirst: true, at: v.at,
      events: [{ type: 'survey.answered', data: { score: v.score, category: v.category } }, { type: 'survey.commented', data: { comment: v.comment } }],
    });
  }

  /**
   * scored → completed with the comment; thanks (or the consent question) owed.
   * `promoter` narrows the match to that stored category (true) or every other (false).
   */
  comment(
    t: ReplyTarget | SurveyId,
    v: { comment: string; at: Date; owed: OwedMessage; testimonial?: Record<string, unknown>; promoter?: boolean },
    eventId?: string,
  ): Promise<SurveyDoc | null> {
    const category = v.promoter === undefined ? {} : { category: v.promoter ? 'promoter' : { $ne: 'promoter' } };
    return this.transition({ ...target(t), ...category }, 'scored', 'completed', {
      set: { comment: v.comment, completedAt: v.at, owed: v.owed, ...(v.testimonial ? { testimonial: v.testimonial } : {}) },
      unset: ['expiresAt'],
    }, { eventId, newestFirst: true, at: v.at, events: [{ type: 'survey.commented', data: { comment: v.comment } }] });
  }

  /** An unclear answer: count a re-prompt (only if nobody counted one since `seen`) and owe it. */
  reprompt(id: SurveyId, seen: number, at: Date, owed: OwedMessage, eventId?: string): Promise<SurveyDoc | null> {
    return this.transition({ _id: id, reprompts: seen }, AWAITING_SCORE, 'asked', { inc: { reprompts: 1 }, set: { owed }, min: { askedAt: at } }, { eventId });
  }

  /** Still unclear after the allowed re-prompts: stop asking. */
  giveUp(id: SurveyId, seen: number, lastError: string, eventId?: string): Promise<SurveyDoc | null> {
    return this.transition({ _id: id, reprompts: seen }, AWAITING_SCORE, 'expired', { set: { lastError }, unset: ['owed', 'expiresAt'] }, {
      eventId, events: [{ type: 'survey.expired', data: { reason: 'no-clear-score' } }],
    });
  }

  /** The customer opted out: a score given still counts (scored → completed), an unanswered question is closed. */
  optOut(id: SurveyId, from: SurveyState, at: Date, owed: OwedMessage, eventId?: string): Promise<SurveyDoc | null> {
    const events = [{ type: 'survey.opted_out' }];
    return from === 'scored'
      ? this.transition({ _id: id }, 'scored', 'completed', { set: { completedAt: at, owed }, unset: ['expiresAt'] }, { eventId, at, events })
      : this.transition({ _id: id }, AWAITING_SCORE, 'skipped', { set: { skipReason: 'opted-out', owed }, unset: ['expiresAt'] }, { eventId, at, events });
  }

  /** The customer's survey whose consent question awaits an answer at `at` (the newest), or null. */
  async findAwaitingConsent(t: ReplyTarget, at: Date): Promise<SurveyDoc | null> {
    if (t.surveyId !== undefined && !mongoose.isValidObjectId(t.surveyId)) return null;
    return this.model.findOne(awaitingConsent(t, at)).sort({ completedAt: -1 }).lean().exec() as Promise<SurveyDoc | null>;
  }

  /** The answer to the consent question (the customer's next message after it), once; its reply owed. */
  recordConsent(t: ReplyTarget, at: Date, granted: boolean, owed: OwedMessage, eventId?: string): Promise<SurveyDoc | null> {
    const filter = awaitingConsent(t, at);
    if (eventId !== undefined) filter.eventIds = { $ne: eventId };
    return this.model.findOneAndUpdate(filter, {
      $set: { 'testimonial.granted': granted, 'testimonial.answeredAt': at, owed },
      $inc: { version: 1 },
      ...(eventId !== undefined ? { $push: { eventIds: { $each: [eventId], $slice: -EVENT_IDS_KEPT } } } : {}),
    }, { returnDocument: 'after', lean: true, sort: { completedAt: -1 } }).exec() as Promise<SurveyDoc | null>;
  }

  // ── time ─────────────────────────────────────────────────────────────────────

  /**
   * One unanswered survey past its expiry: sending | asked → expired. A message still owed
   * is no longer owed; the returned survey holds it as `droppedOwed` (the same write).
   */
  expireUnanswered(now: Date): Promise<SurveyDoc | null> {
    return this.transition({ expiresAt: { $lte: now } }, AWAITING_SCORE, 'expired', { unset: ['expiresAt'], rename: DROP_OWED }, {
      at: now, events: [{ type: 'survey.expired', data: { reason: 'unanswered' } }],
    });
  }

  /** One score whose comment never came: scored → completed (the score counts); a message still owed as in expireUnanswered. */
  completeUncommented(now: Date): Promise<SurveyDoc | null> {
    return this.transition({ expiresAt: { $lte: now } }, 'scored', 'completed', { set: { completedAt: now }, unset: ['expiresAt'], rename: DROP_OWED });
  }

  /** One survey that could not be asked in time after its resolution: scheduled → expired. */
  expireUnasked(resolvedBefore: Date, lastError: string): Promise<SurveyDoc | null> {
    return this.transition({ resolvedAt: { $lt: resolvedBefore } }, 'scheduled', 'expired', { set: { lastError } }, {
      events: [{ type: 'survey.expired', data: { reason: 'not-asked-in-time' } }],
    });
  }

  // ── owed messages ────────────────────────────────────────────────────────────

  /**
   * The owed message went out: remove it (only that one; a newer one stays). Resolves once
   * the write is acknowledged; settles made meanwhile by other conversations share one
   * command (a group commit), each with its own filter, so one failing fails only itself.
   */
  async settleOwed(id: SurveyId, owedId: string): Promise<void> {
    await this.updates.submit({ filter: { _id: asObjectId(id), 'owed.id': owedId }, update: { $unset: { owed: '', lastError: '' }, $set: { updatedAt: new Date() } } });
  }

  /**
   * One `update` command for a batch of conditional updates, unordered: each lands or fails
   * on its own. Each answers whether it landed: when the batch's matched count says every
   * write matched, each did; else the ones whose caller must know (`landedIf`) are looked
   * up in one read (the others, settles, do not care: a settle that matched nothing had a
   * newer message to keep).
   */
  private async updateBatch(reqs: GroupedUpdate[]): Promise<Array<Outcome<boolean>>> {
    const ops = reqs.map((r) => ({ updateOne: { filter: r.filter, update: r.update } }));
    let outcomes: Array<Outcome<boolean>>;
    let matched: number;
    try {
      matched = (await this.model.collection.bulkWrite(ops as never, { ordered: false })).matchedCount;
      outcomes = reqs.map(() => ({ ok: true, value: true }));
    } catch (err) {
      // Some writes failed and the others were acknowledged: only those fail.
      outcomes = bulkOutcomes(reqs.length, err, true, null);
      matched = (err as { result?: { matchedCount?: number } }).result?.matchedCount ?? -1;
    }
    const unsure = (i: number): boolean => reqs[i]!.landedIf !== undefined && outcomes[i]!.ok;
    if (matched === outcomes.filter((o) => o.ok).length || !reqs.some((_, i) => unsure(i))) return outcomes;
    let stored: Map<string, Pick<SurveyDoc, 'state' | 'version' | 'askedAt'>>;
    try {
      const ids = reqs.flatMap((r, i) => (unsure(i) ? [r.landedIf!.id] : []));
      const docs = await this.model.collection.find({ _id: { $in: ids } }, { projection: { state: 1, version: 1, askedAt: 1 } }).toArray();
      stored = new Map(docs.map((d) => [String(d._id), d as unknown as Pick<SurveyDoc, 'state' | 'version' | 'askedAt'>]));
    } catch (err) {
      // Not known: those fail (their callers write again, pinned the same way); the rest stand.
      return outcomes.map((o, i) => (unsure(i) ? { ok: false, error: err } : o));
    }
    return outcomes.map((o, i) => {
      if (!unsure(i)) return o;
      const want = reqs[i]!.landedIf!;
      const d = stored.get(String(want.id));
      return { ok: true, value: d?.state === want.state && d.version === want.version && d.askedAt?.getTime() === want.askedAt.getTime() };
    });
  }

  /** Try the owed message again at `dueAt` (the platform could not take it now). */
  async deferOwed(id: SurveyId, owedId: string, dueAt: Date, lastError: string): Promise<void> {
    await this.model.updateOne({ _id: id, 'owed.id': owedId }, { $set: { 'owed.dueAt': dueAt, lastError } }).exec();
  }

  /**
   * The platform or the shared send budget told the owed message to wait: try it again at
   * `dueAt`, counting the try as a wait (not a failure). A message owed before `since`
   * was recorded counts as owed from `now` (its first wait).
   */
  async waitOwed(id: SurveyId, owedId: string, dueAt: Date, now: Date, lastError: string): Promise<void> {
    await this.model.updateOne({ _id: id, 'owed.id': owedId }, {
      $set: { 'owed.dueAt': dueAt, lastError }, $inc: { 'owed.waits': 1 }, $min: { 'owed.since': now },
    }).exec();
  }

  /** Give the owed message up (refused for good, too many attempts, owed too long, or the conversation moved past it). */
  async dropOwed(id: SurveyId, owedId: string, lastError?: string): Promise<void> {
    await this.model.updateOne({ _id: id, 'owed.id': owedId }, {
      $unset: { owed: '' }, ...(lastError ? { $set: { lastError } } : {}),
    }).exec();
  }

  /** Record a manager's message as owed to the customer, before it is sent. Null if the survey is gone or forgotten. */
  oweNote(id: SurveyId, note: OwedNote): Promise<SurveyDoc | null> {
    return this.model.findOneAndUpdate(
      { _id: id, forgotten: { $ne: true } },
      { $push: { notes: { $each: [note], $slice: -NOTES_KEPT } } },
      { returnDocument: 'after', lean: true },
    ).exec() as Promise<SurveyDoc | null>;
  }

  /** Take one owed manager message whose lease ran out, so one process sends it. */
  async takeDueNote(now: Date, leaseUntil: Date): Promise<{ survey: SurveyDoc; note: OwedNote } | null> {
    const s = await this.model.findOneAndUpdate(
      // One condition on the array, so `$` is the element it matched.
      { 'notes.dueAt': { $lte: now } },
      { $set: { 'notes.$.dueAt': leaseUntil }, $inc: { 'notes.$.attempts': 1 } },
      { returnDocument: 'after', lean: true },
    ).exec() as SurveyDoc | null;
    const note = s?.notes?.find((n) => n.dueAt.getTime() === leaseUntil.getTime());
    return s && note ? { survey: s, note } : null;
  }

  /** The manager's message went out, or is given up: remove it. */
  async settleNote(id: SurveyId, noteId: string): Promise<void> {
    await this.model.updateOne({ _id: id }, { $pull: { notes: { id: noteId } } }).exec();
  }

  /** Try the manager's message again at `dueAt`. */
  async deferNote(id: SurveyId, noteId: string, dueAt: Date): Promise<void> {
    await this.model.updateOne({ _id: id, 'notes.id': noteId }, { $set: { 'notes.$.dueAt': dueAt } }).exec();
  }

  /** The manager's message was told to wait: try it again at `dueAt`, counted as a wait (as `waitOwed`). */
  async waitNote(id: SurveyId, noteId: string, dueAt: Date, now: Date): Promise<void> {
    await this.model.updateOne({ _id: id, 'notes.id': noteId }, {
      $set: { 'notes.$.dueAt': dueAt }, $inc: { 'notes.$.waits': 1 }, $min: { 'notes.$.since': now },
    }).exec();
  }

  // ── for reports ──────────────────────────────────────────────────────────────

  /** Store the comment's themes, only if the comment is still the one tagged. */
  async setThemes(id: SurveyId, comment: string, themes: string[]): Promise<boolean> {
    const r = await this.model.updateOne({ _id: id, comment }, { $set: { themes } }).exec();
    return r.modifiedCount > 0;
  }

  /** Derived figures caught up with the survey at `version`: clear `dirty` (only if nothing moved since). */
  async markSynced(id: SurveyId, version: number): Promise<boolean> {
    const r = await this.model.findOneAndUpdate({ _id: id, version }, { $set: { dirty: false }, $inc: { version: 1 } }, { projection: { _id: 1 }, lean: true }).exec();
    return r !== null;
  }

  // ── upgrading ────────────────────────────────────────────────────────────────

  /**
   * Bring surveys written before owed messages forward (migration 002): a `pendingReply`
   * becomes the owed message it was (a fresh id, due when it was), and the old
   * `lease` and `earlyReplies` fields go. Idempotent: only documents with them match.
   */
  async upgradeLegacyOwed(batch = 500): Promise<number> {
    const legacy = { $or: [{ pendingReply: { $exists: true } }, { lease: { $exists: true } }, { earlyReplies: { $exists: true } }] };
    const raw = this.model.collection;
    let changed = 0;
    for (;;) {
      const docs = await raw.find(legacy, { projection: { pendingReply: 1, owed: 1 } }).limit(batch).toArray();
      if (docs.length === 0) return changed;
      const result = await raw.bulkWrite(docs.map((d) => {
        const pending = d.pendingReply as { key?: string; attempts?: number; dueAt?: Date } | undefined;
        const owed = pending?.key && !d.owed
          ? { owed: { id: randomUUID(), key: pending.key, attempts: pending.attempts ?? 0, dueAt: pending.dueAt ?? new Date(0) } }
          : null;
        return { updateOne: { filter: { _id: d._id }, update: { $unset: { pendingReply: '', lease: '', earlyReplies: '' }, ...(owed ? { $set: owed } : {}) } } };
      }), { ordered: false });
      changed += result.modifiedCount;
    }
  }

  // ── forgetting ───────────────────────────────────────────────────────────────

  /** The surveys of a customer on a channel, under any of `ids` (plain, or hashed by an earlier run). */
  async idsOfCustomer(channel: string, ids: string[]): Promise<mongoose.Types.ObjectId[]> {
    const own = await this.model.find({ channel, 'customer.id': { $in: ids } }, { _id: 1 }).lean().exec();
    return own.map((s) => s._id);
  }

  /**
   * Erase what identifies the customer on one survey: cancel it if unanswered, complete it
   * if only the comment is missing (the score counts, as when it expires). The conversation
   * id is replaced (X's contain the customer's id), so the unique index still holds.
   * Null when the survey kept changing under us.
   */
  async erase(id: SurveyId, hashedCustomerId: string, now: Date, attempts = 5): Promise<{ conversationId: string; erased: boolean; cancelled: boolean } | null> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const s = await this.model.findById(id).lean().exec() as SurveyDoc | null;
      if (!s) return { conversationId: randomConversationId(), erased: false, cancelled: false };
      const conversationId = s.conversationId.startsWith('forgotten:') ? s.conversationId : randomConversationId();
      const set: Record<string, unknown> = { 'customer.id': hashedCustomerId, forgotten: true, dirty: true, conversationId };
      // Staged events may quote the customer: they go, and only the forgetting itself is told.
      const outbound = this.stage([{ type: 'survey.forgotten' }], now);
      if (outbound) set.outbound = outbound;
      const unset = [
        'customer.name', 'customer.locale', 'customer.segment', 'customer.value', 'comment', 'themes', 'testimonial',
        'address', 'link', 'lastError', 'owed', 'notes', 'eventIds', 'reminderAt', 'reminderBy',
        ...(outbound ? [] : ['outbound']),
      ];
      let cancelled = false;
      let after: SurveyDoc | null;
      if (s.state === 'scheduled' || AWAITING_SCORE.includes(s.state)) {
        after = await this.transition({ _id: id, version: s.version ?? 0 }, s.state, 'skipped', { set: { ...set, skipReason: 'forgotten' }, unset: [...unset, 'expiresAt'] });
        cancelled = after !== null;
      } else if (s.state === 'scored') {
        after = await this.transition({ _id: id, version: s.version ?? 0 }, 'scored', 'completed', { set: { ...set, completedAt: now }, unset: [...unset, 'expiresAt'] });
      } else {
        after = await this.model.findOneAndUpdate({ _id: id, version: s.version ?? 0 }, toUpdate({ set, unset }, true), { returnDocument: 'after', lean: true }).exec() as SurveyDoc | null;
      }
      if (after) return { conversationId, erased: true, cancelled };
      // Another writer (the engine answering it, rollups) changed it in between: read again.
    }
    return null;
  }

  // ── the one reminder ─────────────────────────────────────────────────────────

  /**
   * Claim one asked survey whose reminder is due and may still go (before `reminderBy`),
   * with nothing else owed: `remindedAt` and the owed reminder in one write, so of two
   * processes one claims it and it is never claimed twice (the due time goes with it).
   */
  claimReminder(now: Date, owed: OwedMessage): Promise<SurveyDoc | null> {
    const filter: Record<string, unknown> = { state: 'asked', reminderAt: { $lte: now }, reminderBy: { $gt: now }, owed: { $exists: false } };
    const update: UpdateQuery<SurveyDoc> = { $set: { remindedAt: now, owed }, $unset: { reminderAt: '', reminderBy: '' }, $inc: { version: 1 } };
    const staged = this.stage([{ type: 'survey.reminded' }], now);
    if (staged) update.$push = { outbound: { $each: staged } };
    return this.model.findOneAndUpdate(filter, update, { returnDocument: 'after', lean: true, sort: { reminderAt: 1 } }).exec() as Promise<SurveyDoc | null>;
  }

  /** Reminders that can no longer go (the window closed before a tick took them): give them up. */
  async dropLateReminders(now: Date): Promise<number> {
    const r = await this.model.updateMany({ state: 'asked', reminderAt: { $lte: now }, reminderBy: { $lte: now } }, { $unset: { reminderAt: '', reminderBy: '' } }).exec();
    return r.modifiedCount;
  }

  // ── survey events (SURVEY_EVENTS_URL) ────────────────────────────────────────

  /** Surveys with events staged, for the relay (an index range over the few that have any). */
  withStagedEvents(limit: number): Promise<Array<Pick<SurveyDoc, '_id' | 'channel' | 'conversationId' | 'type' | 'agent' | 'customer' | 'outbound' | 'eventSeq'>>> {
    return this.model.find({ 'outbound.at': { $gte: new Date(0) } }, { channel: 1, conversationId: 1, type: 1, agent: 1, 'customer.id': 1, outbound: 1, eventSeq: 1 })
      .limit(limit).lean().exec() as Promise<Array<Pick<SurveyDoc, '_id' | 'channel' | 'conversationId' | 'type' | 'agent' | 'customer' | 'outbound' | 'eventSeq'>>>;
  }

  /**
   * The relay handed these events to the queue (numbered from `seenSeq`): remove them and
   * count them, only if nobody else did since (another relay, same numbers, same ids).
   */
  async unstageEvents(id: SurveyId, ids: string[], seenSeq: number): Promise<boolean> {
    const r = await this.model.updateOne(
      { _id: id, ...(seenSeq === 0 ? { eventSeq: { $in: [0, null] } } : { eventSeq: seenSeq }) },
      { $pull: { outbound: { id: { $in: ids } } }, $inc: { eventSeq: ids.length } },
    ).exec();
    return r.modifiedCount > 0;
  }

  /** Stage an event that is not a survey step of its own (a follow-up opened or closed). Null if the survey is gone. */
  async stageEvent(id: SurveyId, event: StepEvent, at: Date): Promise<boolean> {
    const staged = this.stage([event], at);
    if (!staged) return false;
    const r = await this.model.updateOne({ _id: id }, { $push: { outbound: { $each: staged } } }).exec();
    return r.modifiedCount > 0;
  }

  /** The step's events ready to stage, or null when events are off. */
  private stage(events: StepEvent[], at?: Date): StagedEvent[] | null {
    if (!staging.has(this.conn)) return null;
    const when = at ?? new Date();
    return events.map((e) => ({ id: randomUUID(), type: e.type, at: when, ...(e.data ? { data: e.data } : {}) }));
  }

  // ── the one conditional write ────────────────────────────────────────────────

  /**
   * Move the survey matching `where` from `from` to `to` in one conditional write. Every
   * transition bumps the version and marks the survey dirty, so derived figures (rollups)
   * catch up. `eventId`, when given, must not have been applied to the survey before and
   * is recorded with the change itself: a redelivery then matches nothing.
   */
  private transition(
    where: Record<string, unknown>, from: SurveyState | readonly SurveyState[], to: SurveyState, changes: Changes,
    opts: { eventId?: string; newestFirst?: boolean; sort?: Record<string, 1 | -1>; events?: StepEvent[]; at?: Date } = {},
  ): Promise<SurveyDoc | null> {
    const { filter, update } = this.transitionWrite(where, from, to, changes, opts);
    const sort = opts.sort ?? (opts.newestFirst ? { askedAt: -1 } : undefined);
    return this.model.collection.findOneAndUpdate(filter, update as Record<string, unknown>, { returnDocument: 'after', ...(sort ? { sort } : {}) }) as Promise<SurveyDoc | null>;
  }

  /** A transition's filter and update (see `transition`). */
  private transitionWrite(
    where: Record<string, unknown>, from: SurveyState | readonly SurveyState[], to: SurveyState, changes: Changes,
    opts: { eventId?: string; events?: StepEvent[]; at?: Date },
  ): { filter: Record<string, unknown>; update: SurveyUpdate } {
    const filter: Record<string, unknown> = { ...where, state: typeof from === 'string' ? from : { $in: from } };
    const update = toUpdate({ ...changes, set: { ...changes.set, state: to, dirty: true } }, true);
    const push: Record<string, unknown> = {};
    if (opts.eventId !== undefined) {
      filter.eventIds = { $ne: opts.eventId };
      push.eventIds = { $each: [opts.eventId], $slice: -EVENT_IDS_KEPT };
    }
    const staged = opts.events ? this.stage(opts.events, opts.at) : null;
    // The step's events go in the step's own write: either both land or neither does.
    if (staged) push.outbound = { $each: staged };
    if (Object.keys(push).length > 0) update.$push = push;
    // With the driver, not the model: every value here is built by this class from typed
    // arguments, so mongoose's casting of filter and update (a third of the engine's CPU
    // per conversation, bench/engine.bench.ts profile) has nothing to do but the id and the
    // timestamp it would add.
    if (filter._id !== undefined) filter._id = asObjectId(filter._id as SurveyId);
    update.$set = { ...update.$set, updatedAt: new Date() };
    return { filter, update: update as SurveyUpdate };
  }
}

/** A survey id as stored; a string that is not an ObjectId stays as it is (and matches nothing). */
function asObjectId(id: SurveyId): mongoose.Types.ObjectId {
  return (typeof id === 'string' && /^[0-9a-f]{24}$/i.test(id) ? new mongoose.Types.ObjectId(id) : id) as mongoose.Types.ObjectId;
}

function whose(t: ReplyTarget): Record<string, unknown> {
  return { channel: t.channel, 'customer.id': t.customerId, ...(t.surveyId !== undefined ? { _id: t.surveyId } : {}) };
}

/** The customer's completed survey whose consent question still awaits its answer at `at`. */
function awaitingConsent(t: ReplyTarget, at: Date): Record<string, unknown> {
  return { ...whose(t), state: 'completed', 'testimonial.until': { $gt: at }, 'testimonial.answeredAt': { $exists: false } };
}

function target(t: ReplyTarget | SurveyId): Record<string, unknown> {
  return typeof t === 'object' && 'channel' in t ? whose(t) : { _id: t };
}

function randomConversationId(): string {
  return `forgotten:${randomBytes(12).toString('hex')}`;
}

/** What the expiry does with a message still owed: no longer owed, and still readable in the survey it returns. */
const DROP_OWED = { owed: 'droppedOwed' } as const;

function toUpdate(changes: Changes, bumpVersion = false): UpdateQuery<SurveyDoc> {
  const update: UpdateQuery<SurveyDoc> = {};
  if (changes.set && Object.keys(changes.set).length > 0) update.$set = changes.set;
  if (changes.unset && changes.unset.length > 0) update.$unset = Object.fromEntries(changes.unset.map((k) => [k, '']));
  if (changes.min && Object.keys(changes.min).length > 0) update.$min = changes.min;
  if (changes.rename && Object.keys(changes.rename).length > 0) update.$rename = changes.rename;
  const inc = { ...changes.inc, ...(bumpVersion ? { version: 1 } : {}) };
  if (Object.keys(inc).length > 0) update.$inc = inc;
  return update;
}
