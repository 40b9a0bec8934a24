/**
 * NPS by customer segment (`customer.segment` on the resolutions; answers without one
 * form the `null` row): sent, answers, NPS with its margin, the change against the
 * previous period, and the segment's value at risk and promoter value
 * (value-report.ts), so the most valuable customers are not averaged away.
 */
import { SurveyReader } from '../../storage/surveys/index.ts';
import { insightRange, surveysIn, type InsightContext, type InsightHeader, type InsightParams } from './insight-range.ts';
import { addCounts, emptyCounts, figuresOf, npsChange, type NpsCounts, type NpsFigures } from '../nps-math.ts';
import { periodChange, type PeriodChange } from '../nps-interval.ts';
import type { Scope } from '../scope.ts';
import { COUNT_ACCUMULATORS, COUNTED_FILTER } from '../survey-counts.ts';
import { emptyValue, valueBySegment } from './value-report.ts';

export interface SegmentRow extends NpsFigures, PeriodChange {
  /** null: answers whose resolution named no segment. */
  segment: string | null;
  previousNps: number | null;
  change: number | null;
  valueAtRisk: number;
  promoterValue: number;
  /** Customers (each once) with an answer, and how many came with a value. */
  customers: number;
  withValue: number;
}

export interface SegmentReport extends InsightHeader { rows: SegmentRow[] }

async function countBySegment(ctx: InsightContext, filter: Record<string, unknown>): Promise<Map<string | null, NpsCounts>> {
  const groups = await new SurveyReader(ctx.conn).aggregate<NpsCounts & { _id: string | null }>([
    { $match: { ...filter, ...COUNTED_FILTER } },
    { $group: { _id: '$customer.segment', ...COUNT_ACCUMULATORS } },
  ]);
  const out = new Map<string | null, NpsCounts>();
  for (const g of groups) {
    const key = g._id ?? null;
    out.set(key, addCounts(out.get(key) ?? emptyCounts(), g));
  }
  return out;
}

export async function runSegmentReport(ctx: InsightContext, p: InsightParams, scope: Scope): Promise<SegmentReport> {
  const range = insightRange(ctx, p);
  const current = surveysIn(range.current, p, scope);
  const [now, before, values] = await Promise.all([
    countBySegment(ctx, current),
    countBySegment(ctx, surveysIn(range.before, p, scope)),
    valueBySegment(ctx, current),
  ]);
  const rows: SegmentRow[] = [...now].map(([segment, counts]) => {
    const figures = figuresOf(counts, ctx.minSample);
    const prev = before.get(segment);
    const previousNps = prev ? figuresOf(prev, ctx.minSample).nps : null;
    const v = values.get(segment) ?? emptyValue();
    return {
      segment,
      ...figures,
      previousNps,
      change: npsChange(figures.nps, previousNps),
      ...periodChange(counts, prev),
      valueAtRisk: v.valueAtRisk,
      promoterValue: v.promoterValue,
      customers: v.customers,
      withValue: v.withValue,
    };
  });
  // Named segments alphabetically, the answers without a segment last.
  rows.sort((a, b) => (a.segment === null ? 1 : 0) - (b.segment === null ? 1 : 0) || (a.segment ?? '').localeCompare(b.segment ?? ''));
  return { ...range.header, rows };
}
