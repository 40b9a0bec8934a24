/**
 * The agent-vs-team interval against values computed by hand (a calculator and the
 * formulas in agent-comparison.ts): per-answer variance p + d − (p − d)², the SE of the
 * difference √(var_a/n_a + var_rest/n_rest), ±1.96·SE in NPS points, and the label.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { answerVariance, compareWithRest, restOf, type CategoryCounts } from '../../src/reports/agent-comparison.ts';

const c = (promoters: number, passives: number, detractors: number): CategoryCounts => ({ promoters, passives, detractors });

describe('per-answer variance p + d − (p − d)²', () => {
  test.each([
    // p = 2/3, d = 1/6: 2/3 + 1/6 − (1/2)² = 0.58333
    [c(20, 5, 5), 0.58333],
    // p = 0.3, d = 0.4: 0.7 − 0.01 = 0.69
    [c(30, 30, 40), 0.69],
    // all passives: every answer scores 0
    [c(0, 10, 0), 0],
    // half promoters, half detractors: 1 − 0 = 1 (the largest possible)
    [c(5, 0, 5), 1],
  ])('%j → %d', (counts, variance) => {
    assert.equal(Math.round(answerVariance(counts)! * 1e5) / 1e5, variance);
  });

  test('no answers, no variance', () => assert.equal(answerVariance(c(0, 0, 0)), null));
});

describe('an agent against the rest of the team', () => {
  test.each([
    // NPS 50 vs −10: SE = √(0.58333/30 + 0.69/100) = 0.16231 → ±31.81 points.
    { agent: c(20, 5, 5), rest: c(30, 30, 40), difference: 60, low: 28.2, high: 91.8, label: 'higher', tooFewAnswers: false },
    // NPS 0 vs 10: SE = √(0.66667/30 + 0.69/100) = 0.17065 → ±33.45: the interval holds zero.
    { agent: c(10, 10, 10), rest: c(40, 30, 30), difference: -10, low: -43.4, high: 23.4, label: 'no evidence of a difference', tooFewAnswers: false },
    // NPS −50 vs 40: SE = √(0.58333/30 + 0.64/100) = 0.16076 → ±31.51.
    { agent: c(5, 5, 20), rest: c(60, 20, 20), difference: -90, low: -121.5, high: -58.5, label: 'lower', tooFewAnswers: false },
    // NPS 6.7 (12−10 of 30 → 6.67) vs 10: −3.3, SE = √(0.72889/30 + 0.59/100) = 0.17567 → ±34.43.
    { agent: c(12, 8, 10), rest: c(35, 40, 25), difference: -3.3, low: -37.4, high: 30.7, label: 'no evidence of a difference', tooFewAnswers: false },
    // Below the minimum sample nothing is claimed, however far apart (and the zero-variance interval is no evidence).
    { agent: c(5, 0, 0), rest: c(0, 0, 100), difference: 200, low: 200, high: 200, label: 'no evidence of a difference', tooFewAnswers: true },
    { agent: c(30, 0, 0), rest: c(0, 0, 29), difference: 200, low: 200, high: 200, label: 'no evidence of a difference', tooFewAnswers: true },
    { agent: c(30, 0, 0), rest: c(0, 0, 30), difference: 200, low: 200, high: 200, label: 'higher', tooFewAnswers: false },
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
