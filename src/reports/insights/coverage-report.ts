/**
 * Who was asked and who answered: per channel, the resolved conversations never
 * surveyed (by reason), the coverage (asked / resolved and no longer pending) with a
 * warning when it is well below the rest of the team's, and the response rate beside
 * it; then whether the customers who answered differ from those who did not, on what
 * we know of both (channel, segment, value, time of day of the resolution). NPS covers
 * only those who answered; the report says so.
 *
 * Counted from the surveys (the rollups hold no reasons, segments or hours): one
 * `$group` for coverage, one for responders, in the database.
 */
import { SurveyReader } from '../../storage/surveys/index.ts';
import { coverageWellBelow, rateAgainstRest, type RateReading } from './coverage-math.ts';
import { insightRange, surveysIn, type InsightContext, type InsightHeader, type InsightParams } from './insight-range.ts';
import { percent, roundTo } from '../nps-math.ts';
import type { Scope } from '../scope.ts';
import { COUNTED_FILTER } from '../survey-counts.ts';
import { countUnsurveyed, totalOf, type Unsurveyed } from './unsurveyed-counts.ts';

export interface CoverageRow {
  resolved: number;
  asked: number;
  neverSurveyed: number;
  neverSurveyedPct: number | null;
  neverSurveyedReasons: Record<string, number>;
  pending: number;
  /** asked / (resolved − pending), in %. */
  coveragePct: number | null;
  /** Sent (asked) and answered, and answered / sent in %. */
  sent: number;
  responses: number;
  responseRate: number | null;
}

export interface ChannelCoverageRow extends CoverageRow {
  channel: string;
  /** Coverage well below the rest of the team's: the 95% interval of the gap is wholly beyond 10 points. */
  coverageWarning: boolean;
}

/** One group of a dimension (a channel, a segment, a time of day) among the surveys sent. */
export interface ResponseGroup {
  group: string;
  sent: number;
  responses: number;
  responseRate: number | null;
  /** Against everyone else sent a survey: `higher`/`lower` only when the 95% interval leaves zero out. */
  reading: RateReading;
}

export interface ValueComparison {
  /** Customers with a known value, and their mean value, among those who answered and those who did not. */
  responders: { withValue: number; meanValue: number | null };
  nonResponders: { withValue: number; meanValue: number | null };
}

export interface CoverageReport extends InsightHeader {
  /** Said wherever NPS is shown next to response figures. */
  caveat: string;
  team: CoverageRow;
  channels: ChannelCoverageRow[];
  respondents: {
    byChannel: ResponseGroup[];
    bySegment: ResponseGroup[];
    byTimeOfDay: ResponseGroup[];
    value: ValueComparison;
    /** Dimensions we cannot compare, and why. */
    notKnown: string[];
  };
}

export const TIME_OF_DAY = [
  { group: 'night (00–06)', from: 0 },
  { group: 'morning (06–12)', from: 6 },
  { group: 'afternoon (12–18)', from: 12 },
  { group: 'evening (18–24)', from: 18 },
] as const;

function timeOfDay(hour: number): string {
  let band: string = TIME_OF_DAY[0].group;
  for (const t of TIME_OF_DAY) if (hour >= t.from) band = t.group;
  return band;
}

function coverageRow(u: Unsurveyed, sent: number, responses: number): CoverageRow {
  return {
    resolved: u.resolved,
    asked: u.asked,
    neverSurveyed: u.never,
    neverSurveyedPct: percent(u.never, u.resolved),
    neverSurveyedReasons: u.reasons,
    pending: u.pending,
    coveragePct: percent(u.asked, u.resolved - u.pending),
    sent,
    responses,
    responseRate: percent(responses, sent),
  };
}

interface SentGroup { _id: { channel: string; segment?: string | null; hour: string; responded: boolean; hasValue: boolean }; n: number; value: number }

function groupsOf(tally: Map<string, { sent: number; responses: number }>): ResponseGroup[] {
  let sent = 0;
  let responses = 0;
  for (const t of tally.values()) {
    sent += t.sent;
    responses += t.responses;
  }
  return [...tally].map(([group, t]) => ({
    group,
    sent: t.sent,
    responses: t.responses,
    responseRate: percent(t.responses, t.sent),
    reading: rateAgainstRest(t.responses, t.sent, responses - t.responses, sent - t.sent),
  })).sort((a, b) => a.group.localeCompare(b.group));
}

export async function runCoverageReport(ctx: InsightContext, p: InsightParams, scope: Scope): Promise<CoverageReport> {
  const range = insightRange(ctx, p);
  const filter = surveysIn(range.current, p, scope);
  const [byChannel, sentGroups] = await Promise.all([
    countUnsurveyed(ctx, filter, 'channel'),
    new SurveyReader(ctx.conn).aggregate<SentGroup>([
      { $match: { ...filter, ...COUNTED_FILTER } },
      { $group: {
        _id: {
          channel: '$channel',
          segment: '$customer.segment',
          hour: { $dateToString: { format: '%H', date: '$resolvedAt', timezone: ctx.timeZone } },
          responded: { $in: ['$category', ['promoter', 'passive', 'detractor']] },
          hasValue: { $cond: [{ $gte: ['$customer.value', 0] }, true, false] },
        },
        n: { $sum: 1 },
        value: { $sum: { $cond: [{ $gte: ['$customer.value', 0] }, '$customer.value', 0] } },
      } },
    ]),
  ]);

  const tallies = { channel: new Map<string, { sent: number; responses: number }>(), segment: new Map<string, { sent: number; responses: number }>(), time: new Map<string, { sent: number; responses: number }>() };
  const value = { responders: { n: 0, sum: 0 }, nonResponders: { n: 0, sum: 0 } };
  const add = (m: Map<string, { sent: number; responses: number }>, key: string, g: SentGroup): void => {
    const t = m.get(key) ?? { sent: 0, responses: 0 };
    t.sent += g.n;
    if (g._id.responded) t.responses += g.n;
    m.set(key, t);
  };
  for (const g of sentGroups) {
    add(tallies.channel, g._id.channel, g);
    add(tallies.segment, g._id.segment ?? '(no segment)', g);
    add(tallies.time, timeOfDay(Number(g._id.hour)), g);
    if (g._id.hasValue) {
      const side = g._id.responded ? value.responders : value.nonResponders;
      side.n += g.n;
      side.sum += g.value;
    }
  }

  const team = totalOf(byChannel.values());
  const teamSent = [...tallies.channel.values()].reduce((a, t) => a + t.sent, 0);
  const teamResponses = [...tallies.channel.values()].reduce((a, t) => a + t.responses, 0);
  const channels = [...byChannel].map(([channel, u]): ChannelCoverageRow => {
    const t = tallies.channel.get(channel) ?? { sent: 0, responses: 0 };
    const eligible = u.resolved - u.pending;
    return {
      channel,
      ...coverageRow(u, t.sent, t.responses),
      coverageWarning: coverageWellBelow(u.asked, eligible, team.asked - u.asked, team.resolved - team.pending - eligible),
    };
  }).sort((a, b) => a.channel.localeCompare(b.channel));

  const mean = (s: { n: number; sum: number }): number | null => (s.n === 0 ? null : roundTo(s.sum / s.n, 2));
  return {
    ...range.header,
    caveat: `NPS covers only the customers who answered: ${teamResponses} of ${teamSent} asked (${percent(teamResponses, teamSent) ?? '–'}%), and only conversations that were surveyed at all. Where those who answered differ from those who did not, the NPS may not speak for the silent ones.`,
    team: coverageRow(team, teamSent, teamResponses),
    channels,
    respondents: {
      byChannel: groupsOf(tallies.channel),
      bySegment: groupsOf(tallies.segment),
      byTimeOfDay: groupsOf(tallies.time),
      value: {
        responders: { withValue: value.responders.n, meanValue: mean(value.responders) },
        nonResponders: { withValue: value.nonResponders.n, meanValue: mean(value.nonResponders) },
      },
      notKnown: ['conversation length: not recorded on surveys, so responders cannot be compared on it'],
    },
  };
}
