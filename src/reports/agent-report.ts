/**
 * Agents compared with the rest of the team, never ranked: per agent the answers, the
 * response rate, the NPS with its margin, the difference to everyone else with its 95%
 * interval and a label (agent-comparison.ts); and the agent's resolved conversations
 * that were never surveyed, by reason, so resolving without a survey (or closing
 * conversations a bot, a fatigue rule or a closed messaging window keeps from being
 * asked) cannot flatter anyone.
 *
 * Rows are ordered by label (higher, lower, no evidence) and then by name, never by
 * NPS. The answers come from the rollups (the same figures as the NPS report); the
 * surveys never sent are counted from the surveys.
 */
import { SurveyReader } from '../storage/surveys/index.ts';
import { compareWithRest, restOf, type CategoryCounts, type ComparisonLabel } from './agent-comparison.ts';
import { insightRange, surveysIn, type InsightContext, type InsightHeader, type InsightParams } from './insight-range.ts';
import { npsMarginOfError, npsScore, percent } from './nps-math.ts';
import { runReport } from './report-query.ts';
import { EVERYTHING, type Scope } from './scope.ts';

export interface AgentComparisonRow {
  agentId: string;
  agentName: string | null;
  sent: number;
  responses: number;
  responseRate: number | null;
  nps: number | null;
  marginOfError: number | null;
  lowSample: boolean;
  /** NPS points against the rest of the team, and its 95% interval. */
  difference: number | null;
  low: number | null;
  high: number | null;
  label: ComparisonLabel;
  /** Conversations this agent resolved in the range (every one gets a survey record). */
  resolved: number;
  /** Resolved but never asked: skipped (by reason), failed, or expired before it could be asked. */
  neverSurveyed: number;
  neverSurveyedPct: number | null;
  /** e.g. `{fatigue: 3, "window-closed": 1, failed: 1}`. */
  neverSurveyedReasons: Record<string, number>;
  /** Still waiting to be asked. */
  pending: number;
}

export interface AgentComparisonReport extends InsightHeader {
  team: { responses: number; nps: number | null; marginOfError: number | null };
  rows: AgentComparisonRow[];
}

const LABEL_ORDER: Record<ComparisonLabel, number> = { higher: 0, lower: 1, 'no evidence of a difference': 2 };

interface Unsurveyed { resolved: number; never: number; pending: number; reasons: Record<string, number> }

async function countUnsurveyed(ctx: InsightContext, filter: Record<string, unknown>): Promise<Map<string, Unsurveyed>> {
  const groups = await new SurveyReader(ctx.conn).aggregate<{ _id: { agentId: string; state: string; reason?: string; asked: boolean }; n: number }>([
    { $match: filter },
    {
      $group: {
        _id: { agentId: '$agent.id', state: '$state', reason: '$skipReason', asked: { $cond: [{ $ifNull: ['$askedAt', false] }, true, false] } },
        n: { $sum: 1 },
      },
    },
  ]);
  const out = new Map<string, Unsurveyed>();
  for (const g of groups) {
    let u = out.get(g._id.agentId);
    if (!u) out.set(g._id.agentId, (u = { resolved: 0, never: 0, pending: 0, reasons: {} }));
    u.resolved += g.n;
    if (g._id.state === 'scheduled') u.pending += g.n;
    const expiredUnasked = g._id.state === 'expired' && !g._id.asked;
    if (g._id.state !== 'skipped' && g._id.state !== 'failed' && !expiredUnasked) continue;
    const reason = g._id.state === 'failed' ? 'failed' : expiredUnasked ? 'expired-unasked' : g._id.reason ?? 'skipped';
    u.never += g.n;
    u.reasons[reason] = (u.reasons[reason] ?? 0) + g.n;
  }
  return out;
}

export async function runAgentComparison(ctx: InsightContext, p: InsightParams, scope: Scope): Promise<AgentComparisonReport> {
  const range = insightRange(ctx, p);
  const { from, to } = range.header;
  // The whole team is read even for an agent's own token: the comparison needs the rest.
  const [byAgent, unsurveyed] = await Promise.all([
    runReport(ctx, { by: 'agent', from, to, type: p.type, channel: p.channel }, EVERYTHING),
    countUnsurveyed(ctx, surveysIn(range.current, { ...p, agent: undefined }, EVERYTHING)),
  ]);
  const team: CategoryCounts = { promoters: 0, passives: 0, detractors: 0 };
  for (const r of byAgent.rows) {
    team.promoters += r.promoters;
    team.passives += r.passives;
    team.detractors += r.detractors;
  }
  const teamN = team.promoters + team.passives + team.detractors;
  const ids = new Set([...byAgent.rows.map((r) => r.agentId!), ...unsurveyed.keys()]);
  const rows: AgentComparisonRow[] = [];
  for (const agentId of ids) {
    const visible = scope.agentId ?? p.agent;
    if (visible && agentId !== visible) continue;
    const r = byAgent.rows.find((x) => x.agentId === agentId);
    const counts: CategoryCounts = { promoters: r?.promoters ?? 0, passives: r?.passives ?? 0, detractors: r?.detractors ?? 0 };
    const cmp = compareWithRest(counts, restOf(team, counts), ctx.minSample);
    const u = unsurveyed.get(agentId) ?? { resolved: 0, never: 0, pending: 0, reasons: {} };
    rows.push({
      agentId,
      agentName: r?.agentName ?? null,
      sent: r?.sent ?? 0,
      responses: r?.responses ?? 0,
      responseRate: r?.responseRate ?? null,
      nps: r?.nps ?? null,
      marginOfError: r?.marginOfError ?? null,
      lowSample: (r?.responses ?? 0) < ctx.minSample,
      difference: cmp.difference,
      low: cmp.low,
      high: cmp.high,
      label: cmp.label,
      resolved: u.resolved,
      neverSurveyed: u.never,
      neverSurveyedPct: percent(u.never, u.resolved),
      neverSurveyedReasons: u.reasons,
      pending: u.pending,
    });
  }
  rows.sort((a, b) => LABEL_ORDER[a.label] - LABEL_ORDER[b.label]
    || (a.agentName ?? a.agentId).localeCompare(b.agentName ?? b.agentId)
    || a.agentId.localeCompare(b.agentId));
  return {
    ...range.header,
    team: { responses: teamN, nps: npsScore(team.promoters, team.passives, team.detractors), marginOfError: npsMarginOfError(team.promoters, team.passives, team.detractors) },
    rows,
  };
}
