/**
 * Testimonials: promoters' comments whose authors said a clear yes to being quoted
 * (TESTIMONIAL_CONSENT), with the time of that consent, for marketing to reuse
 * (NPS-PRACTICE.md: collect positive comments, with consent). Only the first name goes
 * out with a quote; `nps-bot forget` removes the comment and the consent together.
 */
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { SurveyReader, type SurveyDoc } from '../../storage/surveys/index.ts';
import { toCsv } from '../csv.ts';
import type { Scope } from '../scope.ts';
import { requestedRange } from '../requested-range.ts';
import { dayParam } from '../day-param.ts';

export const testimonialParamsSchema = z.object({
  channel: z.string().min(1).max(64).optional(),
  from: dayParam.optional(),
  to: dayParam.optional(),
  limit: z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(200),
});
export type TestimonialParams = z.infer<typeof testimonialParamsSchema>;

export interface Testimonial {
  surveyId: string;
  channel: string;
  agentId: string;
  score: number;
  comment: string;
  /** The customer's first name only, if known. */
  firstName: string | null;
  consentedAt: string;
  resolvedAt: string;
}

export interface TestimonialList { from: string; to: string; testimonials: Testimonial[] }

export async function listTestimonials(ctx: { conn: Connection; timeZone: string; now: Date }, p: TestimonialParams, scope: Scope): Promise<TestimonialList> {
  const { from, to, range } = requestedRange(p, ctx, 365);
  const docs = await new SurveyReader(ctx.conn).find<SurveyDoc>({
    resolvedAt: { $gte: range.from, $lt: range.to },
    'testimonial.granted': true,
    comment: { $exists: true },
    forgotten: { $ne: true },
    ...(p.channel ? { channel: p.channel } : {}),
    ...(scope.agentId ? { 'agent.id': scope.agentId } : {}),
  }, { channel: 1, agent: 1, score: 1, comment: 1, customer: 1, testimonial: 1, resolvedAt: 1 },
  { sort: { 'testimonial.answeredAt': -1 }, limit: p.limit });
  return {
    from,
    to,
    testimonials: docs.map((s) => ({
      surveyId: String(s._id),
      channel: s.channel,
      agentId: s.agent.id,
      score: s.score ?? 0,
      comment: s.comment ?? '',
      firstName: s.customer.name?.trim().split(/\s+/)[0] ?? null,
      consentedAt: s.testimonial?.answeredAt?.toISOString() ?? '',
      resolvedAt: s.resolvedAt.toISOString(),
    })),
  };
}

export function testimonialsCsv(list: TestimonialList): string {
  return toCsv(
    ['survey_id', 'channel', 'agent_id', 'score', 'comment', 'first_name', 'consented_at', 'resolved_at'],
    list.testimonials.map((t) => [t.surveyId, t.channel, t.agentId, t.score, t.comment, t.firstName, t.consentedAt, t.resolvedAt]),
  );
}
