/** The CLI as a user runs it: parse, demo (typed replies on stdin), forget. */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mongoUri, openTestDb, testDbName } from '../helpers/database.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { contactModel } from '../../src/conversation/contact-model.ts';
import { forgottenId, optOutModel } from '../../src/conversation/opt-out-model.ts';

function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    input: opts.input, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, LOG_LEVEL: 'warn', ...opts.env },
  });
}

test('parse prints one JSON line', () => {
  const r = cli(['parse', '9 – Anna was great']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { score: 9, optOut: false, comment: 'Anna was great' });
  const none = JSON.parse(cli(['parse', '7 or 8']).stdout) as { score: null; optOut: boolean };
  assert.equal(none.score, null);
  assert.equal(none.optOut, false);
});

test('parse reads lines from stdin with no argument', () => {
  const r = cli(['parse'], { input: '10/10\nstopp\nåtta\n' });
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { score: number | null; optOut: boolean });
  assert.deepEqual(lines.map((l) => [l.score, l.optOut]), [[10, false], [null, true], [8, false]]);
});

test('unknown commands and bad options fail clearly', () => {
  const r = cli(['fly']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "fly"/);
  const f = cli(['forget', '--channel', 'slack']);
  assert.equal(f.status, 1);
  assert.match(f.stderr, /--customer: is required/);
});

let db: Awaited<ReturnType<typeof openTestDb>>;
beforeAll(async () => { db = await openTestDb('cli'); });
afterAll(async () => { await db.drop(); });

test('demo plays a whole survey with typed replies and prints the stored answer and report', () => {
  const r = cli(['demo', '--locale', 'sv', '--name', 'Maja'], {
    input: 'hmm\nåtta\nSnabb hjälp\n',
    env: { MONGODB_URI: mongoUri(), MONGODB_DB: db.dbName, COMPANY_NAME: 'Acme' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /rekommendera Acme/);
  assert.match(r.stdout, /uppfattade inget betyg/, 're-prompt on "hmm"');
  assert.match(r.stdout, /vad kan vi göra bättre/, 'passive follow-up');
  assert.match(r.stdout, /"score": 8/);
  assert.match(r.stdout, /"comment": "Snabb hjälp"/);
  assert.match(r.stdout, /console\s+nps=0\s+responses=1\/1/);
});

test('forget erases identity and comments, keeps counts and the opt-out', async () => {
  const name = testDbName('forget');
  const conn = db.conn.useDb(name);
  const surveys = surveyModel(conn);
  const contacts = contactModel(conn);
  const base = { channel: 'slack', type: 'transactional' as const, agent: { id: 'a1' }, resolvedAt: new Date(), askAt: new Date(), askedAt: new Date() };
  await surveys.create({ ...base, conversationId: 'k1', customer: { id: 'U9', name: 'Vera', locale: 'en' }, state: 'completed', score: 3, category: 'detractor', comment: 'My phone is 555-0101' });
  await surveys.create({ ...base, conversationId: 'k2', customer: { id: 'U8', locale: 'en' }, state: 'completed', score: 9, category: 'promoter', comment: 'keep me' });
  await contacts.create({ channel: 'slack', customerId: 'U9', lastSurveyedAt: new Date() });
  await optOutModel(conn).create({ _id: 'slack:U9', channel: 'slack', at: new Date() });
  const r = cli(['forget', '--channel', 'slack', '--customer', 'U9'], { env: { MONGODB_URI: mongoUri(), MONGODB_DB: name } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { channel: 'slack', surveys: 1, cancelled: 0, followups: 0, contactRemoved: true, optOutKept: true, channelState: 'not-configured', unfinished: 0, alertsPosted: [] });
  assert.match(r.stderr, /the slack channel is not configured here/, 'the channel\'s own state could not be erased here: said so');
  const forgotten = await surveys.findOne({ forgotten: true }).lean().exec();
  assert.equal(forgotten?.customer.id, forgottenId('slack', 'U9'));
  assert.equal(forgotten?.customer.name, undefined);
  assert.equal(forgotten?.comment, undefined);
  assert.equal(forgotten?.score, 3, 'the count stays');
  assert.equal((await surveys.findOne({ conversationId: 'k2' }).lean().exec())?.comment, 'keep me');
  assert.equal(await contacts.countDocuments({ customerId: 'U9' }), 0);
  assert.equal(await optOutModel(conn).countDocuments({ _id: forgottenId('slack', 'U9') }), 1);
  assert.equal(await optOutModel(conn).countDocuments({ _id: 'slack:U9' }), 0);
  await conn.dropDatabase();
});
