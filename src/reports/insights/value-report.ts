/**
 * Tying NPS to money: the value of the customers who are detractors in the period
 * ("value at risk") and of those who are promoters, from `customer.value` on the
 * resolutions (e.g. yearly revenue, in whatever unit the care tool sends).
 *
 * A customer counts once per period, with the category and value of their latest
 * answer in it: a customer who answered 3 and later 9 is a promoter now, and a
 * customer's revenue is not added up once per conversation. Customers without a
 * value count as customers but add nothing; `withValue` says how many had one.
 */
import { SurveyReader } from '../../storage/surveys/index.ts';
import { insightRange, surveysIn, type InsightContext, type InsightHeader, type InsightParams } from './insight-range.ts';
import type { Scope } from '../scope.ts';

export interface ValueFigures {
  /** Customers with an answer in the period (each counted once). */
  customers: number;
  /** …of whom this many came with a value. */
  withValue: number;
  detractorCustomers: number;
  promoterCustomers: number;
  /** Sum of the values of the customers whose latest answer was a detractor's. */
  valueAtRisk: number;
  /** Sum of the values of the customers whose latest answer was a promoter's. */
  promoterValue: number;
  passiveValue: number;
}

export interface SegmentValue extends ValueFigures { segment: string | null }

export interface ValueReport extends InsightHeader, ValueFigures {
  previousValueAtRisk: number;
  previousPromoterValue: number;
  /** valueAtRisk − previousValueAtRisk. */
  valueAtRiskChange: number;
  promoterValueChange: number;
  bySegment: SegmentValue[];
}

type Cat = 'promoter' | 'passive' | 'detractor';

export function emptyValue(): ValueFigures {
  return { customers: 0, withValue: 0, detractorCustomers: 0, promoterCustomers: 0, valueAtRisk: 0, promoterValue: 0, passiveValue: 0 };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Value figures per segment (null: no segment given) for one range. */
export async function valueBySegment(ctx: InsightContext, filter: Record<string, unknown>): Promise<Map<string | null, ValueFigures>> {
  const groups = await new SurveyReader(ctx.conn).aggregate<{ _id: { segment?: string | null; category: Cat }; customers: number; withValue: number; value: number }>([
    { $match: { ...filter, category: { $in: ['promoter', 'passive', 'detractor'] } } },
    { $sort: { resolvedAt: 1, _id: 1 } },
    {
      $group: {
        _id: { channel: '$channel', customer: '$customer.id' },
        category: { $last: '$category' },
        value: { $last: '$customer.value' },
        segment: { $last: '$customer.segment' },
      },
    },
    {
      $group: {
        _id: { segment: '$segment', category: '$category' },
        customers: { $sum: 1 },
        withValue: { $sum: { $cond: [{ $gte: [{ $ifNull: ['$value', -1] }, 0] }, 1, 0] } },
        value: { $sum: { $ifNull: ['$value', 0] } },
      },
    },
  ]);
  const out = new Map<string | null, ValueFigures>();
  for (const g of groups) {
    const segment = g._id.segment ?? null;
    let v = out.get(segment);
    if (!v) out.set(segment, (v = emptyValue()));
    v.customers += g.customers;
    v.withValue += g.withValue;
    if (g._id.category === 'detractor') {
      v.detractorCustomers += g.customers;
      v.valueAtRisk = round2(v.valueAtRisk + g.value);
    } else if (g._id.category === 'promoter') {
      v.promoterCustomers += g.customers;
      v.promoterValue = round2(v.promoterValue + g.value);
    } else {
      v.passiveValue = round2(v.passiveValue + g.value);
    }
  }
  return out;
}

export function sumValues(parts: Iterable<ValueFigures>): ValueFigures {
  const t = emptyValue();
  for (const v of parts) {
    t.customers += v.customers;
    t.withValue += v.withValue;
    t.detractorCustomers += v.detractorCustomers;
    t.promoterCustomers += v.promoterCustomers;
    t.valueAtRisk = round2(t.valueAtRisk + v.valueAtRisk);
    t.promoterValue = round2(t.promoterValue + v.promoterValue);
    t.passiveValue = round2(t.passiveValue + v.passiveValue);
  }
  return t;
}

export async function runValueReport(ctx: InsightContext, p: InsightParams, scope: Scope): Promise<ValueReport> {
  const range = insightRange(ctx, p);
  const [now, before] = await Promise.all([
    valueBySegment(ctx, surveysIn(range.current, p, scope)),
    valueBySegment(ctx, surveysIn(range.before, p, scope)),
  ]);
  const total = sumValues(now.values());
  const prev = sumValues(before.values());
  const bySegment = [...now].map(([segment, v]) => ({ segment, ...v }))
    .sort((a, b) => b.valueAtRisk - a.valueAtRisk || (a.segment ?? '').localeCompare(b.segment ?? ''));
  return {
    ...range.header,
    ...total,
    previousValueAtRisk: prev.valueAtRisk,
    previousPromoterValue: prev.promoterValue,
    valueAtRiskChange: round2(total.valueAtRisk - prev.valueAtRisk),
    promoterValueChange: round2(total.promoterValue - prev.promoterValue),
    bySegment,
  };
}
