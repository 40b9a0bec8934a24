/**
 * The answers behind the numbers: comments filtered by channel, agent, category, survey
 * type, theme and local day range, newest first, a page at a time. Pages are read by
 * key, not by skip: each page ends with a `next` cursor (the last row's resolvedAt and
 * id), so a deep page costs what the first does and rows added meanwhile do not shift it.
 */
import mongoose, { type Connection } from 'mongoose';
import { z } from 'zod';
import { SurveyReader, type SurveyDoc } from '../storage/surveys/index.ts';
import type { Scope } from './scope.ts';
import { THEME_ID } from './themes/theme-list.ts';
import { ValidationError } from '../validation.ts';
import { requestedRange } from './requested-range.ts';
import { dayParam } from './day-param.ts';

export const commentParamsSchema = z.object({
  channel: z.string().min(1).max(32).optional(),
  agent: z.string().min(1).max(256).optional(),
  category: z.enum(['promoter', 'passive', 'detractor']).optional(),
  theme: z.string().regex(THEME_ID, 'expected a theme id such as delivery').optional(),
  type: z.enum(['transactional', 'relational', 'all']).default('all'),
  from: dayParam.optional(),
  to: dayParam.optional(),
  /** The `next` of the previous page. */
  cursor: z.string().max(100, 'is not a cursor from this API').optional(),
  // Only the first page by number: later ones by cursor (a skip over thousands of rows is a denial of service).
  page: z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number')
    .min(1, 'must be at least 1').max(1, 'pages after the first are read with cursor=<next of the previous page>').default(1),
  limit: z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(20),
});
export type CommentParams = z.infer<typeof commentParamsSchema>;

export interface CommentRow {
  surveyId: string;
  channel: string;
  agentId: string;
  agentName: string | null;
  type: string;
  score: number | null;
  category: string | null;
  comment: string;
  /** The comment's themes (empty until tagged). */
  themes: string[];
  resolvedAt: string;
  /** When the comment was given. */
  at: string | null;
}

export interface CommentPage {
  page: number;
  limit: number;
  total: number;
  from: string;
  to: string;
  comments: CommentRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null;
}

/** The cursor: base64url of `<resolvedAt ms>:<survey id>`. */
export function encodeCursor(resolvedAt: Date, id: mongoose.Types.ObjectId): string {
  return Buffer.from(`${resolvedAt.getTime()}:${String(id)}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { resolvedAt: Date; id: mongoose.Types.ObjectId } {
  const m = /^(\d{1,15}):([0-9a-f]{24})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationError('cursor', 'is not a cursor from this API (use the next of the previous page)');
  return { resolvedAt: new Date(Number(m[1])), id: new mongoose.Types.ObjectId(m[2]) };
}

export async function listComments(ctx: { conn: Connection; timeZone: string; now: Date }, p: CommentParams, scope: Scope): Promise<CommentPage> {
  const { from, to, range } = requestedRange(p, ctx, 90);
  const filter: Record<string, unknown> = {
    resolvedAt: { $gte: range.from, $lt: range.to },
    comment: { $exists: true, $nin: [null, ''] },
  };
  if (p.channel) filter.channel = p.channel;
  const agentId = scope.agentId ?? p.agent;
  if (agentId) filter['agent.id'] = agentId;
  if (p.category) filter.category = p.category;
  if (p.theme) filter.themes = p.theme;
  if (p.type !== 'all') filter.type = p.type;
  const surveys = new SurveyReader(ctx.conn);
  const after = p.cursor ? decodeCursor(p.cursor) : null;
  const pageFilter = after
    ? { $and: [filter, { $or: [{ resolvedAt: { $lt: after.resolvedAt } }, { resolvedAt: after.resolvedAt, _id: { $lt: after.id } }] }] }
    : filter;
  const [total, docs] = await Promise.all([
    surveys.count(filter),
    surveys.find<SurveyDoc>(pageFilter, { channel: 1, agent: 1, type: 1, score: 1, category: 1, comment: 1, themes: 1, resolvedAt: 1, completedAt: 1 },
      { sort: { resolvedAt: -1, _id: -1 }, limit: p.limit + 1 }),
  ]);
  const more = docs.length > p.limit;
  if (more) docs.pop();
  const last = docs.at(-1);
  return {
    page: p.page,
    limit: p.limit,
    total,
    from,
    to,
    next: more && last ? encodeCursor(last.resolvedAt, last._id) : null,
    comments: docs.map((d) => ({
      surveyId: String(d._id),
      channel: d.channel,
      agentId: d.agent.id,
      agentName: d.agent.name ?? null,
      type: d.type,
      score: d.score ?? null,
      category: d.category ?? null,
      comment: d.comment ?? '',
      themes: d.themes ?? [],
      resolvedAt: d.resolvedAt.toISOString(),
      at: d.completedAt ? d.completedAt.toISOString() : null,
    })),
  };
}
