/**
 * The report API over real HTTP with the whole bot running: figures checked against
 * hand-computed values, grouping by channel / agent / type / week, CSV with escaping,
 * comments newest first and paginated, follow-ups, and access: an agent token sees
 * only its own rows, whatever it asks for.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { authHeaders, eventually, startTestApp, TEST_API_TOKEN, type TestApp } from '../helpers/app.ts';
import { mongoUri } from '../helpers/database.ts';
import { surveyDoc } from '../helpers/report-fixtures.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

const MANAGER = 'manager-token-0000000001-0123456789';
const AGENT_A1 = 'agent-a1-token-000000001-0123456789';
const NASTY = '=HYPERLINK("http://evil"), then\nmore "quotes"';

let app: TestApp;

const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  app = await startTestApp({
    label: 'reportapi',
    env: {
      REPORT_TOKENS: `${MANAGER}:manager,${AGENT_A1}:agent:a1`,
      REPORT_MIN_SAMPLE: '5',
      REPORT_SYNC_INTERVAL_MS: '150',
    },
  });
  await surveyModel(app.conn).insertMany([
    // Week 2024-05-06 … 05-12, slack, agent a1: 9, 10, 9, 8, 3 and one unanswered.
    surveyDoc({ resolvedAt: at('2024-05-06T09:00:00Z'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 9, comment: 'quick and kind', completedAt: at('2024-05-06T09:05:00Z') }),
    surveyDoc({ resolvedAt: at('2024-05-07T09:00:00Z'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 10 }),
    surveyDoc({ resolvedAt: at('2024-05-08T09:00:00Z'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 9 }),
    surveyDoc({ resolvedAt: at('2024-05-09T09:00:00Z'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 8 }),
    surveyDoc({ resolvedAt: at('2024-05-10T09:00:00Z'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 3, comment: 'took days', completedAt: at('2024-05-10T10:00:00Z') }),
    surveyDoc({ resolvedAt: at('2024-05-11T09:00:00Z'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, state: 'expired' }),
    // A relationship survey: never mixed into the transactional figures.
    surveyDoc({ resolvedAt: at('2024-05-08T12:00:00Z'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, type: 'relational', score: 0 }),
    // Same week, webhook, agent a2: two detractors, one with a comment built to break CSV.
    surveyDoc({ resolvedAt: at('2024-05-07T15:00:00Z'), channel: 'webhook', agent: { id: 'a2', name: 'Bo' }, score: 0, comment: NASTY, completedAt: at('2024-05-07T15:10:00Z') }),
    surveyDoc({ resolvedAt: at('2024-05-12T20:00:00Z'), channel: 'webhook', agent: { id: 'a2', name: 'Bo' }, score: 6, comment: 'meh <b>bold</b>', completedAt: at('2024-05-12T20:30:00Z') }),
    // The week before, slack a1: one promoter, one detractor (NPS 0).
    surveyDoc({ resolvedAt: at('2024-04-30T09:00:00Z'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 10 }),
    surveyDoc({ resolvedAt: at('2024-05-02T09:00:00Z'), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 5 }),
    // Skipped: never sent, counts nowhere.
    surveyDoc({ resolvedAt: at('2024-05-08T09:00:00Z'), channel: 'slack', agent: { id: 'a1' }, state: 'skipped', askedAt: undefined }),
  ]);
  await eventually(async () => (await surveyModel(app.conn).countDocuments({ dirty: true })) === 0, 60_000, 'the sweep to roll up the surveys');
});
afterAll(async () => {
  await app.close();
});

async function get(path: string, token = MANAGER): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Headers }> {
  const res = await fetch(`${app.url}${path}`, { headers: authHeaders(token) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* CSV */ }
  return { status: res.status, json, text, headers: res.headers };
}

type Row = Record<string, unknown>;
const rows = (body: Record<string, unknown>) => body.rows as Row[];
const WEEK = 'from=2024-05-06&to=2024-05-12';

describe('GET /api/reports/nps', () => {
  test('by channel: every figure, against hand-computed values', async () => {
    const r = await get(`/api/reports/nps?by=channel&${WEEK}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.type, 'transactional');
    assert.match(String(r.json.label), /not the company's NPS/);
    assert.deepEqual(r.json.previous, { from: '2024-04-29', to: '2024-05-05' });
    const slack = rows(r.json).find((x) => x.channel === 'slack')!;
    assert.deepEqual(
      { ...slack },
      {
        channel: 'slack', sent: 6, responses: 5, responseRate: 83.3,
        promoters: 3, passives: 1, detractors: 1, promotersPct: 60, passivesPct: 20, detractorsPct: 20,
        nps: 40,
        // Adjusted Wald: ñ=8, p̃=3.75/8=.46875, d̃=1.75/8=.21875: √((.6875 − .0625)/8) · 196 = 54.8,
        // centred on .25: 25 ± 54.8 → −29.8 to 79.8 (the plain formula said ±70.1 around 40).
        marginOfError: 54.8, npsLow: -29.8, npsHigh: 79.8,
        averageScore: 7.8, lowSample: false, previousNps: 0, change: 40,
        // 5 answers against 2: a change of 40 points the interval cannot tell from none.
        changeLow: -66.5, changeHigh: 116.5, changeLabel: 'no evidence of a change',
      },
    );
    const webhook = rows(r.json).find((x) => x.channel === 'webhook')!;
    assert.equal(webhook.nps, -100);
    // Two detractors: not "−100 ± 0" but ±64.4, up to 24.4.
    assert.deepEqual([webhook.marginOfError, webhook.npsLow, webhook.npsHigh], [64.4, -100, 24.4]);
    assert.equal(webhook.lowSample, true, '2 answers are below REPORT_MIN_SAMPLE=5');
    assert.equal(webhook.change, null, 'no answers the week before');
    assert.equal(rows(r.json).length, 2);
  });

  test('by agent and by channel × agent carry the agent id and name', async () => {
    const byAgent = rows((await get(`/api/reports/nps?by=agent&${WEEK}`)).json);
    assert.deepEqual(byAgent.map((x) => [x.agentId, x.agentName, x.nps, x.responses]), [['a1', 'Anna', 40, 5], ['a2', 'Bo', -100, 2]]);
    const both = rows((await get(`/api/reports/nps?by=channel,agent&${WEEK}`)).json);
    assert.deepEqual(both.map((x) => [x.channel, x.agentId]), [['slack', 'a1'], ['webhook', 'a2']]);
  });

  test('by type keeps transactional and relationship NPS apart', async () => {
    const r = await get(`/api/reports/nps?by=type&${WEEK}`);
    assert.equal(r.json.type, 'all');
    assert.match(String(r.json.label), /must not be added up/);
    const byType = Object.fromEntries(rows(r.json).map((x) => [x.type, x]));
    assert.equal(byType.relational?.nps, -100);
    assert.equal(byType.relational?.responses, 1);
    assert.equal(byType.transactional?.responses, 7);
    assert.equal(byType.transactional?.nps, 0); // 3 promoters, 1 passive, 3 detractors
    const rel = await get(`/api/reports/nps?by=channel&type=relational&${WEEK}`);
    assert.match(String(rel.json.label), /Relationship NPS/);
  });

  test('per week: whole weeks, change against the week before', async () => {
    const r = await get('/api/reports/nps?by=total&period=week&from=2024-05-08&to=2024-05-08');
    assert.equal(r.json.from, '2024-05-06', 'the range snaps to whole weeks (Monday first)');
    assert.equal(r.json.to, '2024-05-12');
    assert.deepEqual(rows(r.json).map((x) => [x.period, x.responses, x.nps, x.change]), [['2024-05-06', 7, 0, 0]]);
    const two = await get('/api/reports/nps?by=channel&period=week&from=2024-04-29&to=2024-05-12');
    assert.deepEqual(rows(two.json).map((x) => [x.period, x.channel, x.nps, x.change]), [
      ['2024-04-29', 'slack', 0, null],
      ['2024-05-06', 'slack', 40, 40],
      ['2024-05-06', 'webhook', -100, null],
    ]);
  });

  test('format=csv: header row, attachment, escaped cells', async () => {
    const r = await get(`/api/reports/nps?by=channel,agent&${WEEK}&format=csv`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(r.headers.get('content-disposition') ?? '', /^attachment; filename="?nps-transactional-by-channel-agent-2024-05-06_2024-05-12\.csv"?$/);
    const lines = r.text.split('\r\n');
    assert.equal(lines[0], 'channel,agentId,agentName,surveyType,sent,responses,responseRate,promoters,promotersPct,passives,passivesPct,detractors,detractorsPct,nps,marginOfError,lowSample,previousNps,change,npsLow,npsHigh,changeLow,changeHigh,changeLabel');
    assert.equal(lines[1], 'slack,a1,Anna,transactional,6,5,83.3,3,60,1,20,1,20,40,54.8,false,0,40,-29.8,79.8,-66.5,116.5,no evidence of a change');
    assert.equal(lines[2], 'webhook,a2,Bo,transactional,2,2,100,0,0,0,0,2,100,-100,64.4,true,,,-100,24.4,,,no evidence of a change');
    assert.equal(lines[3], '');
  });

  test('the core fields stay, for callers of the first version', async () => {
    const r = await get('/api/reports/nps?by=channel&from=2024-05-06&to=2024-05-12', TEST_API_TOKEN);
    for (const key of ['channel', 'sent', 'responses', 'promoters', 'passives', 'detractors', 'nps', 'responseRate', 'marginOfError', 'lowSample', 'change']) {
      assert.ok(key in rows(r.json)[0]!, key);
    }
  });

  test('bad parameters get 400 naming the field; no token gets 401', async () => {
    const cases: Array<[string, string]> = [
      ['by=customer', 'by'],
      ['period=year', 'period'],
      ['from=2024-13-01', 'from'],
      ['from=2024-02-30', 'from'],
      ['from=2024-05-10&to=2024-05-01', 'from'],
      ['from=2000-01-01&to=2024-01-01', 'from'],
      ['type=annual', 'type'],
      ['format=xlsx', 'format'],
      ['by=channel&by=agent', 'by'],
    ];
    for (const [query, field] of cases) {
      const r = await get(`/api/reports/nps?${query}`);
      assert.equal(r.status, 400, query);
      assert.equal(r.json.field, field, query);
    }
    assert.equal((await fetch(`${app.url}/api/reports/nps`)).status, 401);
    assert.equal((await get('/api/reports/nps', 'wrong-token-000000000000-0123456789')).status, 401);
  });
});

describe('GET /api/reports/comments', () => {
  test('newest first, paginated, filtered', async () => {
    const all = await get(`/api/reports/comments?${WEEK}`);
    assert.equal(all.status, 200);
    const comments = all.json.comments as Row[];
    assert.deepEqual(comments.map((c) => c.comment), ['meh <b>bold</b>', 'took days', NASTY, 'quick and kind']);
    assert.equal(all.json.total, 4);
    const page1 = await get(`/api/reports/comments?${WEEK}&limit=1`);
    const page2 = await get(`/api/reports/comments?${WEEK}&limit=1&cursor=${String(page1.json.next)}`);
    assert.deepEqual((page2.json.comments as Row[]).map((c) => c.comment), ['took days']);
    assert.equal(page2.json.total, 4);
    const detractors = await get(`/api/reports/comments?${WEEK}&category=detractor&channel=webhook`);
    assert.deepEqual((detractors.json.comments as Row[]).map((c) => c.score), [6, 0]);
    const byAgent = await get(`/api/reports/comments?${WEEK}&agent=a1`);
    assert.deepEqual((byAgent.json.comments as Row[]).map((c) => c.agentId), ['a1', 'a1']);
    assert.equal((await get(`/api/reports/comments?${WEEK}&limit=500`)).json.field, 'limit');
    assert.equal((await get(`/api/reports/comments?${WEEK}&category=angry`)).json.field, 'category');
  });

  test('CSV escapes commas, quotes and newlines, and defuses formulas', async () => {
    const r = await get(`/api/reports/comments?${WEEK}&channel=webhook&format=csv`);
    assert.match(r.headers.get('content-disposition') ?? '', /^attachment; filename="?nps-comments-.+\.csv"?$/);
    assert.ok(r.text.startsWith('at,resolvedAt,channel,agentId,agentName,type,score,category,themes,comment\r\n'));
    assert.ok(r.text.includes(',webhook,a2,Bo,transactional,0,detractor,,"\'=HYPERLINK(""http://evil""), then\nmore ""quotes"""\r\n'), r.text);
    assert.ok(r.text.includes(',6,detractor,,meh <b>bold</b>\r\n'));
  });
});

describe('an agent token sees only its own figures', () => {
  test('reports', async () => {
    for (const by of ['agent', 'channel,agent']) {
      const r = await get(`/api/reports/nps?by=${by}&${WEEK}`, AGENT_A1);
      assert.equal(r.status, 200);
      assert.deepEqual(rows(r.json).map((x) => x.agentId), ['a1'], by);
    }
    const byChannel = await get(`/api/reports/nps?by=channel&${WEEK}`, AGENT_A1);
    assert.deepEqual(rows(byChannel.json).map((x) => x.channel), ['slack'], 'a2\'s webhook answers are not in the agent\'s figures');
    const asking = await get(`/api/reports/nps?by=agent&agent=a2&${WEEK}`, AGENT_A1);
    assert.deepEqual(rows(asking.json).map((x) => x.agentId), ['a1'], 'asking for another agent changes nothing');
    const csv = await get(`/api/reports/nps?by=agent&${WEEK}&format=csv`, AGENT_A1);
    assert.equal(csv.text.split('\r\n').filter((l) => l.length > 0).length, 2);
    assert.ok(!csv.text.includes('a2'));
  });

  test('comments', async () => {
    const r = await get(`/api/reports/comments?${WEEK}&agent=a2`, AGENT_A1);
    assert.deepEqual((r.json.comments as Row[]).map((c) => c.agentId), ['a1', 'a1']);
    assert.ok(!r.text.includes('HYPERLINK'));
  });
});

describe('follow-ups API', () => {
  test('detractors become open follow-ups; agents see and change only their own', async () => {
    const open = await eventually(async () => {
      const r = await get('/api/followups?status=open');
      return (r.json.followups as Row[]).length === 5 ? r : null;
    }, 10_000, 'five follow-ups');
    const list = open.json.followups as Row[];
    // Every detractor answer, of either survey type: 3, 5 and 0 (relationship) for a1; 0 and 6 for a2.
    assert.deepEqual(list.map((f) => f.score).sort(), [0, 0, 3, 5, 6]);
    const mine = await get('/api/followups?status=open', AGENT_A1);
    const mineList = mine.json.followups as Row[];
    assert.deepEqual(mineList.map((f) => `${f.agentId}:${f.score}`).sort(), ['a1:0', 'a1:3', 'a1:5']);
    assert.equal(mineList.find((f) => f.score === 3)?.comment, 'took days');

    const others = list.find((f) => f.agentId === 'a2')!;
    const patch = (id: unknown, body: unknown, token = MANAGER) => fetch(`${app.url}/api/followups/${String(id)}`, { method: 'PATCH', headers: authHeaders(token), body: JSON.stringify(body) });
    assert.equal((await patch(others.id, { status: 'closed' }, AGENT_A1)).status, 404);
    const own = mineList.find((f) => f.score === 3)!;
    const res = await patch(own.id, { status: 'contacted', owner: 'Anna', note: 'called, refund sent' }, AGENT_A1);
    assert.equal(res.status, 200);
    const updated = await res.json() as Row;
    assert.deepEqual([updated.status, updated.owner, updated.note], ['contacted', 'Anna', 'called, refund sent']);
    assert.ok(updated.statusChangedAt);

    for (const [body, field] of [[{ status: 'done' }, 'status'], [{}, 'body'], [{ status: 'open', extra: 1 }, 'body'], [{ note: 'x'.repeat(2001) }, 'note']] as const) {
      const bad = await patch(others.id, body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(((await bad.json()) as Row).field, field);
    }
    assert.equal((await patch('not-an-id', { status: 'closed' })).status, 404);
    assert.equal((await get('/api/followups?status=contacted')).json.total, 1);
    assert.equal((await get('/api/followups?status=open')).json.total, 4);
    assert.equal((await fetch(`${app.url}/api/followups`)).status, 401);
  });
});

describe('the same figures from the command line', () => {
  function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { PATH: process.env.PATH ?? '', MONGODB_URI: mongoUri(), MONGODB_DB: app.dbName, LOG_LEVEL: 'warn', REPORT_MIN_SAMPLE: '5' },
        timeout: 60_000,
      }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
    });
  }

  test('nps-bot report as JSON, CSV and a table', async () => {
    const json = await cli(['report', '--by', 'channel', '--from', '2024-05-06', '--to', '2024-05-12', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout) as { type: string; rows: Row[] };
    assert.equal(body.type, 'transactional');
    assert.deepEqual(body.rows.map((r) => [r.channel, r.nps, r.marginOfError, r.change]), [['slack', 40, 54.8, 40], ['webhook', -100, 64.4, null]]);

    const csv = await cli(['report', '--by', 'agent', '--period', 'week', '--from', '2024-05-06', '--to', '2024-05-12', '--format', 'csv']);
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(csv.stdout.split('\r\n')[0], 'period,agentId,agentName,surveyType,sent,responses,responseRate,promoters,promotersPct,passives,passivesPct,detractors,detractorsPct,nps,marginOfError,lowSample,previousNps,change,npsLow,npsHigh,changeLow,changeHigh,changeLabel');

    const table = await cli(['report', '--by', 'agent', '--from', '2024-05-06', '--to', '2024-05-12']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Transactional NPS: .*not the company's NPS\./);
    assert.match(table.stdout, /2024-05-06 to 2024-05-12 \(UTC\); change against 2024-04-29 to 2024-05-05\./);
    assert.match(table.stdout, /\na1 +Anna +6 +5 +83\.3% +60% +20% +20% +40 +54\.8 +\+40\n/);
    assert.match(table.stdout, /\na2 +Bo +2 +2 +100% .* -100 +64\.4 +– +low sample \(<5\)\n/);

    const bad = await cli(['report', '--by', 'customer']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^nps-bot: --by: /);
  });

  test('nps-bot followups lists and updates', async () => {
    const list = await cli(['followups', '--status', 'all', '--format', 'json']);
    assert.equal(list.code, 0, list.stderr);
    const body = JSON.parse(list.stdout) as { total: number; followups: Row[] };
    assert.equal(body.total, 5);
    const target = body.followups.find((f) => f.status === 'open')!;
    const set = await cli(['followups', '--set', String(target.id), '--status', 'closed', '--owner', 'Maria', '--note', 'done, thanks']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, new RegExp(`^${String(target.id)}  closed`));
    const after = await get(`/api/followups/${String(target.id)}`);
    assert.deepEqual([after.json.status, after.json.owner, after.json.note], ['closed', 'Maria', 'done, thanks']);
    const missing = await cli(['followups', '--set', '0123456789abcdef01234567', '--status', 'closed']);
    assert.equal(missing.code, 1);
  });
});
