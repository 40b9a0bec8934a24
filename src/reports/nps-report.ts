/**
 * NPS per channel, per agent or per channel × agent for a date range, counted straight
 * from the surveys (by when the conversation was resolved), without the rollups. The
 * reports read rollups (report-query.ts); this raw count is the yardstick the
 * benchmark compares them with, and what `nps-bot demo` prints. Uses only `$match` and
 * `$group` with one `$sum` each, which MongoDB and FerretDB both run.
 */
import type { Connection } from 'mongoose';
import { surveyModel } from '../storage/survey-model.ts';
import { npsScore } from './nps-math.ts';
import { COUNTED_FILTER } from './survey-counts.ts';

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

interface GroupKey { channel?: string; agentId?: string; category?: string }

export async function npsReport(conn: Connection, q: NpsQuery): Promise<NpsRow[]> {
  const surveys = surveyModel(conn);
  const match: Record<string, unknown> = { resolvedAt: { $gte: q.from, $lt: q.to } };
  if (q.agentId) match['agent.id'] = q.agentId;
  if (q.type) match.type = q.type;
  const key: Record<string, string> = {};
  if (q.by.includes('channel')) key.channel = '$channel';
  if (q.by.includes('agent')) key.agentId = '$agent.id';
  const [sent, answered] = await Promise.all([
    surveys.aggregate<{ _id: GroupKey; n: number }>([
      { $match: { ...match, ...COUNTED_FILTER } },
      { $group: { _id: key, n: { $sum: 1 } } },
    ]).exec(),
    surveys.aggregate<{ _id: GroupKey; n: number }>([
      { $match: { ...match, category: { $exists: true } } },
      { $group: { _id: { ...key, category: '$category' }, n: { $sum: 1 } } },
    ]).exec(),
  ]);
  const rows = new Map<string, NpsRow>();
  const rowFor = (k: GroupKey): NpsRow => {
    const id = JSON.stringify([k.channel ?? null, k.agentId ?? null]);
    let row = rows.get(id);
    if (!row) {
      row = { ...(k.channel !== undefined ? { channel: k.channel } : {}), ...(k.agentId !== undefined ? { agentId: k.agentId } : {}), sent: 0, responses: 0, promoters: 0, passives: 0, detractors: 0, nps: null };
      rows.set(id, row);
    }
    return row;
  };
  for (const g of sent) rowFor(g._id).sent += g.n;
  for (const g of answered) {
    const row = rowFor(g._id);
    row.responses += g.n;
    if (g._id.category === 'promoter') row.promoters += g.n;
    else if (g._id.category === 'passive') row.passives += g.n;
    else if (g._id.category === 'detractor') row.detractors += g.n;
  }
  for (const row of rows.values()) row.nps = npsScore(row.promoters, row.passives, row.detractors);
  return [...rows.values()].sort((a, b) => (a.channel ?? '').localeCompare(b.channel ?? '') || (a.agentId ?? '').localeCompare(b.agentId ?? ''));
}

/** `YYYY-MM-DD` → UTC midnight; `to` is inclusive, so the range ends the next midnight. */
export function dayRange(from: string | undefined, to: string | undefined, now: Date = new Date()): { from: Date; to: Date } {
  const end = to ? new Date(`${to}T00:00:00.000Z`) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = from ? new Date(`${from}T00:00:00.000Z`) : new Date(end.getTime() - 29 * 86_400_000);
  return { from: start, to: new Date(end.getTime() + 86_400_000) };
}
