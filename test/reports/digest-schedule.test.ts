/**
 * Weekly digests with a fake clock: last week's NPS by channel with margins and the
 * change, what detractors mentioned most, value at risk, agents compared with the team
 * (none below the minimum sample) and open / overdue follow-ups, posted through the
 * real webhook channel; two
 * bot processes firing at the same slot post it once (also with node-cron really
 * firing every second); a bad DIGEST_CRON stops start-up with one clear line; and
 * `nps-bot digest` posts (or prints) one at once.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { execFile } from 'node:child_process';
import type { Connection } from 'mongoose';
import { WebhookChannel } from '../../src/channels/webhook-channel.ts';
import { loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/env-readers.ts';
import type { TransitionEvent } from '../../src/conversation/engine.ts';
import { silentLogger } from '../../src/logger.ts';
import { lastWeek } from '../../src/reports/digest/weekly-digest.ts';
import { createReports, type Reports } from '../../src/reports/reports-module.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { startApp } from '../../src/app.ts';
import { mongoUri, openTestDb } from '../helpers/database.ts';
import { eventually } from '../helpers/app.ts';
import { WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { surveyDoc } from '../helpers/report-fixtures.ts';

const SECRET = 'webhook-secret-for-digests-1';
let db: { conn: Connection; dbName: string; drop(): Promise<void> };
let hook: WebhookReceiver;
const started: Reports[] = [];

/** Monday 13 May 2024, 08:00 in Stockholm. */
let fakeNow = new Date('2024-05-13T06:00:00Z');

beforeAll(async () => {
  hook = await new WebhookReceiver(SECRET).start();
  db = await openTestDb('digests');
  const day = (d: string, h = 9) => new Date(`${d}T${String(h).padStart(2, '0')}:00:00Z`);
  await surveyModel(db.conn).insertMany([
    // Last week (6–12 May): slack a1 9, 10, 9, 8, 3; webhook a2 0. Two detractors commented; three customers have a value.
    ...[9, 10, 9, 8].map((score, i) => surveyDoc({
      resolvedAt: day(`2024-05-${String(6 + i).padStart(2, '0')}`), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score,
      ...(i === 0 ? { customer: { id: 'big-fan', locale: 'en', value: 30000 } } : {}),
    })),
    surveyDoc({ resolvedAt: day('2024-05-10'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 3, comment: 'Leveransen var sen', customer: { id: 'c-sv', locale: 'sv', value: 12000, segment: 'enterprise' } }),
    surveyDoc({ resolvedAt: day('2024-05-12', 20), channel: 'webhook', agent: { id: 'a2', name: 'Bo' }, score: 0, comment: 'The app is slow', customer: { id: 'c-en', locale: 'en', value: 5000 } }),
    // The week before: slack a1 10, 5.
    surveyDoc({ resolvedAt: day('2024-04-30'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 10 }),
    surveyDoc({ resolvedAt: day('2024-05-02'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 5 }),
    // This week: not in the digest.
    surveyDoc({ resolvedAt: day('2024-05-13', 5), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 0 }),
    // This week, a detractor about the delivery: next week's digest compares its share with last week's.
    surveyDoc({ resolvedAt: day('2024-05-14'), channel: 'webhook', agent: { id: 'a2', name: 'Bo' }, score: 2, comment: 'The delivery was late again' }),
  ]);
});
afterAll(async () => {
  for (const r of started) await r.stop();
  await db.drop();
  await hook.stop();
});

async function reportsProcess(env: Record<string, string> = {}): Promise<Reports> {
  const adapter = new WebhookChannel({ outboundUrl: hook.url, secret: SECRET, ratePerSecond: 50 });
  const reports = createReports({
    config: loadConfig({
      DIGEST_TARGET: 'webhook:managers', DIGEST_TZ: 'Europe/Stockholm', REPORT_TZ: 'Europe/Stockholm',
      REPORT_MIN_SAMPLE: '3', REPORT_SYNC_INTERVAL_MS: '3600000', ...env,
    }),
    conn: db.conn,
    engine: new EventEmitter<{ transition: [TransitionEvent] }>(),
    post: (target, notice) => adapter.post(target.channelId, notice),
    logger: silentLogger(),
    now: () => fakeNow,
  });
  await reports.start();
  started.push(reports);
  return reports;
}

const digestsPosted = () => hook.received.filter((r) => String(r.body.text).startsWith('Weekly NPS digest'));

describe('digests', () => {
  test('"last week" is Monday to Sunday before the current week, in the digest zone', () => {
    assert.deepEqual(lastWeek(new Date('2024-05-13T06:00:00Z'), 'Europe/Stockholm'), { from: '2024-05-06', to: '2024-05-12' });
    // Sunday 23:30 UTC is already Monday in Stockholm, but still Sunday in UTC.
    assert.deepEqual(lastWeek(new Date('2024-05-12T23:30:00Z'), 'Europe/Stockholm'), { from: '2024-05-06', to: '2024-05-12' });
    assert.deepEqual(lastWeek(new Date('2024-05-12T23:30:00Z'), 'UTC'), { from: '2024-04-29', to: '2024-05-05' });
  });

  test('two processes firing at the same slot post one digest, with figures, change, low-sample flags and open follow-ups', async () => {
    const a = await reportsProcess();
    const b = await reportsProcess();
    const slot = new Date('2024-05-13T06:00:00Z');
    const outcomes = await Promise.all([a.digests.postScheduled(slot), b.digests.postScheduled(slot), a.digests.postScheduled(slot)]);
    assert.deepEqual([...outcomes].sort(), ['claimed-elsewhere', 'claimed-elsewhere', 'posted']);
    const posted = digestsPosted();
    assert.equal(posted.length, 1);
    assert.ok(posted[0]!.signed);
    assert.equal(posted[0]!.body.channelId, 'managers');
    const text = String(posted[0]!.body.text);
    assert.match(text, /^Weekly NPS digest, 2024-05-06 to 2024-05-12 \(Europe\/Stockholm\), compared with the week before\./);
    assert.match(text, /Transactional NPS.*not the company's NPS/);
    // 3 promoters, 1 passive, 2 detractors of 6 → NPS 17; the week before: 1 and 1 of 2 → 0.
    assert.match(text, /Overall: NPS 17 \(±[\d.]+\), 6 answers of 6 sent \(response rate 100%\), change \+17/);
    // Adjusted Wald (docs/reports.md): 5 answers against 2 the week before cannot show a change of 40.
    assert.match(text, /slack: NPS 40 \(±54\.8\), 5\/5 answered, change \+40 \(95% -66\.5 to 116\.5: no evidence of a change\)\n/);
    assert.match(text, /webhook: NPS -100 \(±73\.5\), 1\/1 answered, change – · low sample \(<3 answers\): do not judge on this/);
    assert.match(text, /By agent, compared with the rest of the team \(only agents with at least 3 answers; credit: resolver\):\n {2}Anna \(a1\): NPS 40 \(±[\d.]+\), 5\/5 answered · vs team \+140 \(95% [\d.-]+ to [\d.-]+\): no evidence of a difference\n/);
    assert.ok(!text.includes('Bo (a2)'), 'nothing per agent below the minimum sample');
    assert.match(text, /1 agent\(s\) with fewer than 3 answers are not listed/);
    // Each top theme with its change in points; none the week before to compare with, said so.
    assert.match(text, /What detractors mentioned most \(of 2 with a comment; change in percentage points of those detractors against the week before\): App and website 1 \(50%, –\), Delivery 1 \(50%, –\), Speed and waiting 1 \(50%, –\) \(–: no detractor comment the week before to compare with\)\n/);
    assert.match(text, /Value at risk \(detractors\): 17000 \(2 detractor customers, \+17000 on the week before\); value of promoters: 30000 \(3 promoter customers\); 3 of 6 customers came with a value\./);
    // Detractors 3, 0 last week, 5 the week before, 0 and 2 this week: five open follow-ups, opened just now.
    assert.match(text, /Open detractor follow-ups: 5 \(overdue: 0\)$/);
    assert.ok(!text.includes('2024-05-13'), 'this week is not in last week\'s digest');
  });

  test('the next week\'s slot posts again; without DIGEST_TARGET nothing is posted', async () => {
    const a = await reportsProcess();
    fakeNow = new Date('2024-05-20T06:00:00Z');
    assert.equal(await a.digests.postScheduled(new Date('2024-05-20T06:00:00Z')), 'posted');
    const next = String(digestsPosted().at(-1)!.body.text);
    assert.match(next, /^Weekly NPS digest, 2024-05-13 to 2024-05-19/);
    // Delivery: 1 of 2 commented detractors the week before (50%), 1 of 1 now (100%): +50 points.
    assert.match(next, /What detractors mentioned most \(of 1 with a comment; [^)]*\): Delivery 1 \(100%, \+50 pp\)\n/);
    const off = await reportsProcess({ DIGEST_TARGET: '' });
    assert.equal(await off.digests.postScheduled(new Date('2024-05-27T06:00:00Z')), 'off');
    fakeNow = new Date('2024-05-13T06:00:00Z');
  });

  test('node-cron firing every second in two processes: each slot is posted once', async () => {
    const before = digestsPosted().length;
    await reportsProcess({ DIGEST_CRON: '* * * * * *' });
    await reportsProcess({ DIGEST_CRON: '* * * * * *' });
    // Two slots posted is the condition; how long that takes depends on how busy the machine is.
    await eventually(async () => digestsPosted().length - before >= 2, 30_000, 'two cron slots posted');
    for (const r of started.splice(0)) await r.stop();
    const fired = digestsPosted().length - before;
    const slots = await db.conn.db!.collection('digests').find({ slot: { $gte: new Date(Date.now() - 60_000) } }).toArray();
    assert.equal(fired, slots.length, 'one digest per claimed slot');
    assert.equal(new Set(slots.map((s) => String(s._id))).size, slots.length);
  });
});

describe('bad settings and the CLI', () => {
  test('a bad DIGEST_CRON stops start-up with a clear line', async () => {
    // The settings are all read before anything starts: loadConfig itself refuses it.
    await assert.rejects(
      async () => startApp({ config: loadConfig({ PORT: '0', API_TOKEN: 'test-api-token-0123456789abcdefghij', DIGEST_CRON: '0 25 * * 1' }), logger: silentLogger(), database: { conn: db.conn, embedded: false, close: async () => {} }, schedule: false }),
      (err: unknown) => err instanceof ConfigError && /^DIGEST_CRON: not a valid cron expression .*\(got "0 25 \* \* 1"\)$/.test(err.message),
    );
  });

  function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { PATH: process.env.PATH ?? '', MONGODB_URI: mongoUri(), MONGODB_DB: db.dbName, LOG_LEVEL: 'warn', REPORT_TZ: 'Europe/Stockholm', ...env },
        // A bound for a hung process, not a timing: a loaded machine needs well over 30 s to start tsx.
        timeout: 120_000,
      }, (err, stdout, stderr) => resolve({
        code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
        signal: err && 'signal' in err ? (err.signal ?? null) : null,
        stdout,
        stderr,
      }));
    });
  }

  test('nps-bot start with a bad DIGEST_CRON exits 1 with one line', async () => {
    const r = await cli(['start'], { DIGEST_CRON: 'every monday', PORT: '0', OPT_OUT_KEY_SECRET: 'digest-test-opt-out-key-0123456789abcdef' });
    assert.equal(r.signal, null, 'the process exits by itself instead of hanging');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^nps-bot: DIGEST_CRON: not a valid cron expression/m);
  }, 300_000);

  test('nps-bot digest posts at once; --print only prints', async () => {
    const before = digestsPosted().length;
    const posted = await cli(['digest'], { DIGEST_TARGET: 'webhook:managers', WEBHOOK_OUTBOUND_URL: hook.url, WEBHOOK_SECRET: SECRET });
    assert.equal(posted.code, 0, posted.stderr);
    assert.match(posted.stdout, /^digest posted to webhook:managers/);
    assert.equal(digestsPosted().length, before + 1);
    const printed = await cli(['digest', '--print'], {});
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /^Weekly NPS digest, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
    assert.match(printed.stdout, /Open detractor follow-ups: \d+/);
    assert.equal(digestsPosted().length, before + 1);
  }, 300_000);
});
