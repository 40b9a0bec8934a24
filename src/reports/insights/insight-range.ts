/**
 * The parameters the "understanding" reports share (themes, agents compared, segments,
 * value): a range of local days, one survey type (never both added up), and optional
 * channel / agent narrowing; plus the range they are compared with (the same number of
 * days just before) and the surveys filter for either range.
 */
import { z } from 'zod';
import { reportLabel, resolveRange } from '../report-query.ts';
import type { Scope } from '../scope.ts';
import { addDays, daysBetween, instantRange, type DayKey } from '../time-zone.ts';
import { dayParam } from '../day-param.ts';
import type { AttributionRule } from '../rollups/attribution.ts';

export const insightParamsSchema = z.object({
  from: dayParam.optional(),
  to: dayParam.optional(),
  type: z.enum(['transactional', 'relational']).default('transactional'),
  channel: z.string().min(1).max(32).optional(),
  agent: z.string().min(1).max(256).optional(),
});
export type InsightParams = z.infer<typeof insightParamsSchema>;

export interface InsightContext {
  conn: import('mongoose').Connection;
  timeZone: string;
  minSample: number;
  now: Date;
  /** How surveys are credited to agents (ATTRIBUTION_RULE); default `resolver`. */
  attribution?: AttributionRule;
}

/** What every understanding report says about itself. */
export interface InsightHeader {
  type: 'transactional' | 'relational';
  label: string;
  timeZone: string;
  from: DayKey;
  to: DayKey;
  previous: { from: DayKey; to: DayKey };
  minSample: number;
}

export interface InsightRange {
  header: InsightHeader;
  current: { from: Date; to: Date };
  before: { from: Date; to: Date };
}

/** Throws ReportRangeError on a bad range (callers turn it into a 400 or a CLI error). */
export function insightRange(ctx: InsightContext, p: InsightParams): InsightRange {
  const { from, to } = resolveRange({ from: p.from, to: p.to }, ctx.now, ctx.timeZone);
  const length = daysBetween(from, to) + 1;
  const previous = { from: addDays(from, -length), to: addDays(from, -1) };
  return {
    header: { type: p.type, label: reportLabel(p.type), timeZone: ctx.timeZone, from, to, previous, minSample: ctx.minSample },
    current: instantRange(from, to, ctx.timeZone),
    before: instantRange(previous.from, previous.to, ctx.timeZone),
  };
}

/** The surveys of one range, narrowed by the parameters and the caller's scope. */
export function surveysIn(range: { from: Date; to: Date }, p: InsightParams, scope: Scope): Record<string, unknown> {
  const filter: Record<string, unknown> = { resolvedAt: { $gte: range.from, $lt: range.to }, type: p.type };
  if (p.channel) filter.channel = p.channel;
  const agentId = scope.agentId ?? p.agent;
  if (agentId) filter['agent.id'] = agentId;
  return filter;
}
