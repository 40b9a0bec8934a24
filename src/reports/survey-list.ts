/**
 * `GET /api/surveys?limit=&cursor=&since=&format=json|csv` (or `Accept: text/csv`): one row
 * per surveyed conversation, for other systems (a CRM, a warehouse): channel, conversation,
 * agent, state, score, the comment where the caller may read comments, and the times.
 *
 * Paged by key: rows come in survey-id order (ids only grow), `next` is an opaque cursor
 * after the last row, so a page never shifts when surveys are added meanwhile. A manager
 * token lists every survey; an agent token only its own (AGENT_VISIBILITY: `figures`
 * leaves the comment out, `none` is refused before this).
 */
import mongoose, { type Connection } from 'mongoose';
import { z } from 'zod';
import { SurveyReader, type SurveyDoc } from '../storage/surveys/index.ts';
import { toCsv, type CsvValue } from './csv.ts';
import type { Scope } from './scope.ts';
import { ValidationError } from '../validation.ts';

export const MAX_LIMIT = 500;

export const surveyListParamsSchema = z.object({
  limit: z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number')
    .min(1, 'must be at least 1').max(MAX_LIMIT, `must be at most ${MAX_LIMIT}`).default(100),
  /** The `next` of the previous page. */
  cursor: z.string().max(100, 'is not a cursor from this API').optional(),
  /** Only surveys stored from this moment on (an ISO date or date-time). */
  since: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  format: z.enum(['json', 'csv']).optional(),
});
export type SurveyListParams = z.infer<typeof surveyListParamsSchema>;

export interface SurveyRow {
  surveyId: string;
  channel: string;
  conversationId: string;
  type: string;
  agentId: string;
  agentName: string | null;
  state: string;
  skipReason: string | null;
  score: number | null;
  category: string | null;
  /** Absent for agent tokens under AGENT_VISIBILITY=figures. */
  comment?: string | null;
  link: string | null;
  resolvedAt: string;
  askedAt: string | null;
  /** When the one reminder went (REMINDER_AFTER_HOURS), or null. */
  remindedAt: string | null;
  /** The score came after the reminder: counted apart in the reminders report. */
  answeredAfterReminder: boolean;
  scoredAt: string | null;
  completedAt: string | null;
  updatedAt: string;
}

export interface SurveyPage { limit: number; surveys: SurveyRow[]; next: string | null }

const CURSOR = /^s1:([0-9a-f]{24})$/;

export function encodeSurveyCursor(id: mongoose.Types.ObjectId): string {
  return Buffer.from(`s1:${String(id)}`, 'utf8').toString('base64url');
}

function decodeSurveyCursor(cursor: string): mongoose.Types.ObjectId {
  const m = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationError('cursor', 'is not a cursor from this API (use the next of the previous page)');
  return new mongoose.Types.ObjectId(m[1]);
}

export async function listSurveys(conn: Connection, p: SurveyListParams, scope: Scope): Promise<SurveyPage> {
  const docs = await new SurveyReader(conn).surveyPage({
    ...(scope.agentId !== undefined ? { agentId: scope.agentId } : {}),
    ...(scope.agentId !== undefined && scope.channel ? { channel: scope.channel } : {}),
    ...(p.cursor ? { afterId: decodeSurveyCursor(p.cursor) } : {}),
    ...(p.since ? { sinceId: mongoose.Types.ObjectId.createFromTime(Math.floor(new Date(p.since).getTime() / 1000)) } : {}),
    limit: p.limit + 1,
  });
  const more = docs.length > p.limit;
  if (more) docs.pop();
  const last = docs.at(-1);
  return {
    limit: p.limit,
    next: more && last ? encodeSurveyCursor(last._id) : null,
    surveys: docs.map((d) => row(d, !scope.hideComments)),
  };
}

function row(d: SurveyDoc, withComment: boolean): SurveyRow {
  const iso = (x: Date | undefined) => (x ? x.toISOString() : null);
  return {
    surveyId: String(d._id),
    channel: d.channel,
    conversationId: d.conversationId,
    type: d.type,
    agentId: d.agent.id,
    agentName: d.agent.name ?? null,
    state: d.state,
    skipReason: d.skipReason ?? null,
    score: d.score ?? null,
    category: d.category ?? null,
    ...(withComment ? { comment: d.comment ?? null } : {}),
    link: d.link ?? null,
    resolvedAt: d.resolvedAt.toISOString(),
    askedAt: iso(d.askedAt),
    remindedAt: iso(d.remindedAt),
    answeredAfterReminder: Boolean(d.remindedAt && d.scoredAt && d.scoredAt >= d.remindedAt),
    scoredAt: iso(d.scoredAt),
    completedAt: iso(d.completedAt),
    updatedAt: d.updatedAt.toISOString(),
  };
}

const COLUMNS: Array<keyof SurveyRow> = [
  'surveyId', 'channel', 'conversationId', 'type', 'agentId', 'agentName', 'state', 'skipReason', 'score', 'category', 'comment',
  'link', 'resolvedAt', 'askedAt', 'remindedAt', 'answeredAfterReminder', 'scoredAt', 'completedAt', 'updatedAt',
];

/** The page as CSV; the comment column only where the caller may read comments. */
export function surveysCsv(page: SurveyPage, withComment: boolean): string {
  const columns = withComment ? COLUMNS : COLUMNS.filter((c) => c !== 'comment');
  return toCsv(columns, page.surveys.map((r) => columns.map((c) => r[c] as CsvValue)));
}
