/**
 * Follow-ups on detractor answers: created once per survey (unique insert) with a due
 * time, listed and updated by managers (or by the agent they belong to), closed with an
 * outcome, counted in digests and in the closed-loop figures (followup-summary.ts).
 */
import mongoose, { type Connection, type Model, type UpdateQuery } from 'mongoose';
import { isDuplicateKey } from '../../storage/mongo-errors.ts';
import { versionedUpdate } from '../../storage/versioned-update.ts';
import { z } from 'zod';
import { SurveyReader, SurveyRepository, type SurveyDoc } from '../../storage/surveys/index.ts';
import { DEFAULT_FOLLOWUP_SETTINGS, type FollowupSettings } from './followup-config.ts';
import { followupModel, FOLLOWUP_OUTCOMES, FOLLOWUP_STATUSES, type FollowupDoc, type FollowupOutcome, type FollowupStatus } from './followup-model.ts';
import type { Principal } from '../../http/token-auth.ts';
import { followupScopeFilter, type Scope } from '../scope.ts';
import { stripControlChars, stripControlCharsOneLine } from '../../control-chars.ts';

/** What a caller may change: `PATCH /api/followups/:id`, `nps-bot followups --set`, the dashboard form. */
export const followupPatchSchema = z.object({
  status: z.enum(FOLLOWUP_STATUSES).optional(),
  /** How the loop ended; closes the follow-up. */
  outcome: z.enum(FOLLOWUP_OUTCOMES).optional(),
  // Both are printed on managers' terminals: control characters (ESC sequences) are dropped.
  owner: z.string().transform(stripControlCharsOneLine).pipe(z.string().trim().max(200, 'must be at most 200 characters')).optional(),
  note: z.string().transform(stripControlChars).pipe(z.string().max(2000, 'must be at most 2000 characters')).optional(),
}).strict()
  .refine((p) => p.status !== undefined || p.outcome !== undefined || p.owner !== undefined || p.note !== undefined, 'give at least one of status, outcome, owner, note')
  .refine((p) => p.outcome === undefined || p.status === undefined || p.status === 'closed', 'an outcome closes the follow-up: leave status out or set it to closed');

export type FollowupPatch = z.infer<typeof followupPatchSchema>;

/** Who acts, as kept with a status change or an outcome: `manager`, `agent:<id>` (the CLI passes `cli`). */
export function actorOf(p: Principal): string {
  return p.role === 'agent' ? `agent:${p.agentId}` : p.role;
}

/** A follow-up as the API shows it, with the survey's comment (if it still has one). */
export interface FollowupView {
  id: string;
  surveyId: string;
  status: FollowupStatus;
  outcome: FollowupOutcome | null;
  outcomeBy: string | null;
  outcomeAt: string | null;
  dueAt: string;
  /** Nobody has contacted the customer and the due time has passed. */
  overdue: boolean;
  firstContactAt: string | null;
  owner: string | null;
  note: string | null;
  score: number;
  comment: string | null;
  channel: string;
  agentId: string;
  agentName: string | null;
  conversationId: string;
  link: string | null;
  type: string;
  resolvedAt: string;
  openedAt: string;
  notifiedAt: string | null;
  statusChangedAt: string | null;
}

export class Followups {
  readonly model: Model<FollowupDoc>;
  private readonly surveys: SurveyReader;
  /** Only to stage `followup.opened` / `followup.closed` on the survey (SURVEY_EVENTS_URL; a no-op when off). */
  private readonly surveyEvents: SurveyRepository;

  constructor(conn: Connection, readonly settings: FollowupSettings = DEFAULT_FOLLOWUP_SETTINGS) {
    this.model = followupModel(conn);
    this.surveys = new SurveyReader(conn);
    this.surveyEvents = new SurveyRepository(conn);
  }

  /** When the follow-up is due (follow-ups from before due times: openedAt + the current setting). */
  dueAt(f: Pick<FollowupDoc, 'dueAt' | 'openedAt'>): Date {
    return f.dueAt ?? new Date(f.openedAt.getTime() + this.settings.dueMs);
  }

  /** The filter for overdue follow-ups at `now`: still open (nobody contacted the customer) and past due. */
  overdueFilter(now: Date): Record<string, unknown> {
    return {
      status: 'open',
      $or: [
        { dueAt: { $lt: now } },
        { dueAt: { $exists: false }, openedAt: { $lt: new Date(now.getTime() - this.settings.dueMs) } },
      ],
    };
  }

  async overdueCount(scope: Scope, now: Date): Promise<number> {
    return this.model.countDocuments({ ...this.overdueFilter(now), ...followupScopeFilter(scope) }).exec();
  }

  async init(): Promise<void> {
    await this.model.init();
  }

  /**
   * Open the follow-up for a detractor survey unless it exists. Returns true when this
   * call created it. A read (the common case: it exists), then a unique insert, which
   * tells this process whether it was the one that opened it.
   */
  async ensureFor(s: Pick<SurveyDoc, '_id' | 'channel' | 'conversationId' | 'link' | 'agent' | 'type' | 'score' | 'resolvedAt'>, now: Date): Promise<boolean> {
    if (await this.model.exists({ surveyId: s._id })) return false;
    const dueAt = new Date(now.getTime() + this.settings.dueMs);
    try {
      await this.model.collection.insertOne({
        surveyId: s._id,
        channel: s.channel,
        conversationId: s.conversationId,
        ...(s.link ? { link: s.link } : {}),
        agentId: s.agent.id,
        ...(s.agent.name ? { agentName: s.agent.name } : {}),
        type: s.type ?? 'transactional',
        score: s.score ?? 0,
        resolvedAt: s.resolvedAt,
        openedAt: now,
        status: 'open',
        dueAt,
        remindAt: this.settings.reminders > 0 ? dueAt : null,
        remindersSent: 0,
        notifiedAt: null,
        notifyAfter: now,
        notifyAttempts: 0,
        version: 0,
        createdAt: now,
        updatedAt: now,
      });
      // After the insert: a crash right here loses this one event (the follow-up itself is kept).
      await this.surveyEvents.stageEvent(s._id, { type: 'followup.opened', data: { dueAt: dueAt.toISOString() } }, now);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false; // another process created it first
      throw err;
    }
  }

  async list(opts: { status?: FollowupStatus; overdue?: boolean; scope: Scope; page: number; limit: number; now?: Date }): Promise<{ total: number; followups: FollowupView[] }> {
    const now = opts.now ?? new Date();
    // Overdue means open: asked for overdue follow-ups in another status, the list is empty.
    const filter: Record<string, unknown> = opts.overdue
      ? { $and: [this.overdueFilter(now), ...(opts.status ? [{ status: opts.status }] : [])] }
      : (opts.status ? { status: opts.status } : {});
    Object.assign(filter, followupScopeFilter(opts.scope));
    const [total, docs] = await Promise.all([
      this.model.countDocuments(filter).exec(),
      this.model.find(filter).sort({ openedAt: -1, _id: -1 }).skip((opts.page - 1) * opts.limit).limit(opts.limit).lean().exec(),
    ]);
    return { total, followups: await this.views(docs as FollowupDoc[], now, opts.scope) };
  }

  async openCount(scope: Scope): Promise<number> {
    return this.model.countDocuments({ status: 'open', ...followupScopeFilter(scope) }).exec();
  }

  /**
   * Apply a patch; null when there is no such follow-up in the caller's scope. `actor`
   * says who did it (`manager`, `agent:<id>`, `cli`), kept with a status change and an
   * outcome. An outcome closes the follow-up; contact is recorded the first time.
   */
  async update(id: string, patch: FollowupPatch, scope: Scope, now: Date, actor = 'manager'): Promise<FollowupView | null> {
    if (!mongoose.isValidObjectId(id)) return null;
    let before: string | undefined;
    const doc = await this.writeWith(id, scope, (current) => {
      before = current.status;
      return patchUpdate(current, patch, now, actor, this.settings);
    });
    if (doc && doc.status === 'closed' && before !== 'closed') {
      await this.surveyEvents.stageEvent(doc.surveyId, { type: 'followup.closed', data: { ...(doc.outcome ? { outcome: doc.outcome } : {}) } }, now);
    }
    return doc ? (await this.views([doc], now, scope))[0] ?? null : null;
  }

  /**
   * One versioned write (re-read and retried if another writer got there first).
   * Null when there is no such follow-up in the scope.
   */
  async write(id: mongoose.Types.ObjectId | string, scope: Scope, update: UpdateQuery<FollowupDoc>): Promise<FollowupDoc | null> {
    return this.writeWith(id, scope, () => update);
  }

  /** A versioned write whose update is computed from the follow-up as read. */
  async writeWith(id: mongoose.Types.ObjectId | string, scope: Scope, compute: (current: FollowupDoc) => UpdateQuery<FollowupDoc>): Promise<FollowupDoc | null> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.model.findOne({ _id: id, ...followupScopeFilter(scope) }).lean().exec() as FollowupDoc | null;
      if (!current) return null;
      const after = await versionedUpdate(this.model, current._id, current.version ?? 0, compute(current));
      if (after) return after;
    }
    throw new Error(`follow-up ${String(id)}: too many concurrent writers, try again`);
  }

  async get(id: string): Promise<FollowupDoc | null> {
    if (!mongoose.isValidObjectId(id)) return null;
    return this.model.findById(id).lean().exec() as Promise<FollowupDoc | null>;
  }

  /** Attach the surveys' comments (read now, so an erased comment stays erased). */
  async views(docs: FollowupDoc[], now: Date = new Date(), scope: Scope = {}): Promise<FollowupView[]> {
    // An agent who may see figures only gets the follow-up without the customer's comment.
    const ids = scope.hideComments ? [] : docs.map((d) => d.surveyId);
    const surveys = ids.length === 0
      ? []
      : await this.surveys.find<Pick<SurveyDoc, '_id' | 'comment'>>({ _id: { $in: ids } }, { comment: 1 });
    const comments = new Map(surveys.map((s) => [String(s._id), s.comment ?? null]));
    return docs.map((d) => ({
      id: String(d._id),
      surveyId: String(d.surveyId),
      status: d.status,
      outcome: d.outcome ?? null,
      outcomeBy: d.outcomeBy ?? null,
      outcomeAt: d.outcomeAt ? d.outcomeAt.toISOString() : null,
      dueAt: this.dueAt(d).toISOString(),
      overdue: d.status === 'open' && this.dueAt(d).getTime() < now.getTime(),
      firstContactAt: d.firstContactAt ? d.firstContactAt.toISOString() : null,
      owner: d.owner ?? null,
      note: d.note ?? null,
      score: d.score,
      comment: comments.get(String(d.surveyId)) ?? null,
      channel: d.channel,
      agentId: d.agentId,
      agentName: d.agentName ?? null,
      conversationId: d.conversationId,
      link: d.link ?? null,
      type: d.type,
      resolvedAt: d.resolvedAt.toISOString(),
      openedAt: d.openedAt.toISOString(),
      notifiedAt: d.notifiedAt ? d.notifiedAt.toISOString() : null,
      statusChangedAt: d.statusChangedAt ? d.statusChangedAt.toISOString() : null,
    }));
  }
}

/** The first contact, unless there was one: its time and the delay since the follow-up opened. */
function contactFields(current: FollowupDoc, now: Date): Record<string, unknown> {
  if (current.firstContactAt) return {};
  return { firstContactAt: now, contactDelayMs: Math.max(0, now.getTime() - current.openedAt.getTime()) };
}

/** The update a patch makes to the follow-up as read. */
function patchUpdate(current: FollowupDoc, patch: FollowupPatch, now: Date, actor: string, settings: FollowupSettings): UpdateQuery<FollowupDoc> {
  const set: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  if (patch.owner !== undefined) set.owner = patch.owner;
  if (patch.note !== undefined) set.note = patch.note;
  const status = patch.outcome !== undefined ? 'closed' : patch.status;
  if (status !== undefined && status !== current.status) Object.assign(set, { status, statusChangedAt: now, statusChangedBy: actor });
  // Talking to the customer is a contact; "no answer" is an attempt, not one.
  if (status === 'contacted' || patch.outcome === 'recovered' || patch.outcome === 'not-recovered') Object.assign(set, contactFields(current, now));
  if (patch.outcome !== undefined) Object.assign(set, { outcome: patch.outcome, outcomeBy: actor, outcomeAt: now });
  if (status === 'open' && current.status !== 'open') {
    // Reopened: the outcome no longer holds, and reminders resume (a full period from now if already past due).
    Object.assign(unset, { outcome: '', outcomeBy: '', outcomeAt: '' });
    const due = current.dueAt ?? new Date(current.openedAt.getTime() + settings.dueMs);
    set.remindAt = settings.reminders > (current.remindersSent ?? 0) ? (due > now ? due : new Date(now.getTime() + settings.dueMs)) : null;
  } else if (status !== undefined && status !== 'open') {
    set.remindAt = null; // somebody is on it: no more reminders
  }
  return Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set };
}
