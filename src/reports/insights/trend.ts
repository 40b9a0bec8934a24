/**
 * NPS per week or month with its 95% band: `GET /api/reports/trend` and the dashboard's
 * trend chart. Every period of the range is a point (a period without answers has
 * `nps: null`, drawn as a gap), each with the adjusted Wald interval of its NPS
 * (nps-interval.ts) and the change against the period before, labelled `up`/`down`
 * only when the interval of that difference leaves zero out.
 *
 * Read from the rollups through the NPS report (report-query.ts), so the trend and
 * the report never disagree.
 */
import { z } from 'zod';
import { dayParam } from '../day-param.ts';
import type { InsightContext } from './insight-range.ts';
import type { ChangeLabel } from '../nps-interval.ts';
import { periodsBetween, ReportRangeError, runReport, type SurveyTypeFilter } from '../report-query.ts';
import type { Scope } from '../scope.ts';
import { addDays, addMonths, dayKeyOf, periodStart, type DayKey } from '../time-zone.ts';

export const TREND_PERIODS = ['week', 'month'] as const;
export type TrendPeriod = (typeof TREND_PERIODS)[number];

export const trendParamsSchema = z.object({
  period: z.enum(TREND_PERIODS).default('week'),
  /** How many periods, ending with the one `to` falls in (default: the current one). */
  periods: z.coerce.number().int().min(2).max(104).default(12),
  to: dayParam.optional(),
  type: z.enum(['transactional', 'relational']).default('transactional'),
  channel: z.string().min(1).max(32).optional(),
  agent: z.string().min(1).max(256).optional(),
});
export type TrendParams = z.input<typeof trendParamsSchema>;

export interface TrendPoint {
  /** The period's first day. */
  period: DayKey;
  sent: number;
  responses: number;
  nps: number | null;
  marginOfError: number | null;
  /** The 95% band (adjusted Wald), within −100…100; null without answers. */
  low: number | null;
  high: number | null;
  lowSample: boolean;
  /** Against the period before: points, its 95% interval and the label. */
  change: number | null;
  changeLow: number | null;
  changeHigh: number | null;
  changeLabel: ChangeLabel;
}

export interface Trend {
  type: SurveyTypeFilter;
  label: string;
  period: TrendPeriod;
  timeZone: string;
  from: DayKey;
  to: DayKey;
  minSample: number;
  /** How the band is computed, for whoever reads the JSON alone. */
  interval: string;
  points: TrendPoint[];
}

export const INTERVAL_NAME = 'adjusted Wald 95% (Rocks 2016): n + 3, ¾ promoter and ¾ detractor added';

export async function runTrend(ctx: InsightContext, raw: TrendParams, scope: Scope): Promise<Trend> {
  const p = trendParamsSchema.parse(raw);
  const last = periodStart(p.to ?? dayKeyOf(ctx.now, ctx.timeZone), p.period);
  const first = p.period === 'week' ? addDays(last, -7 * (p.periods - 1)) : addMonths(last, -(p.periods - 1));
  const report = await runReport(ctx, {
    by: 'total', period: p.period, from: first, to: last, type: p.type, channel: p.channel, agent: p.agent,
  }, scope).catch((err: unknown) => {
    if (err instanceof ReportRangeError) throw new ReportRangeError('periods', 'too many periods for one report (at most two years)');
    throw err;
  });
  const byPeriod = new Map(report.rows.map((r) => [r.period, r]));
  const points = periodsBetween(first, last, p.period).map((period): TrendPoint => {
    const r = byPeriod.get(period);
    return {
      period,
      sent: r?.sent ?? 0,
      responses: r?.responses ?? 0,
      nps: r?.nps ?? null,
      marginOfError: r?.marginOfError ?? null,
      low: r?.npsLow ?? null,
      high: r?.npsHigh ?? null,
      lowSample: (r?.responses ?? 0) < ctx.minSample,
      change: r?.change ?? null,
      changeLow: r?.changeLow ?? null,
      changeHigh: r?.changeHigh ?? null,
      changeLabel: r?.changeLabel ?? 'no evidence of a change',
    };
  });
  return {
    type: report.type, label: report.label, period: p.period, timeZone: ctx.timeZone,
    from: first, to: report.to, minSample: ctx.minSample, interval: INTERVAL_NAME, points,
  };
}
