/**
 * Coverage and non-response: per channel (and per agent) the resolved conversations
 * never surveyed, the coverage with a warning when it is well below the rest of the
 * team's, the response rate beside it, and whether those who answered differ from
 * those who did not (channel, segment, value, time of day), with the caveat that NPS
 * covers only those who answered. The interval math against hand-computed values; the
 * report through the HTTP API, the CLI-shaped CSV and the dashboard page.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { coverageWellBelow, proportionDifference, rateAgainstRest } from '../../src/reports/insights/coverage-math.ts';
import { authHeaders, eventually, startTestApp, type TestApp } from '../helpers/app.ts';
import { surveyDoc, type SurveyRecord } from '../helpers/report-fixtures.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

describe('the difference of two proportions (Agresti–Caffo)', () => {
  test('against hand-computed values', () => {
    // 4 of 20 against 18 of 20: p̃ = 5/22 = .22727 and 19/22 = .86364; SE = √(.22727·.77273/22 + .86364·.13636/22)
    // = √.013336 = .11548; centre −.63636 ± .22634 → −86.3 to −41.0; observed −70.
    assert.deepEqual(proportionDifference(4, 20, 18, 20), { difference: -70, low: -86.3, high: -41 });
    assert.deepEqual(proportionDifference(0, 0, 1, 2), { difference: null, low: null, high: null });
  });

  test('coverage is flagged only when surely more than 10 points below the rest', () => {
    assert.equal(coverageWellBelow(4, 20, 18, 20), true);
    assert.equal(coverageWellBelow(18, 20, 4, 20), false, 'above the rest');
    // 2 of 4 against 18 of 20: 40 points lower as observed, but 4 conversations cannot show it.
    assert.equal(coverageWellBelow(2, 4, 18, 20), false);
    // 85 of 100 against 90 of 100: lower, but not by more than 10 points for sure.
    assert.equal(coverageWellBelow(85, 100, 90, 100), false);
  });

  test('a response rate against the rest is read only with evidence', () => {
    assert.equal(rateAgainstRest(2, 4, 3, 4), null, '2 of 4 against 3 of 4 shows nothing');
    assert.equal(rateAgainstRest(5, 40, 30, 40), 'lower');
    assert.equal(rateAgainstRest(30, 40, 5, 40), 'higher');
  });
});

const MANAGER = 'manager-token-coverage-0123456789ab';
let app: TestApp;
const day = '2024-05-08';
const at = (hour: number): Date => new Date(`${day}T${String(hour).padStart(2, '0')}:15:00Z`);

beforeAll(async () => {
  app = await startTestApp({ label: 'coverage', env: { REPORT_TOKENS: `${MANAGER}:manager`, REPORT_SYNC_INTERVAL_MS: '150', REPORT_MIN_SAMPLE: '5' } });
  const docs: SurveyRecord[] = [];
  // Slack, agent a1, mornings: 20 resolved, 18 asked, 15 answered; enterprise customers worth 5000.
  for (let i = 0; i < 20; i++) {
    const base = { resolvedAt: at(9), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, customer: { id: `s${i}`, locale: 'en', segment: 'enterprise', value: 5000 } };
    if (i < 2) docs.push(surveyDoc({ ...base, state: 'skipped', askedAt: undefined, skipReason: 'fatigue' }));
    else if (i < 17) docs.push(surveyDoc({ ...base, score: i % 2 ? 9 : 4 }));
    else docs.push(surveyDoc({ ...base, state: 'expired' }));
  }
  // Discord, agent a2, evenings: 20 resolved, only 4 asked (16 closed windows), 1 answered; smb customers worth 100.
  for (let i = 0; i < 20; i++) {
    const base = { resolvedAt: at(20), channel: 'discord', agent: { id: 'a2', name: 'Bo' }, customer: { id: `d${i}`, locale: 'en', segment: 'smb', value: 100 } };
    if (i < 16) docs.push(surveyDoc({ ...base, state: 'skipped', askedAt: undefined, skipReason: 'window-closed' }));
    else if (i < 17) docs.push(surveyDoc({ ...base, score: 10 }));
    else docs.push(surveyDoc({ ...base, state: 'expired' }));
  }
  await surveyModel(app.conn).insertMany(docs);
  await eventually(async () => (await surveyModel(app.conn).countDocuments({ dirty: true })) === 0, 60_000, 'the surveys to be rolled up');
});
afterAll(async () => { await app?.close(); });

const get = async (path: string): Promise<Response> => fetch(`${app.url}${path}`, { headers: authHeaders(MANAGER) });

describe('GET /api/reports/coverage', () => {
  test('per channel: never surveyed by reason, coverage, a warning, the response rate', async () => {
    const res = await get(`/api/reports/coverage?from=${day}&to=${day}`);
    assert.equal(res.status, 200);
    type Row = { channel: string; resolved: number; asked: number; neverSurveyed: number; neverSurveyedReasons: Record<string, number>; coveragePct: number; coverageWarning: boolean; sent: number; responses: number; responseRate: number };
    const body = await res.json() as { team: Row; channels: Row[]; caveat: string; respondents: Record<string, unknown> };
    assert.deepEqual(body.team.coveragePct, 55); // 22 of 40
    const pick = (r: Row) => [r.channel, r.resolved, r.asked, r.neverSurveyed, r.neverSurveyedReasons, r.coveragePct, r.coverageWarning, r.sent, r.responses, r.responseRate];
    assert.deepEqual(body.channels.map(pick), [
      ['discord', 20, 4, 16, { 'window-closed': 16 }, 20, true, 4, 1, 25],
      ['slack', 20, 18, 2, { fatigue: 2 }, 90, false, 18, 15, 83.3],
    ]);
    assert.match(body.caveat, /NPS covers only the customers who answered: 16 of 22 asked \(72\.7%\)/);
  });

  test('responders against non-responders: channel, segment, time of day, value', async () => {
    const body = await (await get(`/api/reports/coverage?from=${day}&to=${day}`)).json() as { respondents: { byChannel: unknown[]; bySegment: unknown[]; byTimeOfDay: unknown[]; value: unknown; notKnown: string[] } };
    const r = body.respondents;
    // 1 of 4 on discord against 15 of 18 on slack: p̃ = 2/6 against 16/20, centre −.467 ± .416: lower, even on 4.
    assert.deepEqual(r.byChannel, [
      { group: 'discord', sent: 4, responses: 1, responseRate: 25, reading: 'lower' },
      { group: 'slack', sent: 18, responses: 15, responseRate: 83.3, reading: 'higher' },
    ]);
    assert.deepEqual((r.bySegment as Array<{ group: string }>).map((g) => g.group), ['enterprise', 'smb']);
    assert.deepEqual((r.byTimeOfDay as Array<{ group: string; sent: number }>).map((g) => [g.group, g.sent]), [['evening (18–24)', 4], ['morning (06–12)', 18]]);
    // Responders: 15 at 5000 and 1 at 100; non-responders: 3 at 5000 and 3 at 100.
    assert.deepEqual(r.value, { responders: { withValue: 16, meanValue: 4693.75 }, nonResponders: { withValue: 6, meanValue: 2550 } });
    assert.match(r.notKnown[0]!, /conversation length/);
  });

  test('the agents view carries coverage and warns for the agent who asks nobody', async () => {
    const body = await (await get(`/api/reports/agents?from=${day}&to=${day}`)).json() as { team: { coveragePct: number }; rows: Array<{ agentId: string; coveragePct: number; coverageWarning: boolean; responseRate: number }> };
    assert.equal(body.team.coveragePct, 55);
    assert.deepEqual(body.rows.map((r) => [r.agentId, r.coveragePct, r.coverageWarning, r.responseRate]).sort(), [['a1', 90, false, 83.3], ['a2', 20, true, 25]]);
  });

  test('CSV, and the dashboard shows the warning and the caveat', async () => {
    const csv = await (await get(`/api/reports/coverage?from=${day}&to=${day}&format=csv`)).text();
    assert.match(csv, /^channel,surveyType,resolved,asked,neverSurveyed,neverSurveyedPct,neverSurveyedReasons,pending,coveragePct,coverageWarning,sent,responses,responseRate\r\n\(all\),transactional,40,22,18,45,window-closed 16; fatigue 2,0,55,,22,16,72\.7\r\ndiscord,transactional,20,4,16,80,window-closed 16,0,20,true,4,1,25\r\n/);
    const page = await (await get(`/dashboard?from=${day}&to=${day}`)).text();
    assert.match(page, /<tr data-channel="discord">[\s\S]*?coverage-warning">well below the team's 55%/);
    assert.ok(!/<tr data-channel="slack">[^]*?coverage-warning[^]*?<\/tr>/.test(page.split('<tr data-channel="slack">')[1]!.split('</tr>')[0]!), 'no warning on slack');
    assert.match(page, /id="coverage-caveat">NPS covers only the customers who answered/);
    assert.match(page, /<tr data-agent="a2">[\s\S]*?coverage-warning/);
  });
});
