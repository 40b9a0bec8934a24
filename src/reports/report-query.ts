/**
 * The figures managers read, computed from the rollups: any range of local days in
 * REPORT_TZ, grouped by channel, agent, channel × agent, survey type or in total, and
 * optionally per day, week (Monday first) or month, each row with its change against
 * the previous period of the same length.
 *
 * The rollup buckets are summed in the database, one `$group` per report keyed by
 * period and group, so only the rows travel. Months are cut from the day key there;
 * weeks (Monday first) come back per day and are folded here, at most one row per day
 * and group.
 */
import type { Connection, Model } from 'mongoose';
import { z } from 'zod';
import { addCounts, emptyCounts, figuresOf, npsChange, type NpsCounts, type NpsFigures } from './nps-math.ts';
import { periodChange, type PeriodChange } from './nps-interval.ts';
import { rollupModel, type RollupDoc } from './rollup-model.ts';
import type { Scope } from './scope.ts';
import {
  addDays, daysBetween, dayKeyOf, nextPeriodStart, periodEnd, periodStart, previousPeriodStart,
  type DayKey, type Period,
} from './time-zone.ts';
import { dayParam } from './day-param.ts';
import { attributionNote, type AttributionRule } from './attribution.ts';

export const REPORT_BYS = ['channel', 'agent', 'channel,agent', 'type', 'total'] as const;
export type ReportBy = (typeof REPORT_BYS)[number];
export const PERIODS = ['day', 'week', 'month'] as const;
export type SurveyTypeFilter = 'transactional' | 'relational' | 'all';

/** The longest range one report (or comments query) covers: two years, so one request cannot make the server read everything. */
export const MAX_RANGE_DAYS = 731;

/** The report parameters, shared by the HTTP query string and the CLI flags. */
export const reportParamsSchema = z.object({
  by: z.enum(REPORT_BYS).default('channel'),
  period: z.enum(PERIODS).optional(),
  from: dayParam.optional(),
  to: dayParam.optional(),
  type: z.enum(['transactional', 'relational', 'all']).optional(),
  channel: z.string().min(1).max(32).optional(),
  agent: z.string().min(1).max(256).optional(),
});
export type ReportParams = z.infer<typeof reportParamsSchema>;

export interface ReportRow extends NpsFigures, PeriodChange {
  /** First day of the period, when grouped by period. */
  period?: DayKey;
  channel?: string;
  agentId?: string;
  agentName?: string;
  type?: string;
  /** NPS of the previous period of the same length (same group), or null. */
  previousNps: number | null;
  /** nps − previousNps, or null when either has no answers. */
  change: number | null;
}

export interface Report {
  /** Which surveys: transactional (after care conversations) unless asked otherwise. */
  type: SurveyTypeFilter;
  /** A sentence saying what the figure is, and what it is not. */
  label: string;
  by: ReportBy;
  period: Period | null;
  timeZone: string;
  /** Inclusive local days. */
  from: DayKey;
  to: DayKey;
  /** The range the change is measured against. */
  previous: { from: DayKey; to: DayKey };
  minSample: number;
  /** How surveys are credited to agents (ATTRIBUTION_RULE), and what that means. */
  attribution: { rule: AttributionRule; note: string };
  rows: ReportRow[];
}

export class ReportRangeError extends Error {
  override readonly name = 'ReportRangeError';
  constructor(readonly field: string, message: string) { super(`${field}: ${message}`); }
}

export function reportLabel(type: SurveyTypeFilter): string {
  if (type === 'transactional') {
    return 'Transactional NPS: asked right after care conversations. It covers only customers who contacted care and is not the company\'s NPS.';
  }
  if (type === 'relational') return 'Relationship NPS: asked at intervals about the whole relationship.';
  return 'NPS per survey type: transactional (after care conversations) and relationship figures are measured apart and must not be added up; neither is presented here as the company\'s NPS.';
}

/** Resolve the range: defaults to the last 30 days ending today (in the zone); whole periods when grouped by period. */
export function resolveRange(p: Pick<ReportParams, 'from' | 'to' | 'period'>, now: Date, timeZone: string): { from: DayKey; to: DayKey } {
  let to = p.to ?? dayKeyOf(now, timeZone);
  let from = p.from ?? addDays(to, -29);
  if (from > to) throw new ReportRangeError('from', 'must not be after to');
  if (p.period) {
    from = periodStart(from, p.period);
    to = periodEnd(periodStart(to, p.period), p.period);
  }
  if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) throw new ReportRangeError('from', `the range must be at most ${MAX_RANGE_DAYS} days (two years)`);
  return { from, to };
}

interface QueryContext { conn: Connection; timeZone: string; minSample: number; now: Date; attribution?: AttributionRule }

export async function runReport(ctx: QueryContext, params: ReportParams, scope: Scope): Promise<Report> {
  const by = params.by;
  const period = params.period ?? null;
  const type: SurveyTypeFilter = params.type ?? (by === 'type' ? 'all' : 'transactional');
  const { from, to } = resolveRange(params, ctx.now, ctx.timeZone);
  const length = daysBetween(from, to) + 1;
  const previous = period
    ? { from: previousPeriodStart(from, period), to: addDays(from, -1) }
    : { from: addDays(from, -length), to: addDays(from, -1) };

  const sums = await sumRollups(rollupModel(ctx.conn), {
    from: previous.from, to, type, channel: params.channel, agentId: scope.agentId ?? params.agent,
  }, by, period ? period : { from, previousFrom: previous.from });

  // Fold the sums into rows keyed by (period, group): weeks from days, else one to one.
  const groups = new Map<string, { period: DayKey; keys: GroupKeys; counts: NpsCounts }>();
  const names = new Map<string, string>();
  for (const d of sums) {
    if (d.agentName && d._id.agentId !== undefined) names.set(d._id.agentId, d.agentName);
    const bucketPeriod = period ? periodStart(d._id.period, period) : d._id.period;
    const keys = groupKeys(d._id);
    const id = JSON.stringify([bucketPeriod, keys]);
    let g = groups.get(id);
    if (!g) {
      g = { period: bucketPeriod, keys, counts: emptyCounts() };
      groups.set(id, g);
    }
    addCounts(g.counts, d);
  }

  const rows: ReportRow[] = [];
  for (const g of groups.values()) {
    if (g.period < from) continue; // only the baseline of the first period
    if (g.counts.sent === 0 && g.counts.responses === 0) continue;
    const before = period ? previousPeriodStart(g.period, period) : previous.from;
    const prev = groups.get(JSON.stringify([before, g.keys]));
    const figures = figuresOf(g.counts, ctx.minSample);
    const previousNps = prev ? figuresOf(prev.counts, ctx.minSample).nps : null;
    rows.push({
      ...(period ? { period: g.period } : {}),
      ...g.keys,
      ...(g.keys.agentId !== undefined && names.has(g.keys.agentId) ? { agentName: names.get(g.keys.agentId) } : {}),
      ...figures,
      previousNps,
      change: npsChange(figures.nps, previousNps),
      ...periodChange(g.counts, prev?.counts),
    });
  }
  rows.sort((a, b) => (a.period ?? '').localeCompare(b.period ?? '')
    || (a.type ?? '').localeCompare(b.type ?? '')
    || (a.channel ?? '').localeCompare(b.channel ?? '')
    || (a.agentId ?? '').localeCompare(b.agentId ?? ''));
  const rule = ctx.attribution ?? 'resolver';
  return { type, label: reportLabel(type), by, period, timeZone: ctx.timeZone, from, to, previous, minSample: ctx.minSample, attribution: { rule, note: attributionNote(rule) }, rows };
}

type GroupKeys = { channel?: string; agentId?: string; type?: string };

/** One `$group` result: the period (or day, for weeks), the group's keys, the summed counts. */
type RollupSum = NpsCounts & { _id: GroupKeys & { period: DayKey }; agentName?: string | null };

const SUMMED = Object.fromEntries((['sent', 'responses', 'promoters', 'passives', 'detractors', 'scoreSum'] as const).map((f) => [f, { $sum: `$${f}` }]));

function groupKeys(k: GroupKeys): GroupKeys {
  return {
    ...(k.channel !== undefined ? { channel: k.channel } : {}),
    ...(k.agentId !== undefined ? { agentId: k.agentId } : {}),
    ...(k.type !== undefined ? { type: k.type } : {}),
  };
}

/** The `$group` key fields for `by`. */
function groupBy(by: ReportBy): Record<string, string> {
  switch (by) {
    case 'channel': return { channel: '$channel' };
    case 'agent': return { agentId: '$agentId' };
    case 'channel,agent': return { channel: '$channel', agentId: '$agentId' };
    case 'type': return { type: '$type' };
    case 'total': return {};
  }
}

/**
 * The period a bucket's day falls in: for a report by period, its month (cut from the
 * key) or its day (weeks are folded by the caller); else the range or its baseline.
 */
function periodExpr(p: Period | { from: DayKey; previousFrom: DayKey }): unknown {
  if (p === 'month') return { $concat: [{ $substr: ['$day', 0, 7] }, '-01'] };
  if (p === 'day' || p === 'week') return '$day';
  return { $cond: [{ $gte: ['$day', p.from] }, p.from, p.previousFrom] };
}

async function sumRollups(
  model: Model<RollupDoc>,
  q: { from: DayKey; to: DayKey; type: SurveyTypeFilter; channel?: string; agentId?: string },
  by: ReportBy,
  period: Period | { from: DayKey; previousFrom: DayKey },
): Promise<RollupSum[]> {
  const filter: Record<string, unknown> = { day: { $gte: q.from, $lte: q.to } };
  if (q.type !== 'all') filter.type = q.type;
  if (q.channel) filter.channel = q.channel;
  if (q.agentId) filter.agentId = q.agentId;
  return model.collection.aggregate<RollupSum>([
    { $match: filter },
    { $group: {
      _id: { period: periodExpr(period), ...groupBy(by) },
      ...SUMMED,
      ...(by.includes('agent') ? { agentName: { $max: '$agentName' } } : {}),
    } },
  ]).toArray();
}

/** All periods from `from` to `to` (for charts that must show empty weeks as gaps). */
export function periodsBetween(from: DayKey, to: DayKey, period: Period): DayKey[] {
  const out: DayKey[] = [];
  for (let p = periodStart(from, period); p <= to && out.length < 5000; p = nextPeriodStart(p, period)) out.push(p);
  return out;
}
