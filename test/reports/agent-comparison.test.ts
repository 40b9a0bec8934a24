/**
 * The agent-vs-team interval against values computed by hand (a calculator and the
 * formulas in nps-interval.ts): each side adjusted by Rocks' rule (n + 3, ¾ promoter,
 * ¾ detractor), per-side variance (p̃ + d̃ − (p̃ − d̃)²)/ñ, the interval (p̃_a − d̃_a) −
 * (p̃_r − d̃_r) ± 1.96·√(var_a + var_r) in NPS points, and the label.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { compareWithRest, restOf, type CategoryCounts } from '../../src/reports/insights/agent-comparison.ts';

const c = (promoters: number, passives: number, detractors: number): CategoryCounts => ({ promoters, passives, detractors });

describe('an agent against the rest of the team', () => {
  test.each([
    // NPS 50 vs −10. Agent: ñ = 33, p̃ = 20.75/33 = .62879, d̃ = 5.75/33 = .17424, var = (.80303 − .20661)/33 = .018073.
    // Rest: ñ = 103, p̃ = .29854, d̃ = .39563, var = (.69417 − .00943)/103 = .0066480.
    // Centre .45455 + .09709 = .55164, half-width 1.96·√.024721 = .30817 → 24.3 to 86.0.
    { agent: c(20, 5, 5), rest: c(30, 30, 40), difference: 60, low: 24.3, high: 86, label: 'higher', tooFewAnswers: false },
    // NPS 0 vs 10: the interval holds zero.
    { agent: c(10, 10, 10), rest: c(40, 30, 30), difference: -10, low: -41.5, high: 22.1, label: 'no evidence of a difference', tooFewAnswers: false },
    // NPS −50 vs 40.
    { agent: c(5, 5, 20), rest: c(60, 20, 20), difference: -90, low: -114.8, high: -53.7, label: 'lower', tooFewAnswers: false },
    // NPS 6.7 (12−10 of 30 → 6.67) vs 10: −3.3.
    { agent: c(12, 8, 10), rest: c(35, 40, 25), difference: -3.3, low: -36, high: 28.7, label: 'no evidence of a difference', tooFewAnswers: false },
    // Below the minimum sample nothing is claimed, however far apart; and all-alike answers no longer give a zero-width interval.
    { agent: c(5, 0, 0), rest: c(0, 0, 100), difference: 200, low: 114.4, high: 200, label: 'no evidence of a difference', tooFewAnswers: true },
    { agent: c(30, 0, 0), rest: c(0, 0, 29), difference: 200, low: 164, high: 200, label: 'no evidence of a difference', tooFewAnswers: true },
    { agent: c(30, 0, 0), rest: c(0, 0, 30), difference: 200, low: 164.5, high: 200, label: 'higher', tooFewAnswers: false },
    // Nothing to compare.
    { agent: c(0, 0, 0), rest: c(10, 10, 10), difference: null, low: null, high: null, label: 'no evidence of a difference', tooFewAnswers: true },
    { agent: c(40, 0, 0), rest: c(0, 0, 0), difference: null, low: null, high: null, label: 'no evidence of a difference', tooFewAnswers: true },
  ])('$agent vs $rest → $difference [$low, $high] $label', ({ agent, rest, ...expected }) => {
    assert.deepEqual(compareWithRest(agent, rest, 30), expected);
  });

  test('the rest is the team minus the agent', () => {
    assert.deepEqual(restOf(c(50, 35, 45), c(20, 5, 5)), c(30, 30, 40));
  });
});
