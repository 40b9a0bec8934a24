/**
 * The closed-loop figures for a range of local days (follow-ups by the day they were
 * opened, in REPORT_TZ): how many detractor follow-ups opened, how many closed the
 * loop (closed, with or without an outcome), the outcomes, how many are overdue now,
 * and the median time from opening to first contact. Counted by one `$group` in the
 * database; the median is the middle of the stored contact delays, sorted there too.
 */
import type { Model } from 'mongoose';
import { z } from 'zod';
import { toCsv } from '../csv.ts';
import type { FollowupDoc } from './followup-model.ts';
import type { Followups } from './followup-workflow.ts';
import { roundTo } from '../nps-math.ts';
import { MAX_RANGE_DAYS, ReportRangeError } from '../report-query.ts';
import { followupScopeFilter, type Scope } from '../scope.ts';
import { addDays, dayKeyOf, daysBetween, instantRange, type DayKey } from '../time-zone.ts';
import { dayParam } from '../day-param.ts';

/** `from`/`to` of the summary, shared by the HTTP query string and the CLI flags. */
export const closedLoopParamsSchema = z.object({ from: dayParam.optional(), to: dayParam.optional() });
export type ClosedLoopParams = z.infer<typeof closedLoopParamsSchema>;

export interface ClosedLoopSummary {
  from: DayKey;
  to: DayKey;
  timeZone: string;
  /** Hours a follow-up has before it is overdue (FOLLOWUP_DUE_HOURS). */
  dueHours: number;
  /** Detractor follow-ups opened in the range. */
  opened: number;
  open: number;
  contacted: number;
  closed: number;
  recovered: number;
  notRecovered: number;
  noAnswer: number;
  /** Of those opened in the range: still open (nobody contacted the customer) and past due, now. */
  overdue: number;
  /** closed / opened, in % (one decimal); null when none opened. */
  closedLoopRate: number | null;
  /** recovered / (recovered + not recovered), in %; null without such outcomes. */
  recoveryRate: number | null;
  /** Follow-ups with a first contact, and the median time to it in hours (one decimal). */
  firstContacts: number;
  medianHoursToFirstContact: number | null;
}

type Counts = Pick<ClosedLoopSummary, 'opened' | 'open' | 'contacted' | 'closed' | 'recovered' | 'notRecovered' | 'noAnswer' | 'overdue' | 'firstContacts'>;

const countIf = (condition: unknown) => ({ $sum: { $cond: [condition, 1, 0] } });

export async function closedLoopSummary(
  followups: Followups,
  ctx: { timeZone: string; now: Date },
  params: ClosedLoopParams,
  scope: Scope,
): Promise<ClosedLoopSummary> {
  const to = params.to ?? dayKeyOf(ctx.now, ctx.timeZone);
  const from = params.from ?? addDays(to, -29);
  if (from > to) throw new ReportRangeError('from', 'must not be after to');
  if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) throw new ReportRangeError('from', `the range must be at most ${MAX_RANGE_DAYS} days`);
  const range = instantRange(from, to, ctx.timeZone);
  const match: Record<string, unknown> = { openedAt: { $gte: range.from, $lt: range.to } };
  Object.assign(match, followupScopeFilter(scope));
  const dueMs = followups.settings.dueMs;

  const [grouped] = await followups.model.collection.aggregate<Counts>([
    { $match: match },
    { $group: {
      _id: null,
      opened: { $sum: 1 },
      open: countIf({ $eq: ['$status', 'open'] }),
      contacted: countIf({ $eq: ['$status', 'contacted'] }),
      closed: countIf({ $eq: ['$status', 'closed'] }),
      recovered: countIf({ $eq: ['$outcome', 'recovered'] }),
      notRecovered: countIf({ $eq: ['$outcome', 'not-recovered'] }),
      noAnswer: countIf({ $eq: ['$outcome', 'no-answer'] }),
      overdue: countIf({ $and: [
        { $eq: ['$status', 'open'] },
        { $lt: [{ $ifNull: ['$dueAt', { $add: ['$openedAt', dueMs] }] }, ctx.now] },
      ] }),
      firstContacts: countIf({ $gte: [{ $ifNull: ['$contactDelayMs', -1] }, 0] }),
    } },
  ]).toArray();
  const c: Counts = grouped ?? { opened: 0, open: 0, contacted: 0, closed: 0, recovered: 0, notRecovered: 0, noAnswer: 0, overdue: 0, firstContacts: 0 };
  const median = await medianDelayMs(followups.model, match, c.firstContacts);
  const talked = c.recovered + c.notRecovered;
  return {
    from, to, timeZone: ctx.timeZone, dueHours: roundTo(dueMs / 3_600_000, 1),
    opened: c.opened, open: c.open, contacted: c.contacted, closed: c.closed,
    recovered: c.recovered, notRecovered: c.notRecovered, noAnswer: c.noAnswer, overdue: c.overdue,
    closedLoopRate: c.opened > 0 ? roundTo((100 * c.closed) / c.opened, 1) : null,
    recoveryRate: talked > 0 ? roundTo((100 * c.recovered) / talked, 1) : null,
    firstContacts: c.firstContacts,
    medianHoursToFirstContact: median === null ? null : roundTo(median / 3_600_000, 1),
  };
}

/** The median of the stored contact delays: the middle one (or the mean of the middle two), read sorted from the database. */
async function medianDelayMs(model: Model<FollowupDoc>, match: Record<string, unknown>, n: number): Promise<number | null> {
  if (n === 0) return null;
  const middle = await model.collection
    .find({ ...match, contactDelayMs: { $gte: 0 } }, { projection: { _id: 0, contactDelayMs: 1 } })
    .sort({ contactDelayMs: 1 })
    .skip(Math.floor((n - 1) / 2))
    .limit(n % 2 === 1 ? 1 : 2)
    .toArray();
  if (middle.length === 0) return null;
  return middle.reduce((sum, d) => sum + Number(d.contactDelayMs), 0) / middle.length;
}

const CSV_COLUMNS = [
  'from', 'to', 'timeZone', 'dueHours', 'opened', 'open', 'contacted', 'closed', 'recovered', 'notRecovered', 'noAnswer',
  'overdue', 'closedLoopRate', 'recoveryRate', 'firstContacts', 'medianHoursToFirstContact',
] as const satisfies ReadonlyArray<keyof ClosedLoopSummary>;

/** One header row and one row of figures. */
export function closedLoopCsv(s: ClosedLoopSummary): string {
  return toCsv([...CSV_COLUMNS], [CSV_COLUMNS.map((c) => s[c])]);
}
