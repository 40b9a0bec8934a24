/**
 * Reading an agent fairly: the difference between the agent's NPS and the rest of the
 * team's, with its 95% interval, and a label that claims a difference only when the
 * interval leaves zero out and both sides have enough answers.
 *
 * One answer scored +1 (promoter), 0 (passive) or −1 (detractor) has mean p − d and
 * variance p + d − (p − d)², with p and d the promoter and detractor shares. The two
 * groups are independent, so the difference of their NPS has
 * SE = √(var_a / n_a + var_rest / n_rest), and the interval is
 * (NPS_a − NPS_rest) ± 1.96 · SE, all in NPS points (× 100). Pure functions, tested
 * against hand-computed values.
 */
import { roundTo } from './nps-math.ts';

export const COMPARISON_LABELS = ['higher', 'lower', 'no evidence of a difference'] as const;
export type ComparisonLabel = (typeof COMPARISON_LABELS)[number];

export interface CategoryCounts { promoters: number; passives: number; detractors: number }

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

/** The per-answer variance p + d − (p − d)², or null without answers. */
export function answerVariance(c: CategoryCounts): number | null {
  const n = c.promoters + c.passives + c.detractors;
  if (n === 0) return null;
  const p = c.promoters / n;
  const d = c.detractors / n;
  return Math.max(0, p + d - (p - d) ** 2);
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
  if (nA === 0 || nR === 0) return { difference: null, low: null, high: null, label: 'no evidence of a difference', tooFewAnswers };
  const diff = ((agent.promoters - agent.detractors) / nA - (rest.promoters - rest.detractors) / nR) * 100;
  const se = Math.sqrt(answerVariance(agent)! / nA + answerVariance(rest)! / nR) * 100;
  const low = diff - 1.96 * se;
  const high = diff + 1.96 * se;
  let label: ComparisonLabel = 'no evidence of a difference';
  if (!tooFewAnswers && low > 0) label = 'higher';
  else if (!tooFewAnswers && high < 0) label = 'lower';
  return { difference: roundTo(diff, 1), low: roundTo(low, 1), high: roundTo(high, 1), label, tooFewAnswers };
}
