/**
 * What the CLI prints never carries terminal control sequences: agent names and
 * segments come from outside (a platform profile, a care tool's resolution), and an ESC,
 * a C1 CSI or a bidi override in them must not reach a manager's terminal through
 * `report … --format table|csv|json` or `digest --print`.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mongoUri, openTestDb } from '../helpers/database.ts';
import { surveyDoc } from '../helpers/report-fixtures.ts';

const EVIL = '\u001b[2J\u001b[31mEve\u009b1m\u202eliam\u0007';
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const FROM = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
let db: Awaited<ReturnType<typeof openTestDb>>;

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, LOG_LEVEL: 'warn', MONGODB_URI: mongoUri(), MONGODB_DB: db.dbName, REPORT_MIN_SAMPLE: '1' },
  });
}

beforeAll(async () => {
  db = await openTestDb('cli-terminal');
  const resolvedAt = new Date(Date.now() - 7 * 86_400_000);
  const docs = [];
  for (let i = 0; i < 6; i++) {
    docs.push(surveyDoc({ resolvedAt, score: i % 2 === 0 ? 10 : 3, agent: { id: `agent${EVIL}`, name: EVIL }, customer: { id: `c${i}`, locale: 'en', segment: `seg${EVIL}` } }));
    docs.push(surveyDoc({ resolvedAt, score: 9, agent: { id: 'plain', name: 'Plain Agent' }, customer: { id: `d${i}`, locale: 'en', segment: 'retail' } }));
  }
  await db.conn.collection('surveys').insertMany(docs);
});
afterAll(async () => { await db.drop(); });

test('report tables, CSV and JSON print no control character; names stay readable and columns aligned', () => {
  const table = cli(['report', '--by', 'agent', '--format', 'table', '--from', FROM]);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /\[2J\[31mEve1mliam/, 'the printable rest of the name is shown');
  assert.doesNotMatch(table.stdout, CONTROL);
  const rows = table.stdout.split('\n').filter((l) => l.includes('Plain Agent') || l.includes('Eve'));
  assert.equal(rows.length, 2);
  for (const view of [['--by', 'agent', '--format', 'csv'], ['--by', 'agent', '--format', 'json'], ['segments', '--format', 'table'], ['agents', '--format', 'table']]) {
    const r = cli(['report', ...view, '--from', FROM]);
    assert.equal(r.status, 0, `${view.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stdout, CONTROL, view.join(' '));
    assert.match(r.stdout, /Eve|seg/, view.join(' '));
  }
  const json = JSON.parse(cli(['report', '--by', 'agent', '--format', 'json', '--from', FROM]).stdout) as { rows: Array<{ agentName?: string }> };
  assert.ok(json.rows.some((r) => r.agentName === EVIL), 'JSON keeps the data exactly (escaped)');
});

test('digest --print prints no control character', () => {
  const r = cli(['digest', '--print']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Eve/);
  assert.doesNotMatch(r.stdout, CONTROL);
});
