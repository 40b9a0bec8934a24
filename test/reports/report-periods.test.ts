/**
 * Grouping by day, week and month in a non-UTC zone (Europe/Stockholm) across both DST
 * changes of 2024: answers just after local midnight belong to the local day, week
 * (Monday first) and month, not the UTC ones. Then the same data under REPORT_TZ=UTC
 * (the rollups are rebuilt on start) groups differently, as it should.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Connection } from 'mongoose';
import { loadConfig } from '../../src/config.ts';
import type { TransitionEvent } from '../../src/conversation/engine.ts';
import { silentLogger } from '../../src/logger.ts';
import { createReports, type Reports } from '../../src/reports/reports-module.ts';
import { runReport, type ReportParams } from '../../src/reports/report-query.ts';
import { EVERYTHING } from '../../src/reports/scope.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { openTestDb } from '../helpers/database.ts';
import { surveyDoc } from '../helpers/report-fixtures.ts';

let db: { conn: Connection; dbName: string; drop(): Promise<void> };

// Local Stockholm times in the comments.
const ANSWERS: Array<[string, number, string]> = [
  ['2024-03-24T23:30:00Z', 10, 'Mon 25 Mar 00:30 CET'],
  ['2024-03-30T23:30:00Z', 9, 'Sun 31 Mar 00:30 CET, the day clocks spring forward'],
  ['2024-03-31T22:30:00Z', 3, 'Mon 1 Apr 00:30 CEST'],
  ['2024-10-26T22:30:00Z', 8, 'Sun 27 Oct 00:30 CEST, the day clocks fall back'],
  ['2024-10-27T22:30:00Z', 10, 'Sun 27 Oct 23:30 CET, the 25th hour of that day'],
  ['2024-10-27T23:30:00Z', 2, 'Mon 28 Oct 00:30 CET'],
  ['2024-10-31T23:30:00Z', 9, 'Fri 1 Nov 00:30 CET'],
];

beforeAll(async () => {
  db = await openTestDb('periods');
  await surveyModel(db.conn).insertMany(ANSWERS.map(([iso, score]) => surveyDoc({ resolvedAt: new Date(iso), score })));
});
afterAll(async () => {
  await db.drop();
});

async function withReports<T>(tz: string, fn: (r: Reports) => Promise<T>): Promise<T> {
  const reports = createReports({
    config: loadConfig({ REPORT_TZ: tz, REPORT_SYNC_INTERVAL_MS: '3600000', REPORT_MIN_SAMPLE: '1' }),
    conn: db.conn,
    engine: new EventEmitter<{ transition: [TransitionEvent] }>(),
    post: async () => {},
    logger: silentLogger(),
  });
  await reports.start();
  try {
    return await fn(reports);
  } finally {
    await reports.stop();
  }
}

async function grouped(tz: string, params: Partial<ReportParams>): Promise<Array<[string | undefined, number, number | null]>> {
  const report = await runReport({ conn: db.conn, timeZone: tz, minSample: 1, now: new Date('2024-12-01T12:00:00Z') }, { by: 'total', from: '2024-03-01', to: '2024-11-30', ...params }, EVERYTHING);
  return report.rows.map((r) => [r.period, r.responses, r.nps]);
}

describe('Europe/Stockholm', () => {
  test('weeks start on local Monday midnight, across both DST changes', async () => {
    await withReports('Europe/Stockholm', async () => {
      assert.deepEqual(await grouped('Europe/Stockholm', { period: 'week' }), [
        ['2024-03-25', 2, 100],
        ['2024-04-01', 1, -100],
        ['2024-10-21', 2, 50],
        ['2024-10-28', 2, 0],
      ]);
    });
  });

  test('months follow local dates; change is against the month before', async () => {
    await withReports('Europe/Stockholm', async () => {
      const report = await runReport({ conn: db.conn, timeZone: 'Europe/Stockholm', minSample: 1, now: new Date('2024-12-01T12:00:00Z') }, { by: 'total', period: 'month', from: '2024-03-01', to: '2024-11-30' }, EVERYTHING);
      assert.deepEqual(report.rows.map((r) => [r.period, r.responses, r.nps, r.change]), [
        ['2024-03-01', 2, 100, null],
        ['2024-04-01', 1, -100, -200],
        ['2024-10-01', 3, 0, null],
        ['2024-11-01', 1, 100, 100],
      ]);
    });
  });

  test('days: a 23-hour and a 25-hour day each hold their own answers', async () => {
    await withReports('Europe/Stockholm', async () => {
      assert.deepEqual(await grouped('Europe/Stockholm', { period: 'day', from: '2024-10-26', to: '2024-10-28' }), [
        ['2024-10-27', 2, 50],
        ['2024-10-28', 1, -100],
      ]);
      assert.deepEqual(await grouped('Europe/Stockholm', { from: '2024-04-01', to: '2024-04-01' }), [[undefined, 1, -100]]);
    });
  });
});

describe('the same answers in UTC', () => {
  test('a REPORT_TZ change rebuilds the rollups, and the weeks and months move', async () => {
    await withReports('UTC', async () => {
      assert.deepEqual(await grouped('UTC', { period: 'week' }), [
        ['2024-03-18', 1, 100],
        ['2024-03-25', 2, 0],
        ['2024-10-21', 3, 0],
        ['2024-10-28', 1, 100],
      ]);
      assert.deepEqual(await grouped('UTC', { period: 'month' }), [
        ['2024-03-01', 3, 33],
        ['2024-10-01', 4, 25],
      ]);
    });
  });
});
