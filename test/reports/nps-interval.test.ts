/**
 * The adjusted Wald interval of an NPS (Rocks 2016; src/reports/nps-interval.ts):
 * hand-computed cases, and its coverage by simulation: for n = 5…200 answers over a
 * grid of true promoter and detractor shares, drawn with a seeded PRNG, the interval
 * must hold the true NPS close to 95% of the time. The same check run on the plain
 * Wald formula (what the reports used before) fails, so the test can tell them apart.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { differenceInterval, npsInterval, npsIntervalRaw, periodChange, type CategoryCounts } from '../../src/reports/nps-interval.ts';
import { prng } from '../helpers/prng.ts';

const c = (promoters: number, passives: number, detractors: number): CategoryCounts => ({ promoters, passives, detractors });

describe('adjusted Wald interval, by hand', () => {
  test.each([
    // 4 detractors: ñ = 7, d̃ = 4.75/7 = .67857, p̃ = .75/7 = .10714, estimate −.57143;
    // variance (.78571 − .32653)/7 = .065598, half-width 1.96·.25612 = .50199 → ±50.2,
    // bounds −1.0734 (clipped to −100) and −.06944 → −6.9. The plain formula said "−100 ± 0".
    { counts: c(0, 0, 4), want: { marginOfError: 50.2, low: -100, high: -6.9 } },
    // 3 promoters (the mirror case, one answer fewer): not "100 ± 0" either.
    { counts: c(3, 0, 0), want: { marginOfError: 56.6, low: -6.6, high: 100 } },
    // One promoter: ñ = 4, estimate .25 ± .735 → −48.5 to 98.5, which stops short of the NPS
    // observed (100): stretched to include it, so a chart never draws a point outside its band.
    { counts: c(1, 0, 0), want: { marginOfError: 73.5, low: -48.5, high: 100 } },
    // All passives: the plain formula gives zero width, the adjusted one does not.
    { counts: c(0, 10, 0), want: { marginOfError: 18.5, low: -18.5, high: 18.5 } },
    // 60/20/20 of 100: ñ = 103, p̃ = .58981, d̃ = .20146, estimate .38835, half-width .15477.
    { counts: c(60, 20, 20), want: { marginOfError: 15.5, low: 23.4, high: 54.3 } },
  ])('$counts → $want', ({ counts, want }) => {
    assert.deepEqual(npsInterval(counts), want);
  });

  test('no answers, no interval', () => {
    assert.equal(npsInterval(c(0, 0, 0)), null);
    assert.deepEqual(differenceInterval(c(0, 0, 0), c(1, 0, 0)), { difference: null, low: null, high: null });
  });

  test('a change is labelled only when the interval of the difference leaves zero out', () => {
    // 60/20/20 against 20/20/60 of 100 each (NPS 40 vs −40): each side ñ = 103, estimate ±.38835,
    // variance .0062179; centre .77670, half-width 1.96·√.012436 = .21857 → 55.8 to 99.5, clearly up.
    assert.deepEqual(periodChange(c(60, 20, 20), c(20, 20, 60)), { changeLow: 55.8, changeHigh: 99.5, changeLabel: 'up' });
    assert.equal(periodChange(c(20, 20, 60), c(60, 20, 20)).changeLabel, 'down');
    // 2 promoters against 2 detractors: NPS +100 against −100, a "change" of 200 points that 4
    // answers cannot show (the plain formula gives both sides zero width and would call it up).
    const small = periodChange(c(2, 0, 0), c(0, 0, 2));
    assert.equal(small.changeLabel, 'no evidence of a change');
    assert.ok(small.changeLow! < 0 && small.changeHigh! > 0, JSON.stringify(small));
    assert.deepEqual(periodChange(c(3, 0, 0), undefined), { changeLow: null, changeHigh: null, changeLabel: 'no evidence of a change' });
  });
});

type Interval = (counts: CategoryCounts) => { low: number; high: number };

/** The plain Wald interval the reports used before, as a control. */
const plainWald: Interval = (k) => {
  const n = k.promoters + k.passives + k.detractors;
  const p = k.promoters / n;
  const d = k.detractors / n;
  const half = 1.96 * Math.sqrt(Math.max(0, p + d - (p - d) ** 2) / n);
  return { low: p - d - half, high: p - d + half };
};

const SIZES = [5, 8, 12, 20, 30, 50, 75, 100, 150, 200];
const SHARES: Array<[number, number]> = [];
for (const p of [0.1, 0.3, 0.5, 0.7, 0.9]) for (const d of [0.05, 0.1, 0.3, 0.5]) if (p + d <= 1) SHARES.push([p, d]);
const RUNS = 1500;

/** Coverage per (n, true shares): how often the interval holds the true NPS p − d. */
function coverage(interval: Interval, seed: number): Array<{ n: number; p: number; d: number; covered: number }> {
  const rnd = prng(seed);
  const out: Array<{ n: number; p: number; d: number; covered: number }> = [];
  for (const n of SIZES) {
    for (const [p, d] of SHARES) {
      let hits = 0;
      for (let r = 0; r < RUNS; r++) {
        let P = 0;
        let D = 0;
        for (let i = 0; i < n; i++) {
          const u = rnd();
          if (u < p) P++;
          else if (u < p + d) D++;
        }
        const iv = interval(c(P, n - P - D, D));
        if (iv.low <= p - d && p - d <= iv.high) hits++;
      }
      out.push({ n, p, d, covered: hits / RUNS });
    }
  }
  return out;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Close to 95%: on average over the grid, for every n, and no cell far below. */
function problemsWith(cells: ReturnType<typeof coverage>): string[] {
  const problems: string[] = [];
  const all = mean(cells.map((x) => x.covered));
  if (all < 0.94 || all > 0.965) problems.push(`mean coverage ${all.toFixed(3)}`);
  for (const n of SIZES) {
    const m = mean(cells.filter((x) => x.n === n).map((x) => x.covered));
    if (m < 0.93 || m > 0.98) problems.push(`n=${n}: mean coverage ${m.toFixed(3)}`);
  }
  for (const x of cells) if (x.covered < 0.9) problems.push(`n=${x.n} p=${x.p} d=${x.d}: coverage ${x.covered.toFixed(3)}`);
  return problems;
}

describe('coverage by simulation (seeded PRNG)', () => {
  test('the adjusted Wald interval holds the true NPS close to 95% of the time for n = 5…200', () => {
    const cells = coverage((k) => npsIntervalRaw(k)!, 2016);
    assert.deepEqual(problemsWith(cells), []);
  });

  test('the plain Wald formula fails the same check (so the check can fail)', () => {
    const problems = problemsWith(coverage(plainWald, 2016));
    assert.ok(problems.length > 10, problems.join('\n'));
  });

  test('the interval of a difference (agents vs team, period changes) covers the true difference close to 95%', () => {
    const rnd = prng(1601);
    const draw = (n: number, p: number, d: number): CategoryCounts => {
      let P = 0;
      let D = 0;
      for (let i = 0; i < n; i++) {
        const u = rnd();
        if (u < p) P++;
        else if (u < p + d) D++;
      }
      return c(P, n - P - D, D);
    };
    const rates: number[] = [];
    for (const [nA, nB] of [[5, 40], [10, 10], [20, 100], [30, 30], [60, 200], [200, 200]] as const) {
      for (const [[pA, dA], [pB, dB]] of [[[0.7, 0.1], [0.5, 0.2]], [[0.9, 0.05], [0.9, 0.05]], [[0.3, 0.5], [0.5, 0.3]]] as const) {
        let hits = 0;
        const runs = 1000;
        for (let r = 0; r < runs; r++) {
          const di = differenceInterval(draw(nA, pA, dA), draw(nB, pB, dB));
          const truth = ((pA - dA) - (pB - dB)) * 100;
          if (di.low! - 0.05 <= truth && truth <= di.high! + 0.05) hits++;
        }
        rates.push(hits / runs);
      }
    }
    const m = mean(rates);
    assert.ok(m > 0.94 && m < 0.97, `mean ${m}`);
    assert.ok(Math.min(...rates) > 0.91, rates.join(' '));
  });
});
