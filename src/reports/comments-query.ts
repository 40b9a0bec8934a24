/**
 * The answers behind the numbers: comments filtered by channel, agent, category, survey
 * type, theme and local day range, newest first, a page at a time.
 */
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { surveyModel } from '../storage/survey-model.ts';
import type { Scope } from './scope.ts';
import { THEME_ID } from './theme-list.ts';
import { addDays, dayKeyOf, instantRange, isDayKey } from './time-zone.ts';

const day = z.string().refine(isDayKey, 'expected a date as YYYY-MM-DD');

export const commentParamsSchema = z.object({
  channel: z.string().min(1).max(32).optional(),
  agent: z.string().min(1).max(256).optional(),
  category: z.enum(['promoter', 'passive', 'detractor']).optional(),
  theme: z.string().regex(THEME_ID, 'expected a theme id such as delivery').optional(),
  type: z.enum(['transactional', 'relational', 'all']).default('all'),
  from: day.optional(),
  to: day.optional(),
  page: z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number').min(1, 'must be at least 1').max(100_000).default(1),
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

export interface CommentPage { page: number; limit: number; total: number; from: string; to: string; comments: CommentRow[] }

export async function listComments(ctx: { conn: Connection; timeZone: string; now: Date }, p: CommentParams, scope: Scope): Promise<CommentPage> {
  const to = p.to ?? dayKeyOf(ctx.now, ctx.timeZone);
  const from = p.from ?? addDays(to, -89);
  const range = instantRange(from, to, ctx.timeZone);
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
  const surveys = surveyModel(ctx.conn);
  const [total, docs] = await Promise.all([
    surveys.countDocuments(filter).exec(),
    surveys.find(filter, { channel: 1, agent: 1, type: 1, score: 1, category: 1, comment: 1, themes: 1, resolvedAt: 1, completedAt: 1 })
      .sort({ completedAt: -1, resolvedAt: -1, _id: -1 })
      .skip((p.page - 1) * p.limit).limit(p.limit).lean().exec(),
  ]);
  return {
    page: p.page,
    limit: p.limit,
    total,
    from,
    to,
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
