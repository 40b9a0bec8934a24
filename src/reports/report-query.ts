/**
 * The figures managers read, computed from the rollups: any range of local days in
 * REPORT_TZ, grouped by channel, agent, channel × agent, survey type or in total, and
 * optionally per day, week (Monday first) or month, each row with its change against
 * the previous period of the same length.
 *
 * The rollup buckets are summed in the database, one `$group` per read keyed by
 * period and group, so only the rows travel: month buckets for the months the range holds
 * whole, day buckets for the partial months at its ends (planReads). Months of day buckets
 * are cut from the day key there; weeks (Monday first) come back per day and are folded
 * here, at most one row per day and group.
 */
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { addCounts, emptyCounts, figuresOf, npsChange, type NpsCounts, type NpsFigures } from './nps-math.ts';
import { periodChange, type PeriodChange } from './nps-interval.ts';
import { monthRollupModel, rollupModel, type RollupDoc } from './rollups/rollup-model.ts';
import { coverRange } from './rollups/rollup-range.ts';
import type { Scope } from './scope.ts';
import {
  addDays, daysBetween, dayKeyOf, nextPeriodStart, periodEnd, periodStart, previousPeriodStart,
  type DayKey, type Period,
} from './time-zone.ts';
import { dayParam } from './day-param.ts';
import { attributionNote, type AttributionRule } from './rollups/attribution.ts';

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

/** `monthBuckets: false` reads day buckets only (the measure the month buckets are checked against). */
export async function runReport(ctx: QueryContext, params: ReportParams, scope: Scope, options: { monthBuckets?: boolean } = {}): Promise<Report> {
  const { by, period, type, from, to, previous, query, spans } = planReport(ctx, params, scope);
  const sums = await sumRollups(ctx.conn, query, by, spans, options);

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

/** What a report covers: its range, the baseline before it, and the rollup query over both. */
function planReport(ctx: QueryContext, params: ReportParams, scope: Scope) {
  const by = params.by;
  const period = params.period ?? null;
  const type: SurveyTypeFilter = params.type ?? (by === 'type' ? 'all' : 'transactional');
  const { from, to } = resolveRange(params, ctx.now, ctx.timeZone);
  const length = daysBetween(from, to) + 1;
  const previous = period
    ? { from: previousPeriodStart(from, period), to: addDays(from, -1) }
    : { from: addDays(from, -length), to: addDays(from, -1) };
  const query: SumQuery = { from: previous.from, to, type, channel: params.channel, agentId: scope.agentId ?? params.agent };
  const spans: Period | { from: DayKey; previousFrom: DayKey } = period ? period : { from, previousFrom: previous.from };
  return { by, period, type, from, to, previous, query, spans };
}

/** The bucket reads a report makes (for measuring what it costs: bench/report.bench.ts). */
export function reportReads(ctx: QueryContext, params: ReportParams, scope: Scope, options: { monthBuckets?: boolean } = {}): BucketRead[] {
  const plan = planReport(ctx, params, scope);
  return planReads(plan.query, plan.spans, options);
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

/** The `$group` period of a day bucket: its month (cut from the key), its day (weeks are folded by the caller), or a fixed label. */
function dayPeriodExpr(p: Period | DayKey): unknown {
  if (p === 'month') return { $concat: [{ $substr: ['$day', 0, 7] }, '-01'] };
  if (p === 'day' || p === 'week') return '$day';
  return { $literal: p };
}

interface SumQuery { from: DayKey; to: DayKey; type: SurveyTypeFilter; channel?: string; agentId?: string }

/** One read of buckets: which collection, which documents, which period they sum into. */
export interface BucketRead { grain: 'day' | 'month'; filter: Record<string, unknown>; period: Period | DayKey }

/**
 * The reads a report makes: whole months from the month buckets and the partial months
 * at the ends from the day buckets (rollup-range.ts), unless grouped by day or week,
 * which need days. Without a period, the range and its baseline are read apart, each
 * summed under its first day.
 */
export function planReads(q: SumQuery, period: Period | { from: DayKey; previousFrom: DayKey }, options: { monthBuckets?: boolean } = {}): BucketRead[] {
  const useMonths = options.monthBuckets !== false && period !== 'day' && period !== 'week';
  const same: Record<string, unknown> = {};
  if (q.type !== 'all') same.type = q.type;
  if (q.channel) same.channel = q.channel;
  if (q.agentId) same.agentId = q.agentId;
  const spans: Array<{ from: DayKey; to: DayKey; label: Period | DayKey }> = typeof period === 'string'
    ? [{ from: q.from, to: q.to, label: period }]
    : [{ from: period.previousFrom, to: addDays(period.from, -1), label: period.previousFrom }, { from: period.from, to: q.to, label: period.from }];
  const reads: BucketRead[] = [];
  for (const span of spans) {
    if (span.from > span.to) continue;
    const cover = useMonths ? coverRange(span.from, span.to) : { days: [{ from: span.from, to: span.to }], months: null };
    const days = cover.days.map((d) => ({ day: { $gte: d.from, $lte: d.to } }));
    if (days.length > 0) reads.push({ grain: 'day', filter: { ...(days.length === 1 ? days[0] : { $or: days }), ...same }, period: span.label });
    if (cover.months) reads.push({ grain: 'month', filter: { month: { $gte: cover.months.from, $lte: cover.months.to }, ...same }, period: span.label });
  }
  return reads;
}

/** A month bucket's `$group` period: its first day for a report by month, else the span's label. */
function monthPeriodExpr(p: Period | DayKey): unknown {
  if (p === 'month') return { $concat: ['$month', '-01'] };
  return { $literal: p };
}

async function sumRollups(
  conn: Connection,
  q: SumQuery,
  by: ReportBy,
  period: Period | { from: DayKey; previousFrom: DayKey },
  options: { monthBuckets?: boolean },
): Promise<RollupSum[]> {
  const reads = planReads(q, period, options);
  const sums = await Promise.all(reads.map((r) => {
    const model = r.grain === 'day' ? rollupModel(conn) : monthRollupModel(conn);
    return model.collection.aggregate<RollupSum>([
      { $match: r.filter },
      { $group: {
        _id: { period: r.grain === 'day' ? dayPeriodExpr(r.period) : monthPeriodExpr(r.period), ...groupBy(by) },
        ...SUMMED,
        ...(by.includes('agent') ? { agentName: { $max: '$agentName' } } : {}),
      } },
    ]).toArray();
  }));
  return sums.flat();
}

/** All periods from `from` to `to` (for charts that must show empty weeks as gaps). */
export function periodsBetween(from: DayKey, to: DayKey, period: Period): DayKey[] {
  const out: DayKey[] = [];
  for (let p = periodStart(from, period); p <= to && out.length < 5000; p = nextPeriodStart(p, period)) out.push(p);
  return out;
}
