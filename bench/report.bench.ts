/**
 * Reports from rollups against the same report counted from the raw surveys.
 *
 * Inserts BENCH_ANSWERS answered surveys (default 1,000,000) spread over 365 days,
 * 5 channels and 200 agents (each agent works one channel) with the raw driver,
 * builds the rollups (`rebuild_s`: the full recount `nps-bot rollup --rebuild` runs),
 * then times the 90-day report by channel × agent from the rollups
 * (`rollup_report_ms_p50`, what the API and dashboard read) and from the surveys
 * (`raw_report_ms_p50`, `$match` + `$group` on the surveys collection), in one run.
 * Then the year's trend by month per agent (365 days), from month buckets and from day
 * buckets alone, and the documents each report reads (`report-reads`). Prints two JSON
 * lines; nothing is asserted. BENCH_REPORT_RUNS (default 7) rollup
 * report runs, BENCH_REPORT_RAW_RUNS (default 3) raw report runs. Memory: this
 * process's peak RSS, and the test server's RSS when its pid file is readable
 * (scripts/mongo-test-server.sh; MONGO_TEST_DIR) — the memory backend holds every
 * survey in the server's heap.
 *
 * The indexes are created before the first insert, as the bot does on start: on
 * mongo-java-server an index built while documents are being inserted into the same
 * collection fails the insert with "Unknown error: null" (a ConcurrentModificationException
 * in its index list; mongo-java-server issue #195). Mongoose starts building a model's
 * indexes as soon as the model is compiled, so the bench waits for `init()` first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { npsReport } from '../src/reports/raw-nps-count.ts';
import type { Connection } from 'mongoose';
import { reportReads, runReport, type BucketRead } from '../src/reports/report-query.ts';
import { rebuildRollups } from '../src/reports/rollups/rollup-rebuild.ts';
import { EVERYTHING } from '../src/reports/scope.ts';
import { addDays, instantRange } from '../src/reports/time-zone.ts';
import { monthRollupModel, rollupModel } from '../src/reports/rollups/rollup-model.ts';
import { surveyModel } from '../src/storage/surveys/survey-model.ts';
import { openBenchDb, percentile } from './bench-db.ts';
import { prng } from '../test/helpers/prng.ts';

const CHANNELS = ['slack', 'discord', 'x', 'webhook', 'chatwoot'];
const AGENTS = 200;
const DAYS = 365;
const LAST_DAY = '2025-12-31';


/** Resident memory of the local test server (MB), when it was started by scripts/mongo-test-server.sh here. */
function serverRssMb(): number | null {
  try {
    const dir = process.env.MONGO_TEST_DIR ?? join(process.cwd(), '.mongo-test-server');
    const pid = readFileSync(join(dir, 'pid'), 'utf8').trim();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

/** How many bucket documents the reads match. */
async function documentsRead(conn: Connection, reads: BucketRead[]): Promise<number> {
  let n = 0;
  for (const r of reads) n += await (r.grain === 'day' ? rollupModel(conn) : monthRollupModel(conn)).countDocuments(r.filter as never).exec();
  return n;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function run(): Promise<void> {
  const responses = Number(process.env.BENCH_ANSWERS ?? process.env.BENCH_REPORT_RESPONSES ?? 1_000_000);
  if (!Number.isInteger(responses) || responses < 1) throw new Error('BENCH_ANSWERS: expected a whole number of answers, e.g. 100000');
  const runs = Number(process.env.BENCH_REPORT_RUNS ?? 7);
  const rawRuns = Number(process.env.BENCH_REPORT_RAW_RUNS ?? 3);
  const db = await openBenchDb('report');
  const log = (msg: string) => process.stderr.write(`report bench: ${msg}\n`);
  try {
    const surveys = surveyModel(db.conn);
    const collection = surveys.collection;
    await Promise.all([surveys.init(), rollupModel(db.conn).init(), monthRollupModel(db.conn).init()]); // indexes before data, see above
    const serverRssBefore = serverRssMb();
    const rnd = prng(2024);
    const end = Date.parse(`${LAST_DAY}T23:59:59Z`);
    const insertMs = await time(async () => {
      const batchSize = 5000;
      for (let i = 0; i < responses; i += batchSize) {
        const docs = [];
        for (let j = i; j < Math.min(responses, i + batchSize); j++) {
          const agent = Math.floor(rnd() * AGENTS);
          const resolvedAt = new Date(end - Math.floor(rnd() * DAYS * 86_400_000));
          const askedAt = new Date(resolvedAt.getTime() + 60_000);
          const score = Math.floor(rnd() * 11);
          docs.push({
            channel: CHANNELS[agent % CHANNELS.length],
            conversationId: `bench-${j}`,
            type: 'transactional',
            customer: { id: `c${j}`, locale: 'en' },
            agent: { id: `agent-${agent}`, name: `Agent ${agent}` },
            state: 'completed',
            score,
            category: score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor',
            resolvedAt,
            askAt: resolvedAt,
            askedAt,
            scoredAt: askedAt,
            completedAt: askedAt,
            reprompts: 0,
            attempts: 0,
            version: 3,
            dirty: false,
            createdAt: resolvedAt,
            updatedAt: askedAt,
          });
        }
        await collection.insertMany(docs, { ordered: false });
        if ((i / batchSize) % 20 === 19) log(`inserted ${i + docs.length}`);
      }
    });
    const serverRssLoaded = serverRssMb();
    log(`inserted ${responses} surveys in ${(insertMs / 1000).toFixed(1)} s`);

    let buckets = 0;
    const rebuildMs = await time(async () => {
      buckets = (await rebuildRollups(db.conn, 'UTC')).buckets;
    });
    log(`rebuilt ${buckets} rollup buckets in ${(rebuildMs / 1000).toFixed(1)} s`);

    const from = addDays(LAST_DAY, -89);
    const ctx = { conn: db.conn, timeZone: 'UTC', minSample: 30, now: new Date(`${LAST_DAY}T12:00:00Z`) };
    const rollupTimes: number[] = [];
    let rows = 0;
    for (let i = 0; i < runs; i++) {
      rollupTimes.push(await time(async () => {
        rows = (await runReport(ctx, { by: 'channel,agent', from, to: LAST_DAY, type: 'transactional' }, EVERYTHING)).rows.length;
      }));
    }
    const range = instantRange(from, LAST_DAY, 'UTC');
    const rawTimes: number[] = [];
    let rawRows = 0;
    for (let i = 0; i < rawRuns; i++) {
      rawTimes.push(await time(async () => {
        rawRows = (await npsReport(db.conn, { by: 'channel,agent', ...range, type: 'transactional' })).length;
      }));
    }
    log(`90-day report: ${rows} rows from rollups, ${rawRows} rows from surveys`);
    if (rows !== rawRows) throw new Error(`the rollup report has ${rows} rows, the raw report ${rawRows}: they must agree`);
    const rollupP50 = percentile([...rollupTimes].sort((a, b) => a - b), 50);
    const rawP50 = percentile([...rawTimes].sort((a, b) => a - b), 50);

    // The year's trend by month per agent, from month buckets (and from days alone, as before them).
    const yearParams = { by: 'agent' as const, period: 'month' as const, from: addDays(LAST_DAY, -364), to: LAST_DAY, type: 'transactional' as const };
    const yearTimes: number[] = [];
    const yearDaysTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      yearTimes.push(await time(() => runReport(ctx, yearParams, EVERYTHING)));
      yearDaysTimes.push(await time(() => runReport(ctx, yearParams, EVERYTHING, { monthBuckets: false })));
    }
    const yearRange = instantRange(yearParams.from, LAST_DAY, 'UTC');
    const yearRawTimes: number[] = [];
    for (let i = 0; i < rawRuns; i++) yearRawTimes.push(await time(() => npsReport(db.conn, { by: 'agent', ...yearRange, type: 'transactional' })));
    const ninetyParams = { by: 'channel,agent' as const, from, to: LAST_DAY, type: 'transactional' as const };
    const reads = {
      d90: await documentsRead(db.conn, reportReads(ctx, ninetyParams, EVERYTHING)),
      d90DaysOnly: await documentsRead(db.conn, reportReads(ctx, ninetyParams, EVERYTHING, { monthBuckets: false })),
      d365: await documentsRead(db.conn, reportReads(ctx, yearParams, EVERYTHING)),
      d365DaysOnly: await documentsRead(db.conn, reportReads(ctx, yearParams, EVERYTHING, { monthBuckets: false })),
    };
    const p50 = (xs: number[]) => Math.round(percentile([...xs].sort((a, b) => a - b), 50) * 10) / 10;
    console.log(JSON.stringify({
      bench: 'report',
      responses,
      rollup_report_ms_p50: Math.round(rollupP50 * 10) / 10,
      raw_report_ms_p50: Math.round(rawP50 * 10) / 10,
      speedup: Math.round((rawP50 / rollupP50) * 10) / 10,
      rebuild_s: Math.round(rebuildMs / 100) / 10,
      buckets,
      insert_s: Math.round(insertMs / 100) / 10,
      bench_rss_mb_peak: Math.round(process.resourceUsage().maxRSS / 1024),
      server_rss_mb: { before: serverRssBefore, loaded: serverRssLoaded, end: serverRssMb() },
    }));
    // Documents the reports read (buckets matched: what a server with indexes reads), months beside days.
    console.log(JSON.stringify({
      bench: 'report-reads',
      responses,
      report_90d_docs: reads.d90,
      report_90d_docs_days_only: reads.d90DaysOnly,
      report_365d_by_month_docs: reads.d365,
      report_365d_by_month_docs_days_only: reads.d365DaysOnly,
      report_365d_read_ratio: Math.round((reads.d365 / Math.max(1, reads.d365DaysOnly)) * 1000) / 1000,
      report_90d_ms_p50: Math.round(rollupP50 * 10) / 10,
      report_365d_ms_p50: p50(yearTimes),
      report_365d_days_only_ms_p50: p50(yearDaysTimes),
      raw_90d_ms_p50: Math.round(rawP50 * 10) / 10,
      raw_365d_ms_p50: p50(yearRawTimes),
    }));
  } finally {
    await db.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then(() => process.exit(0), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
