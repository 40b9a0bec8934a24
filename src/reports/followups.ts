/**
 * Follow-ups on detractor answers: created once per survey (unique insert), listed and
 * updated by managers (or by the agent they belong to), counted in digests.
 */
import mongoose, { type Connection, type Model, type UpdateQuery } from 'mongoose';
import { isDuplicateKey } from '../storage/mongo-errors.ts';
import { versionedUpdate } from '../storage/versioned-update.ts';
import { z } from 'zod';
import { surveyModel, type SurveyDoc } from '../storage/survey-model.ts';
import { followupModel, FOLLOWUP_STATUSES, type FollowupDoc, type FollowupStatus } from './followup-model.ts';
import type { Scope } from './scope.ts';
import { stripControlChars, stripControlCharsOneLine } from '../control-chars.ts';

/** What a caller may change: `PATCH /api/followups/:id`, `nps-bot followups --set`, the dashboard form. */
export const followupPatchSchema = z.object({
  status: z.enum(FOLLOWUP_STATUSES).optional(),
  // Both are printed on managers' terminals: control characters (ESC sequences) are dropped.
  owner: z.string().transform(stripControlCharsOneLine).pipe(z.string().trim().max(200, 'must be at most 200 characters')).optional(),
  note: z.string().transform(stripControlChars).pipe(z.string().max(2000, 'must be at most 2000 characters')).optional(),
}).strict().refine((p) => p.status !== undefined || p.owner !== undefined || p.note !== undefined, 'give at least one of status, owner, note');

export type FollowupPatch = z.infer<typeof followupPatchSchema>;

/** A follow-up as the API shows it, with the survey's comment (if it still has one). */
export interface FollowupView {
  id: string;
  surveyId: string;
  status: FollowupStatus;
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
  private readonly surveys: Model<SurveyDoc>;


  constructor(conn: Connection) {
    this.model = followupModel(conn);
    this.surveys = surveyModel(conn);
  }

  async init(): Promise<void> {
    await this.model.init();
  }

  /**
   * Open the follow-up for a detractor survey unless it exists. Returns true when this
   * call created it. A read, then a unique insert: never an upsert onto an existing
   * follow-up, which FerretDB would run as a read plus a write of the whole document.
   */
  async ensureFor(s: Pick<SurveyDoc, '_id' | 'channel' | 'conversationId' | 'link' | 'agent' | 'type' | 'score' | 'resolvedAt'>, now: Date): Promise<boolean> {
    if (await this.model.exists({ surveyId: s._id })) return false;
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
        notifiedAt: null,
        notifyAfter: now,
        notifyAttempts: 0,
        version: 0,
        createdAt: now,
        updatedAt: now,
      });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false; // another process created it first
      throw err;
    }
  }

  async list(opts: { status?: FollowupStatus; scope: Scope; page: number; limit: number }): Promise<{ total: number; followups: FollowupView[] }> {
    const filter: Record<string, unknown> = {};
    if (opts.status) filter.status = opts.status;
    if (opts.scope.agentId) filter.agentId = opts.scope.agentId;
    const [total, docs] = await Promise.all([
      this.model.countDocuments(filter).exec(),
      this.model.find(filter).sort({ openedAt: -1, _id: -1 }).skip((opts.page - 1) * opts.limit).limit(opts.limit).lean().exec(),
    ]);
    return { total, followups: await this.views(docs as FollowupDoc[]) };
  }

  async openCount(scope: Scope): Promise<number> {
    return this.model.countDocuments({ status: 'open', ...(scope.agentId ? { agentId: scope.agentId } : {}) }).exec();
  }

  /** Apply a patch; null when there is no such follow-up in the caller's scope. */
  async update(id: string, patch: FollowupPatch, scope: Scope, now: Date): Promise<FollowupView | null> {
    if (!mongoose.isValidObjectId(id)) return null;
    const set: Record<string, unknown> = {};
    if (patch.status !== undefined) Object.assign(set, { status: patch.status, statusChangedAt: now });
    if (patch.owner !== undefined) set.owner = patch.owner;
    if (patch.note !== undefined) set.note = patch.note;
    const doc = await this.write(id, scope, { $set: set });
    return doc ? (await this.views([doc]))[0] ?? null : null;
  }

  /**
   * One versioned write (re-read and retried if another writer got there first).
   * Null when there is no such follow-up in the scope.
   */
  async write(id: mongoose.Types.ObjectId | string, scope: Scope, update: UpdateQuery<FollowupDoc>): Promise<FollowupDoc | null> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.model.findOne({ _id: id, ...(scope.agentId ? { agentId: scope.agentId } : {}) }, { version: 1 }).lean().exec();
      if (!current) return null;
      const after = await versionedUpdate(this.model, current._id, current.version ?? 0, update);
      if (after) return after;
    }
    throw new Error(`follow-up ${String(id)}: too many concurrent writers, try again`);
  }

  async get(id: string): Promise<FollowupDoc | null> {
    if (!mongoose.isValidObjectId(id)) return null;
    return this.model.findById(id).lean().exec() as Promise<FollowupDoc | null>;
  }

  /** Attach the surveys' comments (read now, so an erased comment stays erased). */
  async views(docs: FollowupDoc[]): Promise<FollowupView[]> {
    const ids = docs.map((d) => d.surveyId);
    const surveys = ids.length === 0
      ? []
      : await this.surveys.find({ _id: { $in: ids } }, { comment: 1 }).lean().exec();
    const comments = new Map(surveys.map((s) => [String(s._id), s.comment ?? null]));
    return docs.map((d) => ({
      id: String(d._id),
      surveyId: String(d.surveyId),
      status: d.status,
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
