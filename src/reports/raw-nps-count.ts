/**
 * NPS per channel, per agent or per channel × agent for a date range, counted straight
 * from the surveys (by when the conversation was resolved), without the rollups. The
 * reports read rollups (report-query.ts); this raw count is the yardstick the
 * benchmark compares them with, and what `nps-bot demo` prints. One `$match` and one
 * `$group` with every count as an accumulator, in the database.
 */
import type { Connection } from 'mongoose';
import { SurveyReader } from '../storage/surveys/index.ts';
import { npsScore } from './nps-math.ts';
import { COUNT_ACCUMULATORS, COUNTED_FILTER } from './survey-counts.ts';

export type GroupBy = 'channel' | 'agent' | 'channel,agent';

export interface NpsRow {
  channel?: string;
  agentId?: string;
  sent: number;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  nps: number | null;
}

export interface NpsQuery {
  by: GroupBy;
  /** Inclusive start, UTC midnight. */
  from: Date;
  /** Exclusive end. */
  to: Date;
  agentId?: string;
  type?: 'transactional' | 'relational';
}

interface GroupKey { channel?: string; agentId?: string }

type Grouped = { _id: GroupKey; sent: number; responses: number; promoters: number; passives: number; detractors: number };

export async function npsReport(conn: Connection, q: NpsQuery): Promise<NpsRow[]> {
  const match: Record<string, unknown> = { resolvedAt: { $gte: q.from, $lt: q.to } };
  if (q.agentId) match['agent.id'] = q.agentId;
  if (q.type) match.type = q.type;
  const key: Record<string, string> = {};
  if (q.by.includes('channel')) key.channel = '$channel';
  if (q.by.includes('agent')) key.agentId = '$agent.id';
  const groups = await new SurveyReader(conn).aggregate<Grouped>([
    { $match: { ...match, ...COUNTED_FILTER } },
    { $group: { _id: key, ...COUNT_ACCUMULATORS } },
  ]);
  const rows = groups.map((g): NpsRow => ({
    ...(g._id.channel !== undefined ? { channel: g._id.channel } : {}),
    ...(g._id.agentId !== undefined ? { agentId: g._id.agentId } : {}),
    sent: g.sent,
    responses: g.responses,
    promoters: g.promoters,
    passives: g.passives,
    detractors: g.detractors,
    nps: npsScore(g.promoters, g.passives, g.detractors),
  }));
  return rows.sort((a, b) => (a.channel ?? '').localeCompare(b.channel ?? '') || (a.agentId ?? '').localeCompare(b.agentId ?? ''));
}

/** `YYYY-MM-DD` → UTC midnight; `to` is inclusive, so the range ends the next midnight. */
export function dayRange(from: string | undefined, to: string | undefined, now: Date = new Date()): { from: Date; to: Date } {
  const end = to ? new Date(`${to}T00:00:00.000Z`) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = from ? new Date(`${from}T00:00:00.000Z`) : new Date(end.getTime() - 29 * 86_400_000);
  return { from: start, to: new Date(end.getTime() + 86_400_000) };
}
