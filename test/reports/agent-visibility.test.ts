/**
 * What agent tokens may read (AGENT_VISIBILITY): `figures` shows an agent its own
 * figures and follow-ups but never a customer's comment (API, follow-ups, dashboard,
 * testimonials); `none` lets an agent token read nothing at all; managers are never
 * narrowed. The default (`comments`, own figures and own comments) is covered by the
 * report and dashboard tests.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { eventually, startTestApp, type TestApp } from '../helpers/app.ts';
import { surveyDoc } from '../helpers/report-fixtures.ts';
import { followupModel } from '../../src/reports/followups/followup-model.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

const MANAGER = 'manager-token-visibility-0123456789';
const AGENT = 'agent-a1-token-visibility-0123456789';
const SECRET_COMMENT = 'the parcel never came, call me on 555-0100';

async function seed(app: TestApp): Promise<void> {
  const at = new Date(Date.now() - 2 * 86_400_000);
  await surveyModel(app.conn).insertMany([
    surveyDoc({ resolvedAt: at, channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 2, comment: SECRET_COMMENT }),
    surveyDoc({ resolvedAt: at, channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 10, comment: 'lovely', testimonial: { granted: true, answeredAt: at } }),
    surveyDoc({ resolvedAt: at, channel: 'slack', agent: { id: 'a2', name: 'Bo' }, score: 9 }),
  ]);
  await eventually(async () => (await surveyModel(app.conn).countDocuments({ dirty: true })) === 0, 60_000, 'the surveys to be rolled up');
  await eventually(async () => (await followupModel(app.conn).countDocuments({})) === 1, 10_000, 'the detractor follow-up');
}

const get = async (app: TestApp, path: string, token: string): Promise<{ status: number; text: string }> => {
  const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
};

describe('AGENT_VISIBILITY=figures', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ label: 'visfigures', env: { REPORT_TOKENS: `${MANAGER}:manager,${AGENT}:agent:a1`, AGENT_VISIBILITY: 'figures', REPORT_SYNC_INTERVAL_MS: '150' } });
    await seed(app);
  });
  afterAll(async () => { await app?.close(); });

  test('the agent reads its own figures', async () => {
    const r = await get(app, '/api/reports/nps?by=agent', AGENT);
    assert.equal(r.status, 200);
    const rows = (JSON.parse(r.text) as { rows: Array<{ agentId: string; responses: number }> }).rows;
    assert.deepEqual(rows.map((x) => [x.agentId, x.responses]), [['a1', 2]]);
    assert.equal((await get(app, '/api/reports/agents', AGENT)).status, 200);
    assert.equal((await get(app, '/api/reports/trend', AGENT)).status, 200);
  });

  test('but no comment: comments and testimonials are refused, follow-ups come without the comment', async () => {
    for (const path of ['/api/reports/comments', '/api/reports/comments?format=csv', '/api/reports/testimonials']) {
      const r = await get(app, path, AGENT);
      assert.equal(r.status, 403, path);
      assert.match(r.text, /AGENT_VISIBILITY=figures/);
    }
    const followups = JSON.parse((await get(app, '/api/followups', AGENT)).text) as { followups: Array<{ agentId: string; score: number; comment: string | null }> };
    assert.deepEqual(followups.followups.map((f) => [f.agentId, f.score, f.comment]), [['a1', 2, null]]);
    const one = await get(app, `/api/followups/${(await followupModel(app.conn).findOne({}).lean().exec())!._id}`, AGENT);
    assert.equal(one.status, 200);
    assert.ok(!one.text.includes('parcel'), one.text);
  });

  test('the dashboard shows the agent its figures and no customer text', async () => {
    const page = await get(app, '/dashboard', AGENT);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('id="agent-table"'));
    assert.ok(!page.text.includes('parcel') && !page.text.includes('lovely'), 'no comment anywhere on the page');
    assert.match(page.text, /not customers' comments \(AGENT_VISIBILITY=figures\)/);
    assert.equal((await get(app, '/dashboard/testimonials', AGENT)).status, 403);
  });

  test('a manager is not narrowed', async () => {
    const r = await get(app, '/api/reports/comments', MANAGER);
    assert.equal(r.status, 200);
    assert.ok(r.text.includes('parcel'));
    assert.ok((await get(app, '/dashboard', MANAGER)).text.includes('parcel'));
  });
});

describe('AGENT_VISIBILITY=none', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ label: 'visnone', env: { REPORT_TOKENS: `${MANAGER}:manager,${AGENT}:agent:a1`, AGENT_VISIBILITY: 'none', REPORT_SYNC_INTERVAL_MS: '150' } });
    await seed(app);
  });
  afterAll(async () => { await app?.close(); });

  test('an agent token reads nothing: reports, follow-ups and the dashboard refuse it', async () => {
    for (const path of ['/api/reports/nps?by=agent', '/api/reports/agents', '/api/reports/trend', '/api/reports/comments', '/api/followups', '/api/followups/summary']) {
      const r = await get(app, path, AGENT);
      assert.equal(r.status, 403, path);
      assert.match(r.text, /AGENT_VISIBILITY=none/);
    }
    assert.equal((await get(app, '/dashboard', AGENT)).status, 401);
    const login = await fetch(`${app.url}/dashboard/login`, { method: 'POST', body: new URLSearchParams({ token: AGENT }), redirect: 'manual' });
    assert.equal(login.status, 403);
    assert.equal(login.headers.get('set-cookie'), null, 'no session for it');
    assert.match(await login.text(), /AGENT_VISIBILITY=none/);
    assert.equal((await get(app, '/api/reports/nps', MANAGER)).status, 200, 'managers still read');
  });

  test('a bad value stops start-up with one line naming the variable', async () => {
    const { loadReportSettings } = await import('../../src/reports/report-config.ts');
    assert.throws(() => loadReportSettings({ AGENT_VISIBILITY: 'some' }), /AGENT_VISIBILITY/);
  });
});
