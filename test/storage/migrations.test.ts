/**
 * Schema migrations on a database written by the previous layout: follow-ups from before
 * due times (no `dueAt`) are brought forward once, however many processes start at the
 * same moment; a second run changes nothing; a lock left by a dead process frees itself;
 * the bot migrates at start; `nps-bot migrate --status` lists what was applied.
 */
import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import mongoose, { type Connection } from 'mongoose';
import { silentLogger } from '../../src/logger.ts';
import { MIGRATIONS } from '../../src/storage/migrations/migration-list.ts';
import { MIGRATION_LOCK_COLLECTION, MigrationError, MigrationRunner } from '../../src/storage/migrations/migration-runner.ts';
import type { Migration } from '../../src/storage/migrations/migration.ts';
import { startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { mongoUri, openTestDb } from '../helpers/database.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';

const HOUR = 3_600_000;
const OPENED = new Date('2025-03-01T10:00:00Z');
const env = { FOLLOWUP_DUE_HOURS: '24' };
/** The same setting as the runner gets it: parsed at start-up (config.ts). */
const settings = { followupDueMs: 24 * 3_600_000 };

type Db = Awaited<ReturnType<typeof openTestDb>>;
const opened: Db[] = [];
const extra: Connection[] = [];
afterEach(async () => {
  for (const c of extra.splice(0)) await c.close();
  for (const db of opened.splice(0)) await db.drop();
});

async function database(label: string): Promise<Db> {
  const db = await openTestDb(label);
  opened.push(db);
  return db;
}

/** Follow-ups as the version before due times wrote them: no dueAt, no remindAt. */
async function writeOldLayout(conn: Connection, n: number): Promise<void> {
  const surveyIds = Array.from({ length: n }, () => new mongoose.Types.ObjectId());
  await conn.collection('followups').insertMany(surveyIds.map((surveyId, i) => ({
    surveyId, channel: 'slack', conversationId: `C1:${i}`, agentId: 'U1', type: 'transactional', score: 3,
    resolvedAt: OPENED, openedAt: new Date(OPENED.getTime() + i * 1000), status: 'open',
    notifiedAt: null, notifyAfter: OPENED, notifyAttempts: 0, version: 0, createdAt: OPENED, updatedAt: OPENED,
  })));
}

function runner(conn: Connection, opts: Partial<ConstructorParameters<typeof MigrationRunner>[0]> = {}): MigrationRunner {
  return new MigrationRunner({ conn, settings, logger: silentLogger(), migrations: MIGRATIONS, pollMs: 50, ...opts });
}

describe('migrations', () => {
  test('follow-ups without a due time get openedAt + FOLLOWUP_DUE_HOURS, once, by one of several starting processes', async () => {
    const db = await database('migrate');
    await writeOldLayout(db.conn, 600);
    const newer = { _id: new mongoose.Types.ObjectId(), openedAt: OPENED, dueAt: new Date(OPENED.getTime() + 5 * HOUR), status: 'open' };
    await db.conn.collection('followups').insertOne(newer);

    // Three processes start at once, each with its own connection.
    const conns = await Promise.all([0, 1, 2].map(() => mongoose.createConnection(mongoUri(), { dbName: db.dbName }).asPromise()));
    extra.push(...conns);
    const results = await Promise.all(conns.map((c) => runner(c).run()));
    assert.deepEqual(results.flat(), [1, 2], 'exactly one process applied the migrations');

    const docs = await db.conn.collection('followups').find({}).toArray();
    assert.equal(docs.length, 601);
    for (const d of docs) {
      if (String(d._id) === String(newer._id)) assert.equal((d.dueAt as Date).getTime(), newer.dueAt.getTime(), 'a stored due time is kept');
      else assert.equal((d.dueAt as Date).getTime(), (d.openedAt as Date).getTime() + 24 * HOUR);
    }
    const status = await runner(db.conn).status();
    assert.equal(status[0]?.name, 'followup-due-times');
    assert.ok(status[0]?.appliedAt instanceof Date);
    assert.equal(status[0]?.changed, 600);
    assert.equal(await db.conn.collection(MIGRATION_LOCK_COLLECTION).countDocuments(), 0, 'the lock is released');
  });

  test('a migration is idempotent: run again on its own output, it changes nothing', async () => {
    const db = await database('migrateidem');
    await writeOldLayout(db.conn, 3);
    const ctx = { conn: db.conn, settings, logger: silentLogger(), now: new Date() };
    assert.deepEqual(await MIGRATIONS[0]!.up(ctx), { changed: 3 });
    const before = await db.conn.collection('followups').find({}).sort({ _id: 1 }).toArray();
    assert.deepEqual(await MIGRATIONS[0]!.up(ctx), { changed: 0 });
    assert.deepEqual(await db.conn.collection('followups').find({}).sort({ _id: 1 }).toArray(), before);
  });

  test('a lock left by a process that died is taken over once its lease has run out; a live one is waited for, within a bound', async () => {
    const db = await database('migratelock');
    await writeOldLayout(db.conn, 2);
    const locks = db.conn.collection<{ _id: string; owner: string; until: Date }>(MIGRATION_LOCK_COLLECTION);
    await locks.insertOne({ _id: 'migrations', owner: 'alive', until: new Date(Date.now() + 60_000) });
    await assert.rejects(runner(db.conn, { waitMs: 300 }).run(), MigrationError);
    assert.equal(await db.conn.collection('followups').countDocuments({ dueAt: { $exists: true } }), 0, 'nothing applied without the lock');

    await locks.updateOne({ _id: 'migrations' }, { $set: { owner: 'dead', until: new Date(Date.now() - 1000) } });
    assert.deepEqual(await runner(db.conn).run(), [1, 2]);
    assert.equal(await db.conn.collection('followups').countDocuments({ dueAt: { $exists: true } }), 2);
  });

  test('surveys from before owed messages: a message waiting to be sent again becomes the owed message; old fields go; once', async () => {
    const db = await database('migrateowed');
    const surveys = db.conn.collection('surveys');
    const due = new Date('2026-03-02T10:00:00Z');
    const base = { channel: 'test', type: 'transactional', customer: { id: 'u', locale: 'en' }, agent: { id: 'a' }, resolvedAt: due, askAt: due, version: 3, dirty: false };
    await surveys.insertMany([
      { ...base, conversationId: 'c1', state: 'scored', score: 9, category: 'promoter', pendingReply: { key: 'followupPromoter', attempts: 2, dueAt: due } },
      { ...base, conversationId: 'c2', state: 'scheduled', lease: { owner: 'old-process:1', until: due }, earlyReplies: [{ text: '8', receivedAt: due }] },
      { ...base, conversationId: 'c3', state: 'completed', score: 3, category: 'detractor', comment: 'slow' },
    ]);
    const ctx = { conn: db.conn, settings, logger: silentLogger(), now: new Date() };
    assert.deepEqual(await MIGRATIONS[1]!.up(ctx), { changed: 2 });
    const [c1, c2, c3] = await surveys.find({}).sort({ conversationId: 1 }).toArray();
    assert.equal(c1!.pendingReply, undefined);
    assert.equal(c1!.owed.key, 'followupPromoter');
    assert.equal(c1!.owed.attempts, 2);
    assert.equal((c1!.owed.dueAt as Date).getTime(), due.getTime());
    assert.match(c1!.owed.id as string, /^[0-9a-f-]{36}$/);
    assert.equal(c2!.lease, undefined);
    assert.equal(c2!.earlyReplies, undefined);
    assert.equal(c3!.owed, undefined, 'a survey with nothing owed is left alone');
    assert.deepEqual(await MIGRATIONS[1]!.up(ctx), { changed: 0 }, 'idempotent');
  });

  test('numbers must run 1, 2, 3 without gaps', () => {
    const m = (id: number): Migration => ({ id, name: `m${id}`, describe: '', up: async () => ({ changed: 0 }) });
    assert.throws(() => new MigrationRunner({ conn: mongoose.createConnection(), settings, logger: silentLogger(), migrations: [m(1), m(3)] }), MigrationError);
  });

  test('the bot migrates at start', async () => {
    const db = await database('migratestart');
    await writeOldLayout(db.conn, 2);
    // A bot started on the old database brings it forward.
    const bot = await startApp({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env }), logger: silentLogger(), channels: [new RecordingChannel('test')],
      database: { conn: db.conn, embedded: false, close: async () => {} }, schedule: false,
    });
    try {
      assert.equal(await db.conn.collection('followups').countDocuments({ dueAt: { $exists: false } }), 0);
      assert.equal(await db.conn.collection('migrations').countDocuments({ _id: 1 as never }), 1);
    } finally {
      await bot.stop();
    }
  });

  test('nps-bot migrate --status lists the migrations; nps-bot migrate applies them', async () => {
    const db = await database('migratecli');
    await writeOldLayout(db.conn, 2);
    const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate', ...args], {
      encoding: 'utf8', timeout: 120_000, env: { ...process.env, MONGODB_URI: mongoUri(), MONGODB_DB: db.dbName, LOG_LEVEL: 'warn', ...env },
    });
    const before = cli(['--status']);
    assert.equal(before.status, 0, before.stderr);
    assert.match(before.stdout, /^001 followup-due-times\s+pending/m);
    const run = cli(['--format', 'json']);
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { applied: number[]; migrations: Array<{ id: number; appliedAt: string | null; changed?: number }> };
    assert.deepEqual(out.applied, [1, 2]);
    assert.equal(out.migrations[0]?.changed, 2);
    assert.match(cli(['--status']).stdout, /^001 followup-due-times\s+applied 20\d\d-/m);
  });
});
