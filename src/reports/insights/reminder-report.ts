/**
 * `GET /api/reports/reminders?from=&to=&channel=&format=json|csv`: what the one reminder
 * (REMINDER_AFTER_HOURS) did, over surveys resolved in the range and asked: how many were
 * reminded, how many answered before any reminder, and the answers that came only after
 * one, counted apart (a reminded answer may differ from a spontaneous one, NPS-PRACTICE.md).
 * An agent token counts its own surveys.
 */
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { SurveyReader } from '../../storage/surveys/index.ts';
import { toCsv } from '../csv.ts';
import { dayParam } from '../day-param.ts';
import { requestedRange } from '../requested-range.ts';
import type { Scope } from '../scope.ts';

export const reminderParamsSchema = z.object({
  channel: z.string().min(1).max(64).optional(),
  from: dayParam.optional(),
  to: dayParam.optional(),
});

export interface ReminderReport {
  from: string;
  to: string;
  /** Surveys asked. */
  asked: number;
  reminded: number;
  /** Scored before a reminder went (or with none). */
  answeredWithoutReminder: number;
  /** Scored after the reminder: counted apart. */
  answeredAfterReminder: number;
  /** Of the reminded, the share that answered after it (null when none was reminded). */
  reminderResponseRate: number | null;
}

export async function reminderReport(ctx: { conn: Connection; timeZone: string; now: Date }, p: z.infer<typeof reminderParamsSchema>, scope: Scope): Promise<ReminderReport> {
  const { from, to, range } = requestedRange(p, ctx, 30);
  const match: Record<string, unknown> = { resolvedAt: { $gte: range.from, $lt: range.to }, askedAt: { $exists: true } };
  if (p.channel) match.channel = p.channel;
  if (scope.agentId) match['agent.id'] = scope.agentId;
  if (scope.agentId && scope.channel) match.channel = scope.channel;
  const [counts] = await new SurveyReader(ctx.conn).aggregate<{ asked: number; reminded: number; after: number; without: number }>([
    { $match: match },
    {
      $group: {
        _id: null,
        asked: { $sum: 1 },
        reminded: { $sum: { $cond: [{ $gt: ['$remindedAt', null] }, 1, 0] } },
        after: { $sum: { $cond: [{ $and: [{ $gt: ['$remindedAt', null] }, { $gt: ['$scoredAt', null] }, { $gte: ['$scoredAt', '$remindedAt'] }] }, 1, 0] } },
        without: {
          $sum: { $cond: [{ $and: [{ $gt: ['$scoredAt', null] }, { $or: [{ $not: [{ $gt: ['$remindedAt', null] }] }, { $lt: ['$scoredAt', '$remindedAt'] }] }] }, 1, 0] },
        },
      },
    },
  ]);
  const c = counts ?? { asked: 0, reminded: 0, after: 0, without: 0 };
  return {
    from, to,
    asked: c.asked,
    reminded: c.reminded,
    answeredWithoutReminder: c.without,
    answeredAfterReminder: c.after,
    reminderResponseRate: c.reminded > 0 ? Math.round((c.after / c.reminded) * 1000) / 1000 : null,
  };
}

export function reminderCsv(r: ReminderReport): string {
  return toCsv(['from', 'to', 'asked', 'reminded', 'answeredWithoutReminder', 'answeredAfterReminder', 'reminderResponseRate'],
    [[r.from, r.to, r.asked, r.reminded, r.answeredWithoutReminder, r.answeredAfterReminder, r.reminderResponseRate]]);
}
