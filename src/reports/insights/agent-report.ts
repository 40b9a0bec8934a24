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
import { compareWithRest, restOf, type CategoryCounts, type ComparisonLabel } from './agent-comparison.ts';
import { insightRange, surveysIn, type InsightContext, type InsightHeader, type InsightParams } from './insight-range.ts';
import { npsMarginOfError, npsScore, percent } from '../nps-math.ts';
import { runReport } from '../report-query.ts';
import { EVERYTHING, type Scope } from '../scope.ts';
import { attributionNote, type AttributionRule } from '../rollups/attribution.ts';
import { coverageWellBelow } from './coverage-math.ts';
import { countUnsurveyed, emptyUnsurveyed, totalOf } from './unsurveyed-counts.ts';

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
  /** Asked / (resolved − pending), in %: the share of this agent's resolutions that reached a customer. */
  coveragePct: number | null;
  /** Coverage well below the rest of the team's (coverage-math.ts): resolving in a way that asks nobody. */
  coverageWarning: boolean;
}

export interface AgentComparisonReport extends InsightHeader {
  /** How surveys are credited to agents (ATTRIBUTION_RULE), and what that means. */
  attribution: { rule: AttributionRule; note: string };
  team: { responses: number; nps: number | null; marginOfError: number | null; coveragePct: number | null };
  rows: AgentComparisonRow[];
}

const LABEL_ORDER: Record<ComparisonLabel, number> = { higher: 0, lower: 1, 'no evidence of a difference': 2 };

export async function runAgentComparison(ctx: InsightContext, p: InsightParams, scope: Scope): Promise<AgentComparisonReport> {
  const range = insightRange(ctx, p);
  const { from, to } = range.header;
  // The whole team is read even for an agent's own token: the comparison needs the rest.
  const [byAgent, unsurveyed] = await Promise.all([
    runReport(ctx, { by: 'agent', from, to, type: p.type, channel: p.channel }, EVERYTHING),
    countUnsurveyed(ctx, surveysIn(range.current, { ...p, agent: undefined }, EVERYTHING), 'agent.id'),
  ]);
  const team: CategoryCounts = { promoters: 0, passives: 0, detractors: 0 };
  for (const r of byAgent.rows) {
    team.promoters += r.promoters;
    team.passives += r.passives;
    team.detractors += r.detractors;
  }
  const teamN = team.promoters + team.passives + team.detractors;
  const all = totalOf(unsurveyed.values());
  const ids = new Set([...byAgent.rows.map((r) => r.agentId!), ...unsurveyed.keys()]);
  const rows: AgentComparisonRow[] = [];
  for (const agentId of ids) {
    const visible = scope.agentId ?? p.agent;
    if (visible && agentId !== visible) continue;
    const r = byAgent.rows.find((x) => x.agentId === agentId);
    const counts: CategoryCounts = { promoters: r?.promoters ?? 0, passives: r?.passives ?? 0, detractors: r?.detractors ?? 0 };
    const cmp = compareWithRest(counts, restOf(team, counts), ctx.minSample);
    const u = unsurveyed.get(agentId) ?? emptyUnsurveyed();
    const eligible = u.resolved - u.pending;
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
      coveragePct: percent(u.asked, eligible),
      coverageWarning: coverageWellBelow(u.asked, eligible, all.asked - u.asked, all.resolved - all.pending - eligible),
    });
  }
  rows.sort((a, b) => LABEL_ORDER[a.label] - LABEL_ORDER[b.label]
    || (a.agentName ?? a.agentId).localeCompare(b.agentName ?? b.agentId)
    || a.agentId.localeCompare(b.agentId));
  const rule = ctx.attribution ?? 'resolver';
  return {
    ...range.header,
    attribution: { rule, note: attributionNote(rule) },
    team: { responses: teamN, nps: npsScore(team.promoters, team.passives, team.detractors), marginOfError: npsMarginOfError(team.promoters, team.passives, team.detractors), coveragePct: percent(all.asked, all.resolved - all.pending) },
    rows,
  };
}
