/**
 * Rollups equal a full recount of the surveys: after random surveys, after a crash
 * between any two steps (transition stored but rollup not updated; rollup updated but
 * `dirty` not cleared; a stale read racing a newer transition), with two processes
 * racing on the same buckets, after `nps-bot rollup --rebuild`, and after REPORT_TZ
 * changes. Against the real MongoDB-protocol server.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { execFile } from 'node:child_process';
import type { Connection, Types } from 'mongoose';
import { loadConfig } from '../../src/config.ts';
import type { TransitionEvent } from '../../src/conversation/engine.ts';
import { categorize } from '../../src/conversation/nps-category.ts';
import { silentLogger } from '../../src/logger.ts';
import { createReports, type Reports } from '../../src/reports/reports-module.ts';
import { rollupMetaModel, rollupModel } from '../../src/reports/rollups/rollup-model.ts';
import { rebuildRollups, verifyRollups } from '../../src/reports/rollups/rollup-rebuild.ts';
import { RollupStore } from '../../src/reports/rollups/rollup-store.ts';
import { surveyModel, type SurveyDoc, type SurveyState } from '../../src/storage/surveys/survey-model.ts';
import { mongoUri, openTestDb } from '../helpers/database.ts';
import { randomSurveys, surveyDoc, prng } from '../helpers/report-fixtures.ts';

let db: { conn: Connection; dbName: string; drop(): Promise<void> };
const running: Reports[] = [];

beforeAll(async () => {
  db = await openTestDb('rollups');
  await surveyModel(db.conn).init();
});
afterAll(async () => {
  for (const r of running) await r.stop();
  await db.drop();
});

/** A reports module as a bot process would run it (no HTTP), on this test's database. */
async function startReports(env: Record<string, string> = {}, events = new EventEmitter<{ transition: [TransitionEvent] }>()): Promise<{ reports: Reports; events: typeof events }> {
  const reports = createReports({
    config: loadConfig({ REPORT_SYNC_INTERVAL_MS: '3600000', ...env }),
    conn: db.conn,
    engine: events,
    post: async () => {},
    logger: silentLogger(),
  });
  await reports.start();
  running.push(reports);
  return { reports, events };
}

async function stop(r: Reports): Promise<void> {
  await r.stop();
  running.splice(running.indexOf(r), 1);
}

const surveys = () => surveyModel(db.conn);

async function assertMatchesRecount(tz = 'UTC'): Promise<void> {
  const v = await verifyRollups(db.conn, tz);
  assert.deepEqual(v.differences, [], 'rollups equal a full recount');
}

/** What the engine does in one transition: the change, dirty and a version bump in one versioned write. */
async function transition(id: Types.ObjectId, set: Record<string, unknown>): Promise<SurveyDoc> {
  const current = await surveys().findById(id, { state: 1 }).lean().exec();
  assert.ok(current);
  const to = (set.state as SurveyState | undefined) ?? current.state;
  const after = await surveys().findOneAndUpdate(
    { _id: id, state: current.state }, { $set: { ...set, state: to, dirty: true }, $inc: { version: 1 } }, { returnDocument: 'after', lean: true },
  ).exec() as SurveyDoc | null;
  assert.ok(after, 'transition applied');
  return after;
}

describe('rollups stay equal to a recount', () => {
  test('after random surveys', async () => {
    await surveys().insertMany(randomSurveys(160, 7, new Date('2024-06-30T12:00:00Z'), 21));
    const { reports } = await startReports();
    assert.equal(await surveys().countDocuments({ dirty: true }), 0, 'the start-up sweep cleared every dirty survey');
    await assertMatchesRecount();
    const v = await verifyRollups(db.conn, 'UTC');
    assert.ok(v.buckets > 20 && v.surveys > 120, `a real spread of data (${v.buckets} buckets, ${v.surveys} surveys)`);
    await stop(reports);
  });

  test('crash after the transition, before the rollup: the next start catches up', async () => {
    const rnd = prng(11);
    const open = await surveys().find({ state: 'expired' }).limit(15).lean().exec();
    for (const s of open) {
      const score = Math.floor(rnd() * 11);
      await transition(s._id, { state: 'completed', score, category: categorize(score), scoredAt: new Date() });
    }
    // Nobody processed these: the rollups are behind, and verify says so.
    const stale = await verifyRollups(db.conn, 'UTC');
    assert.ok(stale.differences.length > 0, 'verify sees the missing answers');
    assert.ok(stale.dirty >= 15);
    const { reports } = await startReports(); // "the bot is running again"
    await assertMatchesRecount();
    await stop(reports);
  });

  test('crash after the rollup, before dirty was cleared: nothing is counted twice', async () => {
    const s = await surveys().findOne({ state: 'expired' }).lean().exec();
    assert.ok(s);
    const moved = await transition(s._id, { state: 'completed', score: 2, category: 'detractor' });
    const store = new RollupStore(db.conn, 'UTC');
    await store.refresh(store.bucketOf(moved)); // the rollup is updated…
    await store.refresh(store.bucketOf(moved)); // …even twice (a retry)…
    assert.equal((await surveys().findById(s._id).lean().exec())?.dirty, true); // …but dirty is still set
    await assertMatchesRecount();
    const { reports } = await startReports();
    assert.equal((await surveys().findById(s._id).lean().exec())?.dirty, false);
    await assertMatchesRecount();
    await stop(reports);
  });

  test('a stale read never clears a newer transition', async () => {
    const { reports } = await startReports();
    const s = await surveys().findOne({ state: 'expired' }).lean().exec();
    assert.ok(s);
    const old = await transition(s._id, { state: 'asked' });
    // A newer transition lands before the old event is processed.
    await transition(s._id, { state: 'completed', score: 10, category: 'promoter' });
    reports.sync.enqueue(old);
    await reports.sync.flush(10_000);
    assert.equal((await surveys().findById(s._id).lean().exec())?.dirty, true, 'the newer version stays dirty');
    await reports.sweep();
    assert.equal((await surveys().findById(s._id).lean().exec())?.dirty, false);
    await assertMatchesRecount();
    await stop(reports);
  });

  test('the periodic sweep leaves a survey that just moved to the event path, and takes it once it is quiet', async () => {
    const { reports } = await startReports();
    const s = await surveys().findOne({ state: 'expired' }).lean().exec();
    assert.ok(s);
    await transition(s._id, { state: 'completed', score: 3, category: 'detractor' });
    // No event reaches this process (another one moved it): only a sweep can clear it.
    await reports.sync.sweep(200, 60_000);
    assert.equal((await surveys().findById(s._id).lean().exec())?.dirty, true, 'changed a moment ago: left to the process that moved it');
    await surveys().updateOne({ _id: s._id }, { $set: { updatedAt: new Date(Date.now() - 61_000) } }, { timestamps: false }).exec();
    await reports.sync.sweep(200, 60_000);
    assert.equal((await surveys().findById(s._id).lean().exec())?.dirty, false, 'quiet for long enough: swept');
    await assertMatchesRecount();
    await stop(reports);
  });

  test('two processes racing on the same buckets', async () => {
    const a = await startReports();
    const b = await startReports();
    const day = new Date('2024-07-15T10:00:00Z');
    const docs = Array.from({ length: 24 }, (_, i) => surveyDoc({ resolvedAt: new Date(day.getTime() + i * 1000), channel: 'slack', agent: { id: 'race' }, state: 'asked', dirty: false, version: 1 }));
    await surveys().insertMany(docs);
    const rnd = prng(99);
    // Each survey is answered while both processes hear about it, in interleaved order.
    await Promise.all(docs.map(async (d, i) => {
      const score = Math.floor(rnd() * 11);
      const scored = await transition(d._id, { state: 'scored', score, category: categorize(score), scoredAt: new Date() });
      (i % 2 ? a : b).events.emit('transition', { survey: scored, from: 'asked', to: 'scored' });
      const done = await transition(d._id, { state: 'completed', comment: `c${i}`, completedAt: new Date() });
      (i % 3 ? b : a).events.emit('transition', { survey: done, from: 'scored', to: 'completed' });
      (i % 3 ? a : b).events.emit('transition', { survey: scored, from: 'asked', to: 'scored' }); // a late, stale duplicate
    }));
    await Promise.all([a.reports.sync.flush(20_000), b.reports.sync.flush(20_000)]);
    await Promise.all([a.reports.sweep(), b.reports.sweep()]);
    await assertMatchesRecount();
    const rollup = await rollupModel(db.conn).findOne({ day: '2024-07-15', channel: 'slack', agentId: 'race' }).lean().exec();
    assert.equal(rollup?.responses, 24);
    assert.equal(await surveys().countDocuments({ dirty: true }), 0);
    await stop(a.reports);
    await stop(b.reports);
  });
});

describe('the database sums', () => {
  test('surveys stored without a type count as transactional, in the same bucket as typed ones', async () => {
    const day = new Date('2024-08-01T10:00:00Z');
    const typed = surveyDoc({ resolvedAt: day, channel: 'slack', agent: { id: 'untyped' }, score: 9 });
    const untyped = surveyDoc({ resolvedAt: day, channel: 'slack', agent: { id: 'untyped' }, score: 3 });
    delete untyped.type;
    await surveys().insertMany([typed, untyped]);
    const { reports } = await startReports();
    const rollup = await rollupModel(db.conn).findOne({ day: '2024-08-01', agentId: 'untyped' }).lean().exec();
    assert.deepEqual([rollup?.type, rollup?.sent, rollup?.responses, rollup?.promoters, rollup?.detractors, rollup?.scoreSum], ['transactional', 2, 2, 1, 1, 12]);
    assert.equal(await rollupModel(db.conn).countDocuments({ agentId: 'untyped' }), 1, 'one bucket');
    await assertMatchesRecount();
    const rebuilt = await rebuildRollups(db.conn, 'UTC');
    assert.ok(rebuilt.buckets > 0);
    assert.equal((await rollupModel(db.conn).findOne({ day: '2024-08-01', agentId: 'untyped' }).lean().exec())?.responses, 2, 'the rebuild folds them the same way');
    await stop(reports);
  });
});

describe('nps-bot rollup', () => {
  function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { PATH: process.env.PATH ?? '', MONGODB_URI: mongoUri(), MONGODB_DB: db.dbName, LOG_LEVEL: 'warn', ...env },
        timeout: 120_000,
      }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
  }

  test('--verify finds tampered rollups and exits 1; --rebuild repairs them; --verify then exits 0', async () => {
    const rollups = rollupModel(db.conn);
    const some = await rollups.find({ responses: { $gt: 0 } }).limit(3).lean().exec();
    assert.equal(some.length, 3);
    await rollups.updateOne({ _id: some[0]!._id }, { $inc: { promoters: 5, responses: 5 } }).exec();
    await rollups.deleteOne({ _id: some[1]!._id }).exec();
    await rollups.collection.insertOne({ _id: JSON.stringify(['2020-01-01', 'slack', 'ghost', 'transactional']) as never, day: '2020-01-01', channel: 'slack', agentId: 'ghost', type: 'transactional', sent: 4, responses: 1, promoters: 1, passives: 0, detractors: 0, scoreSum: 9, version: 1 });

    const bad = await cli(['rollup', '--verify']);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stdout, /DIFF .* promoters: stored \d+, recount \d+/);
    assert.match(bad.stdout, /DIFF 2020-01-01 slack agent=ghost transactional sent: stored 4, recount 0/);
    assert.match(bad.stdout, /difference\(s\) in the rollups/);

    const rebuilt = await cli(['rollup', '--rebuild']);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(rebuilt.stdout, /^rebuilt \d+ rollup buckets from \d+ surveys/);

    const good = await cli(['rollup', '--verify', '--format', 'json']);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    const body = JSON.parse(good.stdout) as { ok: boolean; differences: unknown[] };
    assert.equal(body.ok, true);
    await assertMatchesRecount();
  });

  test('a rebuild while surveys keep changing still ends equal to a recount', async () => {
    const { reports, events } = await startReports();
    const open = await surveys().find({ state: 'expired' }).limit(12).lean().exec();
    const changing = (async () => {
      for (const s of open) {
        const after = await transition(s._id, { state: 'completed', score: 6, category: 'detractor' });
        events.emit('transition', { survey: after, from: 'expired', to: 'completed' });
      }
    })();
    await rebuildRollups(db.conn, 'UTC');
    await changing;
    await reports.sync.flush(20_000);
    await reports.sweep();
    await assertMatchesRecount();
    await stop(reports);
  });

  test('a new REPORT_TZ rebuilds the rollups in that zone on start', async () => {
    // 23:30 UTC is already the next day in Stockholm.
    await surveys().insertMany([surveyDoc({ resolvedAt: new Date('2024-05-05T23:30:00Z'), score: 9, agent: { id: 'tz' } })]);
    const { reports } = await startReports({ REPORT_TZ: 'Europe/Stockholm' });
    assert.equal((await rollupMetaModel(db.conn).findById('rollups').lean().exec())?.timeZone, 'Europe/Stockholm');
    await assertMatchesRecount('Europe/Stockholm');
    assert.ok(await rollupModel(db.conn).findOne({ agentId: 'tz', day: '2024-05-06', responses: 1 }).lean().exec());
    await stop(reports);
    const utc = await cli(['rollup', '--verify'], { REPORT_TZ: 'UTC' });
    assert.equal(utc.code, 1, 'counted in another zone, the UTC recount differs');
    assert.match(utc.stdout, /built in Europe\/Stockholm, REPORT_TZ is UTC/);
  });
});
