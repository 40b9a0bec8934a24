/**
 * Reading an agent fairly: the difference between the agent's NPS and the rest of the
 * team's, with its 95% interval, and a label that claims a difference only when the
 * interval leaves zero out and both sides have enough answers.
 *
 * The interval is the adjusted Wald interval of a difference of two NPS (Rocks 2016,
 * see nps-interval.ts): each side gets 3 more answers (¾ promoter, ¾ detractor), the
 * variance of one side is p̃ + d̃ − (p̃ − d̃)² over ñ, the two sides are independent, so
 * SE = √(var_a/ñ_a + var_rest/ñ_rest) and the interval is (p̃_a − d̃_a − p̃_r + d̃_r) ±
 * 1.96 · SE, all in NPS points (× 100). The same rule labels changes between periods.
 */
import { differenceInterval, type CategoryCounts } from '../nps-interval.ts';

export type { CategoryCounts };
export const COMPARISON_LABELS = ['higher', 'lower', 'no evidence of a difference'] as const;
export type ComparisonLabel = (typeof COMPARISON_LABELS)[number];

export interface Comparison {
  /** Agent's NPS − the rest of the team's, unrounded shares × 100, one decimal; null without answers on either side. */
  difference: number | null;
  /** The 95% interval of the difference (one decimal), or null. */
  low: number | null;
  high: number | null;
  label: ComparisonLabel;
  /** Why no difference is claimed even if the interval leaves zero out. */
  tooFewAnswers: boolean;
}

/** The rest of the team: everyone's counts minus the agent's. */
export function restOf(team: CategoryCounts, agent: CategoryCounts): CategoryCounts {
  return {
    promoters: team.promoters - agent.promoters,
    passives: team.passives - agent.passives,
    detractors: team.detractors - agent.detractors,
  };
}

export function compareWithRest(agent: CategoryCounts, rest: CategoryCounts, minSample: number): Comparison {
  const nA = agent.promoters + agent.passives + agent.detractors;
  const nR = rest.promoters + rest.passives + rest.detractors;
  const tooFewAnswers = nA < minSample || nR < minSample;
  const d = differenceInterval(agent, rest);
  if (d.difference === null) return { difference: null, low: null, high: null, label: 'no evidence of a difference', tooFewAnswers };
  let label: ComparisonLabel = 'no evidence of a difference';
  if (!tooFewAnswers && d.low! > 0) label = 'higher';
  else if (!tooFewAnswers && d.high! < 0) label = 'lower';
  return { difference: d.difference, low: d.low, high: d.high, label, tooFewAnswers };
}
