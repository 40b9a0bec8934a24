/**
 * Month buckets beside the day buckets: a report over any range (whole months, partial
 * ends, across years, by any grouping and period) reads the same figures from months
 * plus days as from days alone (a property test over random ranges); a live refresh
 * keeps the months equal to their days; `--verify` sees a wrong month and `--rebuild`
 * mends it; rollups from before month buckets are rebuilt on start. The reads: whole
 * months come from month buckets, only the partial ends from day buckets.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Connection } from 'mongoose';
import { silentLogger } from '../../src/logger.ts';
import { planReads, runReport, REPORT_BYS, type ReportParams } from '../../src/reports/report-query.ts';
import { coverRange } from '../../src/reports/rollups/rollup-range.ts';
import { monthRollupModel, rollupMetaModel } from '../../src/reports/rollups/rollup-model.ts';
import { ensureRollupZone, rebuildRollups, verifyRollups } from '../../src/reports/rollups/rollup-rebuild.ts';
import { RollupStore } from '../../src/reports/rollups/rollup-store.ts';
import { EVERYTHING } from '../../src/reports/scope.ts';
import { addDays, daysBetween } from '../../src/reports/time-zone.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { openTestDb } from '../helpers/database.ts';
import { randomSurveys, surveyDoc } from '../helpers/report-fixtures.ts';

let db: { conn: Connection; drop(): Promise<void> };
const FIRST = '2023-11-01';
const LAST = '2025-02-28';

beforeAll(async () => {
  db = await openTestDb('monthrollups');
  await surveyModel(db.conn).init();
  // 16 months of surveys, in a zone where local days are not UTC days.
  const docs = randomSurveys(1500, 7, new Date(`${LAST}T23:00:00Z`), daysBetween(FIRST, LAST));
  await surveyModel(db.conn).collection.insertMany(docs as never[]);
  await rebuildRollups(db.conn, 'Europe/Stockholm');
});
afterAll(async () => { await db.drop(); });

const ctx = () => ({ conn: db.conn, timeZone: 'Europe/Stockholm', minSample: 5, now: new Date(`${LAST}T12:00:00Z`) });
const day = fc.integer({ min: 0, max: daysBetween(FIRST, LAST) }).map((n) => addDays(FIRST, n));

describe('month buckets', () => {
  test('coverRange: whole months from months, the partial ends from days, every day exactly once', () => {
    fc.assert(fc.property(day, day, (a, b) => {
      const [from, to] = a <= b ? [a, b] : [b, a];
      const cover = coverRange(from, to);
      const covered: string[] = [];
      for (const d of cover.days) for (let x = d.from; x <= d.to; x = addDays(x, 1)) covered.push(x);
      if (cover.months) {
        for (let x = `${cover.months.from}-01`; x.slice(0, 7) <= cover.months.to; x = addDays(x, 1)) covered.push(x);
        // A month read whole lies inside the range.
        assert.ok(`${cover.months.from}-01` >= from);
      }
      covered.sort();
      const expected: string[] = [];
      for (let x = from; x <= to; x = addDays(x, 1)) expected.push(x);
      assert.deepEqual(covered, expected);
      // Day ranges never hold a whole month.
      for (const d of cover.days) assert.ok(!(d.from.endsWith('-01') && addDays(d.to, 1).endsWith('-01')), `${d.from}..${d.to} is a whole month`);
    }), { numRuns: 500 });
  });

  test('a report from months and days equals the same report from days alone, over random ranges', async () => {
    await fc.assert(fc.asyncProperty(
      day, day,
      fc.constantFrom(...REPORT_BYS),
      fc.constantFrom(undefined, 'day', 'week', 'month' as const),
      fc.constantFrom(undefined, 'transactional', 'relational', 'all' as const),
      async (a, b, by, period, type) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const params: ReportParams = { by, from, to, ...(period ? { period } : {}), ...(type ? { type } : {}) };
        const withMonths = await runReport(ctx(), params, EVERYTHING);
        const daysOnly = await runReport(ctx(), params, EVERYTHING, { monthBuckets: false });
        assert.deepEqual(withMonths, daysOnly);
      },
    ), { numRuns: 40 });
    // And the property is not vacuous: the data has answers in most months.
    const year = await runReport(ctx(), { by: 'total', from: '2024-01-01', to: '2024-12-31', period: 'month' }, EVERYTHING);
    assert.ok(year.rows.length >= 10 && year.rows.every((r) => r.responses > 0));
  });

  test('a year by month reads month buckets only; a range with partial ends reads days only for them', () => {
    const year = planReads({ from: '2024-01-01', to: '2024-12-31', type: 'transactional' }, 'month');
    assert.deepEqual(year.map((r) => r.grain), ['month']);
    const ninety = planReads({ from: addDays('2024-10-03', -90), to: '2024-12-31', type: 'transactional' }, { from: '2024-10-03', previousFrom: addDays('2024-10-03', -90) });
    assert.deepEqual(ninety.map((r) => r.grain), ['day', 'month', 'day', 'month']);
    assert.deepEqual(planReads({ from: '2024-01-01', to: '2024-12-31', type: 'all' }, 'week').map((r) => r.grain), ['day']);
  });

  test('a live refresh keeps the months equal to their days, and --verify checks them', async () => {
    const store = new RollupStore(db.conn, 'Europe/Stockholm');
    const fresh = [
      surveyDoc({ resolvedAt: new Date('2024-03-15T10:00:00Z'), score: 10, agent: { id: 'a1', name: 'Anna' }, channel: 'slack' }),
      surveyDoc({ resolvedAt: new Date('2024-03-31T22:30:00Z'), score: 2, agent: { id: 'a9', name: 'New' }, channel: 'discord' }), // April 1st in Stockholm
    ];
    await surveyModel(db.conn).collection.insertMany(fresh as never[]);
    const keys = fresh.map((s) => ({ key: store.bucketOf(s as never) }));
    assert.equal((await store.refreshMany(keys)).size, 0);
    const april = await monthRollupModel(db.conn).findOne({ month: '2024-04', agentId: 'a9' }).lean();
    assert.equal(april?.detractors, 1, 'the late-evening survey counts in its local month');
    let v = await verifyRollups(db.conn, 'Europe/Stockholm');
    assert.deepEqual(v.differences, []);
    assert.ok(v.months > 10);

    // A month that disagrees with its days is reported, and a rebuild mends it.
    await monthRollupModel(db.conn).updateOne({ month: '2024-04', agentId: 'a9' }, { $inc: { sent: 3 } });
    v = await verifyRollups(db.conn, 'Europe/Stockholm');
    assert.deepEqual(v.differences.map((d) => [d.grain, d.bucket.day, d.field, d.stored - d.recount]), [['month', '2024-04', 'sent', 3]]);
    await rebuildRollups(db.conn, 'Europe/Stockholm');
    assert.deepEqual((await verifyRollups(db.conn, 'Europe/Stockholm')).differences, []);
  });

  test('rollups built before month buckets existed are rebuilt on start', async () => {
    await monthRollupModel(db.conn).deleteMany({});
    await rollupMetaModel(db.conn).updateOne({ _id: 'rollups' }, { $unset: { months: 1 } });
    assert.equal(await ensureRollupZone(db.conn, 'Europe/Stockholm', silentLogger()), true);
    assert.deepEqual((await verifyRollups(db.conn, 'Europe/Stockholm')).differences, []);
    assert.equal(await ensureRollupZone(db.conn, 'Europe/Stockholm', silentLogger()), false, 'once');
  });
});
