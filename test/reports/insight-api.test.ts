/**
 * The understanding reports over real HTTP with the whole bot running, checked against
 * hand-computed values: comment themes (tagged when the comment is stored, and over
 * history by `nps-bot themes --retag`), what detractors mention, comments filtered by
 * theme, agents against the rest of the team with the never-surveyed reasons, NPS by
 * segment, value at risk (each customer once, by their latest answer); CSV; an agent
 * token sees only its own row; and the CLI views.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { authHeaders, eventually, startTestApp, type TestApp } from '../helpers/app.ts';
import { mongoUri } from '../helpers/database.ts';
import { surveyDoc } from '../helpers/report-fixtures.ts';
import type { SurveyDoc } from '../../src/storage/surveys/survey-model.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

const MANAGER = 'manager-token-insights-0123456789abcdef';
const AGENT_A1 = 'agent-a1-token-insights-0123456789abcdef';
const WEEK = 'from=2024-05-06&to=2024-05-12';
const at = (iso: string) => new Date(iso);
const anna = { id: 'a1', name: 'Anna' };
const bo = { id: 'a2', name: 'Bo' };

let app: TestApp;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { PATH: process.env.PATH ?? '', MONGODB_URI: mongoUri(), MONGODB_DB: app.dbName, LOG_LEVEL: 'warn', REPORT_MIN_SAMPLE: '3' },
      timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  app = await startTestApp({
    label: 'insights',
    env: { REPORT_TOKENS: `${MANAGER}:manager,${AGENT_A1}:agent:a1`, REPORT_MIN_SAMPLE: '3', REPORT_SYNC_INTERVAL_MS: '150' },
  });
  const cust = (id: string, locale: string, segment?: string, value?: number) => ({ id, locale, ...(segment ? { segment } : {}), ...(value !== undefined ? { value } : {}) });
  await surveyModel(app.conn).insertMany([
    // Week 6–12 May, slack, Anna.
    surveyDoc({ resolvedAt: at('2024-05-06T09:00:00Z'), channel: 'slack', agent: anna, score: 9, comment: 'Quick and friendly help', customer: cust('e1', 'en', 'enterprise', 1000) }),
    surveyDoc({ resolvedAt: at('2024-05-06T10:00:00Z'), channel: 'slack', agent: anna, score: 10, customer: cust('e2', 'en', 'enterprise', 2000) }),
    surveyDoc({ resolvedAt: at('2024-05-06T11:00:00Z'), channel: 'slack', agent: anna, score: 9, customer: cust('e3', 'en', 'enterprise', 5000) }),
    surveyDoc({ resolvedAt: at('2024-05-07T09:00:00Z'), channel: 'slack', agent: anna, score: 9, comment: 'Snabb leverans', customer: cust('s1', 'sv', 'smb', 100) }),
    surveyDoc({ resolvedAt: at('2024-05-08T09:00:00Z'), channel: 'slack', agent: anna, score: 3, comment: 'Leveranstiden var alldeles för lång', customer: cust('s2', 'sv', 'smb', 300) }),
    // e3 again, now a detractor: counted once, as a detractor, for value.
    surveyDoc({ resolvedAt: at('2024-05-11T09:00:00Z'), channel: 'slack', agent: anna, score: 2, comment: 'The delivery never came, I want a refund', customer: cust('e3', 'en', 'enterprise', 5000) }),
    // Resolved by Anna but never asked: fatigue, a closed messaging window, and one the engine expired unasked (48 h).
    surveyDoc({ resolvedAt: at('2024-05-08T12:00:00Z'), channel: 'slack', agent: anna, state: 'skipped', askedAt: undefined, skipReason: 'fatigue' }),
    surveyDoc({ resolvedAt: at('2024-05-09T12:00:00Z'), channel: 'slack', agent: anna, state: 'skipped', askedAt: undefined, skipReason: 'window-closed' }),
    surveyDoc({ resolvedAt: at('2024-05-10T12:00:00Z'), channel: 'slack', agent: anna, state: 'expired', askedAt: undefined, lastError: 'not asked within 48 h of the resolution' }),
    // Bo on webhook: two detractors, one never sent (the platform refused).
    surveyDoc({ resolvedAt: at('2024-05-07T15:00:00Z'), channel: 'webhook', agent: bo, score: 0, comment: 'Appen kraschar hela tiden', customer: cust('n1', 'sv') }),
    surveyDoc({ resolvedAt: at('2024-05-09T15:00:00Z'), channel: 'webhook', agent: bo, score: 6, comment: 'slow', customer: cust('n2', 'en', 'smb', 50) }),
    surveyDoc({ resolvedAt: at('2024-05-10T15:00:00Z'), channel: 'webhook', agent: bo, state: 'failed', askedAt: undefined }),
    // The week before: one enterprise detractor about delivery.
    surveyDoc({ resolvedAt: at('2024-04-30T09:00:00Z'), channel: 'slack', agent: anna, score: 4, comment: 'late delivery', customer: cust('p1', 'en', 'enterprise', 700) }),
  ]);
  await eventually(async () => (await surveyModel(app.conn).countDocuments({ dirty: true, state: { $ne: 'scheduled' } })) === 0, 60_000, 'the surveys to be rolled up');
  // History (older than the bot's catch-up window) is tagged by the CLI.
  const retag = await cli(['themes', '--retag', '--format', 'json']);
  assert.equal(retag.code, 0, retag.stderr);
  assert.deepEqual(JSON.parse(retag.stdout), { read: 7, changed: 7 });
}, 120_000);
afterAll(async () => {
  await app?.close();
});

async function get(path: string, token = MANAGER): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Headers }> {
  const res = await fetch(`${app.url}${path}`, { headers: authHeaders(token) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* CSV */ }
  return { status: res.status, json, text, headers: res.headers };
}
type Row = Record<string, unknown>;

describe('comment themes', () => {
  test('a comment is tagged as it is stored (the engine\'s completed transition)', async () => {
    const doc = surveyDoc({ resolvedAt: new Date(), channel: 'slack', agent: anna, score: 4, comment: 'Otrevlig personal och dyrt', customer: { id: 'live', locale: 'sv' } });
    await surveyModel(app.conn).insertMany([doc]);
    const stored = await surveyModel(app.conn).findById(doc._id).lean().exec() as SurveyDoc;
    app.engine.emit('transition', { survey: stored, from: 'scored', to: 'completed' });
    const themes = await eventually(async () => (await surveyModel(app.conn).findById(doc._id).lean().exec())?.themes, 5000, 'the comment to be tagged');
    assert.deepEqual(themes, ['friendliness', 'price']);
  });

  test('per theme: mentions, NPS and change; drivers; against hand-computed values', async () => {
    const r = await get(`/api/reports/themes?${WEEK}`);
    assert.equal(r.status, 200);
    assert.match(String(r.json.label), /not the company's NPS/);
    assert.deepEqual(r.json.commented, { answers: 6, detractors: 4 });
    assert.equal(r.json.untagged, 0);
    const byTheme = new Map((r.json.rows as Row[]).map((x) => [x.theme, x]));
    // delivery: "Snabb leverans" 9, "Leveranstiden…" 3, "The delivery never came…" 2 → 1 P, 2 D of 3 → −33; the week before 1 D → −100.
    assert.deepEqual(
      (({ mentions, promoters, passives, detractors, nps, previousMentions, previousNps, change, shareOfComments }) => ({ mentions, promoters, passives, detractors, nps, previousMentions, previousNps, change, shareOfComments }))(byTheme.get('delivery')!),
      { mentions: 3, promoters: 1, passives: 0, detractors: 2, nps: -33, previousMentions: 1, previousNps: -100, change: 67, shareOfComments: 50 },
    );
    // speed: "Quick…" 9, "Snabb…" 9, "slow" 6 → 2 P, 1 D of 3 → 33.
    assert.deepEqual([byTheme.get('speed')!.mentions, byTheme.get('speed')!.nps, byTheme.get('speed')!.change], [3, 33, null]);
    assert.deepEqual([byTheme.get('app')!.mentions, byTheme.get('refund')!.mentions, byTheme.get('friendliness')!.mentions, byTheme.get('price')!.mentions], [1, 1, 1, 0]);
    assert.deepEqual((r.json.rows as Row[]).slice(0, 2).map((x) => x.theme), ['delivery', 'speed']);
    // Drivers: 4 detractors commented; delivery 2 (50%, the week before 1 of 1: −50 pp), then app, refund, speed 1 each (0% the week before: +25 pp).
    assert.deepEqual((r.json.drivers as Row[]).map((x) => [x.theme, x.detractors, x.shareOfDetractors, x.change]), [
      ['delivery', 2, 50, -50], ['app', 1, 25, 25], ['refund', 1, 25, 25], ['speed', 1, 25, 25],
    ]);
    const drivers = await get(`/api/reports/drivers?${WEEK}`);
    assert.equal(drivers.json.rows, undefined);
    assert.deepEqual(drivers.json.drivers, r.json.drivers);
  });

  test('comments filtered by theme, with their themes; CSV', async () => {
    const r = await get(`/api/reports/comments?${WEEK}&theme=delivery`);
    assert.equal(r.status, 200);
    assert.deepEqual((r.json.comments as Row[]).map((c) => c.comment).sort(), ['Leveranstiden var alldeles för lång', 'Snabb leverans', 'The delivery never came, I want a refund']);
    assert.deepEqual((r.json.comments as Row[]).find((c) => c.comment === 'Snabb leverans')!.themes, ['speed', 'delivery']);
    assert.equal((await get(`/api/reports/comments?${WEEK}&theme=Not-A-Theme`)).json.field, 'theme');
    const csv = await get(`/api/reports/themes?${WEEK}&format=csv`);
    assert.match(csv.headers.get('content-disposition') ?? '', /nps-transactional-themes-2024-05-06_2024-05-12\.csv/);
    assert.ok(csv.text.startsWith('theme,label,surveyType,mentions,shareOfComments,promoters,passives,detractors,nps,marginOfError,lowSample,previousMentions,previousNps,change,npsLow,npsHigh,changeLow,changeHigh,changeLabel\r\n'));
    assert.match(csv.text, /\r\ndelivery,Delivery,transactional,3,50,1,0,2,-33,[\d.]+,false,1,-100,67,[-\d.]+,[-\d.]+,[-\d.]+,[-\d.]+,no evidence of a change\r\n/);
  });
});

describe('agents against the rest of the team', () => {
  test('difference, interval, label, and the conversations never surveyed with why', async () => {
    const r = await get(`/api/reports/agents?${WEEK}`);
    assert.equal(r.status, 200);
    // Team: Anna 4 P, 2 D; Bo 2 D → 4 P, 4 D of 8 → NPS 0.
    assert.deepEqual(r.json.team, { responses: 8, nps: 0, marginOfError: r.json.team && (r.json.team as Row).marginOfError, coveragePct: r.json.team && (r.json.team as Row).coveragePct });
    const [first, second] = r.json.rows as Row[];
    // Anna: 4 P, 2 D of 6 → 33.3 vs Bo's −100: +133.3, but Bo's 2 answers are below the minimum of 3: no claim.
    assert.equal(first!.agentId, 'a1');
    assert.deepEqual([first!.responses, first!.nps, first!.difference, first!.label, first!.lowSample], [6, 33, 133.3, 'no evidence of a difference', false]);
    assert.deepEqual([first!.resolved, first!.neverSurveyed, first!.neverSurveyedPct, first!.neverSurveyedReasons, first!.pending], [9, 3, 33.3, { fatigue: 1, 'window-closed': 1, 'expired-unasked': 1 }, 0]);
    assert.deepEqual([second!.agentId, second!.responses, second!.lowSample, second!.label], ['a2', 2, true, 'no evidence of a difference']);
    assert.deepEqual([second!.resolved, second!.neverSurveyed, second!.neverSurveyedReasons], [3, 1, { failed: 1 }]);
    // Anna's interval: var_a = 4/6 + 2/6 − (2/6)² = 0.88889, var_rest = 0 → SE = √(0.88889/6) = 0.3849 → ±75.4.
    // Adjusted Wald on each side (ñ = 9 and 5): the interval −24.4 to 148.8 holds zero anyway.
    assert.deepEqual([first!.low, first!.high], [-24.4, 148.8]);
  });

  test('an agent token sees only its own row; CSV', async () => {
    const own = await get(`/api/reports/agents?${WEEK}&agent=a2`, AGENT_A1);
    assert.deepEqual((own.json.rows as Row[]).map((x) => x.agentId), ['a1']);
    const csv = await get(`/api/reports/agents?${WEEK}&format=csv`);
    assert.match(csv.text, /^agentId,agentName,surveyType,sent,responses,responseRate,nps,marginOfError,lowSample,difference,low,high,label,resolved,neverSurveyed,neverSurveyedPct,neverSurveyedReasons,pending,coveragePct,coverageWarning\r\n/);
    assert.match(csv.text, /\r\na1,Anna,transactional,6,6,100,33,[\d.]+,false,133.3,-24.4,148.8,no evidence of a difference,9,3,33.3,expired-unasked 1; fatigue 1; window-closed 1,0,66.7,false\r\n/);
  });
});

describe('segments and value', () => {
  test('NPS by segment with change and value columns', async () => {
    const r = await get(`/api/reports/segments?${WEEK}`);
    const rows = r.json.rows as Row[];
    assert.deepEqual(rows.map((x) => x.segment), ['enterprise', 'smb', null]);
    // enterprise: 9, 10, 9, 2 → 3 P, 1 D of 4 → 50; the week before −100.
    assert.deepEqual([rows[0]!.responses, rows[0]!.nps, rows[0]!.previousNps, rows[0]!.change, rows[0]!.valueAtRisk, rows[0]!.promoterValue], [4, 50, -100, 150, 5000, 3000]);
    // smb: 9, 3, 6 → 1 P, 2 D of 3 → −33.
    assert.deepEqual([rows[1]!.responses, rows[1]!.nps, rows[1]!.valueAtRisk, rows[1]!.promoterValue], [3, -33, 350, 100]);
    assert.deepEqual([rows[2]!.responses, rows[2]!.nps, rows[2]!.valueAtRisk], [1, -100, 0]);
  });

  test('value at risk: each customer once, by the latest answer', async () => {
    const r = await get(`/api/reports/value?${WEEK}`);
    assert.deepEqual(
      (({ customers, withValue, detractorCustomers, promoterCustomers, valueAtRisk, promoterValue, previousValueAtRisk, valueAtRiskChange }) => ({ customers, withValue, detractorCustomers, promoterCustomers, valueAtRisk, promoterValue, previousValueAtRisk, valueAtRiskChange }))(r.json as never),
      // e3 answered 9 then 2: a detractor worth 5000 (not also a promoter); s2 300 and n2 50; n1 has no value.
      { customers: 7, withValue: 6, detractorCustomers: 4, promoterCustomers: 3, valueAtRisk: 5350, promoterValue: 3100, previousValueAtRisk: 700, valueAtRiskChange: 4650 },
    );
    const csv = await get(`/api/reports/value?${WEEK}&format=csv`);
    assert.match(csv.text, /^segment,surveyType,customers,withValue,detractorCustomers,valueAtRisk,promoterCustomers,promoterValue,passiveValue\r\n\(all\),transactional,7,6,4,5350,3,3100,0\r\n/);
  });

  test('bad parameters get a 400 naming the field; type=all is refused (never added up)', async () => {
    assert.equal((await get('/api/reports/value?from=2024-13-01')).json.field, 'from');
    assert.equal((await get('/api/reports/themes?type=all')).json.field, 'type');
    assert.equal((await get('/api/reports/agents?from=2024-05-12&to=2024-05-06')).json.field, 'from');
  });
});

describe('the CLI', () => {
  test('nps-bot report themes / agents / value as a table and JSON', async () => {
    const themes = await cli(['report', 'themes', '--from', '2024-05-06', '--to', '2024-05-12']);
    assert.equal(themes.code, 0, themes.stderr);
    assert.match(themes.stdout, /Transactional NPS/);
    assert.match(themes.stdout, /Delivery\s+3\s+50%\s+-33/);
    assert.match(themes.stdout, /what detractors mention/);
    const agents = await cli(['report', 'agents', '--from', '2024-05-06', '--to', '2024-05-12', '--format', 'json']);
    assert.equal(agents.code, 0, agents.stderr);
    assert.deepEqual((JSON.parse(agents.stdout) as { rows: Row[] }).rows.map((x) => x.label), ['no evidence of a difference', 'no evidence of a difference']);
    const value = await cli(['report', 'value', '--from', '2024-05-06', '--to', '2024-05-12']);
    assert.match(value.stdout, /Value at risk \(detractors\): 5350 from 4 customers/);
    const bad = await cli(['report', 'moods']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown view "moods"/);
  });

  test('nps-bot themes --try shows how a comment is tagged', async () => {
    const r = await cli(['themes', '--try', 'Leveranstiden var lång och appen kraschar', '--locale', 'sv']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { locale: 'sv', themes: ['delivery', 'app'] });
  });
});
