/**
 * GET /api/surveys: one row per conversation, JSON or CSV (Accept or ?format=csv), paged
 * by an opaque cursor that does not shift when surveys are added, limit bounded; a manager
 * sees every survey, an agent token only its own (without comments under
 * AGENT_VISIBILITY=figures). And GET /api/reports/reminders: answers after a reminder apart.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { surveyDoc } from '../helpers/report-fixtures.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

const MANAGER = 'manager-token-surveylist-0123456789';
const AGENT = 'agent-a1-token-surveylist-012345678';

const get = async (app: TestApp, path: string, token: string | null, accept?: string) => {
  const res = await fetch(`${app.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(accept ? { accept } : {}) } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', next: res.headers.get('x-next-cursor'), text: await res.text() };
};

interface Row { surveyId: string; agentId: string; comment?: string | null; score: number | null; remindedAt: string | null; answeredAfterReminder: boolean }
interface Page { limit: number; surveys: Row[]; next: string | null }

async function seed(app: TestApp): Promise<string[]> {
  const at = new Date(Date.now() - 2 * 86_400_000);
  const reminded = new Date(at.getTime() + 4 * 3_600_000);
  const docs = [
    surveyDoc({ resolvedAt: at, agent: { id: 'a1', name: 'Anna' }, score: 2, comment: 'late parcel' }),
    surveyDoc({ resolvedAt: at, agent: { id: 'a2', name: 'Bo' }, score: 9, comment: 'fine' }),
    surveyDoc({ resolvedAt: at, agent: { id: 'a1', name: 'Anna' } }),
    surveyDoc({ resolvedAt: at, agent: { id: 'a1', name: 'Anna' }, score: 7, remindedAt: reminded, scoredAt: new Date(reminded.getTime() + 600_000) }),
    surveyDoc({ resolvedAt: at, agent: { id: 'a2', name: 'Bo' }, remindedAt: reminded }),
  ];
  await surveyModel(app.conn).insertMany(docs);
  return docs.map((d) => String(d._id));
}

describe('GET /api/surveys', () => {
  let app: TestApp;
  let ids: string[];
  beforeAll(async () => {
    app = await startTestApp({ label: 'surveylist', env: { REPORT_TOKENS: `${MANAGER}:manager,${AGENT}:agent:a1` }, schedule: false });
    ids = await seed(app);
  });
  afterAll(async () => { await app?.close(); });

  test('a manager pages through every survey; a survey added meanwhile shifts nothing and comes on a later page', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let added = false;
    for (let pages = 0; pages < 10; pages++) {
      const r = await get(app, `/api/surveys?limit=2${cursor ? `&cursor=${cursor}` : ''}`, MANAGER);
      assert.equal(r.status, 200, r.text);
      const page = JSON.parse(r.text) as Page;
      seen.push(...page.surveys.map((s) => s.surveyId));
      assert.equal(r.next, page.next);
      if (!added) {
        added = true;
        await surveyModel(app.conn).insertMany([surveyDoc({ resolvedAt: new Date(), agent: { id: 'a3' }, score: 10 })]);
      }
      cursor = page.next;
      if (!cursor) break;
    }
    assert.equal(new Set(seen).size, seen.length, 'no row twice');
    assert.deepEqual(seen.slice(0, 5), ids, 'in id order, none missed');
    assert.equal(seen.length, 6, 'the survey added meanwhile came last');
  });

  test('an agent token lists only its own surveys, with its comments', async () => {
    const page = JSON.parse((await get(app, '/api/surveys', AGENT)).text) as Page;
    assert.deepEqual(page.surveys.map((s) => s.agentId), ['a1', 'a1', 'a1']);
    assert.equal(page.surveys[0]!.comment, 'late parcel');
  });

  test('CSV by Accept or by format, with a header row; the cursor in X-Next-Cursor', async () => {
    const byAccept = await get(app, '/api/surveys?limit=2', MANAGER, 'text/csv');
    assert.match(byAccept.type, /text\/csv/);
    const lines = byAccept.text.trim().split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^surveyId,channel,conversationId,type,agentId,agentName,state,skipReason,score,category,comment,/);
    assert.ok(byAccept.next, 'the next page\'s cursor');
    const byFormat = await get(app, `/api/surveys?format=csv&limit=2&cursor=${byAccept.next}`, MANAGER);
    assert.match(byFormat.type, /text\/csv/);
    assert.ok(!byFormat.text.includes(ids[0]!), 'the next page');
    assert.match((await get(app, '/api/surveys', MANAGER, '*/*')).type, /json/);
  });

  test('bad input is refused with the field named; no token, no rows', async () => {
    for (const q of ['limit=0', 'limit=501', 'limit=abc', `cursor=${Buffer.from(`x:${String(new Types.ObjectId())}`).toString('base64url')}`, 'since=yesterday']) {
      const r = await get(app, `/api/surveys?${q}`, MANAGER);
      assert.equal(r.status, 400, q);
      assert.match(r.text, /limit|cursor|since/);
    }
    assert.equal((await get(app, '/api/surveys', null)).status, 401);
  });

  test('answers after a reminder are counted apart (rows and the reminders report)', async () => {
    const rows = (JSON.parse((await get(app, '/api/surveys?limit=5', MANAGER)).text) as Page).surveys;
    assert.deepEqual(rows.map((s) => s.answeredAfterReminder), [false, false, false, true, false]);
    const r = await get(app, '/api/reports/reminders', MANAGER);
    assert.equal(r.status, 200, r.text);
    const report = JSON.parse(r.text) as Record<string, number>;
    assert.equal(report.reminded, 2);
    assert.equal(report.answeredAfterReminder, 1);
    assert.equal(report.answeredWithoutReminder, 3, 'two seeded, and the one the paging test added');
    assert.equal(report.reminderResponseRate, 0.5);
    const mine = JSON.parse((await get(app, '/api/reports/reminders', AGENT)).text) as Record<string, number>;
    assert.equal(mine.reminded, 1, 'an agent counts its own');
  });
});

describe('GET /api/surveys under AGENT_VISIBILITY=figures', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ label: 'surveylistfig', env: { REPORT_TOKENS: `${MANAGER}:manager,${AGENT}:agent:a1`, AGENT_VISIBILITY: 'figures' }, schedule: false });
    await seed(app);
  });
  afterAll(async () => { await app?.close(); });

  test('the agent\'s rows carry no comment, in JSON or CSV; the manager\'s do', async () => {
    const page = JSON.parse((await get(app, '/api/surveys', AGENT)).text) as Page;
    assert.equal(page.surveys.length, 3);
    assert.ok(page.surveys.every((s) => !('comment' in s)));
    const csv = (await get(app, '/api/surveys?format=csv', AGENT)).text;
    assert.ok(!csv.includes('late parcel') && !csv.split('\r\n')[0]!.includes('comment'));
    assert.ok((await get(app, '/api/surveys', MANAGER)).text.includes('late parcel'));
  });
});
