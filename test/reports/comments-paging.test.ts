/**
 * `/api/reports/comments` pages by key (a cursor of resolvedAt and id), never by skip,
 * and every report range is bounded (two years), with a clear 400 otherwise.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { authHeaders, startTestApp, type TestApp } from '../helpers/app.ts';

let app: TestApp;
const DAY = 86_400_000;
const base = Date.parse('2025-06-30T12:00:00Z');

beforeAll(async () => {
  app = await startTestApp({ label: 'comments-paging' });
  const surveys = surveyModel(app.conn);
  // 25 comments; several share a resolvedAt, so the id must break ties.
  for (let i = 0; i < 25; i++) {
    const at = new Date(base - Math.floor(i / 3) * DAY);
    await surveys.create({
      channel: 'webhook', conversationId: `page-${i}`, customer: { id: `c${i}`, locale: 'en' }, agent: { id: 'a1' },
      state: 'completed', score: i % 11, category: 'passive', comment: `comment ${i}`, resolvedAt: at, askAt: at, completedAt: at,
    });
  }
});
afterAll(async () => { await app.close(); });

async function get(query: string) {
  const res = await fetch(`${app.url}/api/reports/comments?${query}`, { headers: authHeaders() });
  return { status: res.status, json: await res.json() as { comments: Array<{ comment: string; surveyId: string }>; next: string | null; total: number; field?: string; error?: string } };
}

const RANGE = 'from=2025-06-01&to=2025-06-30';

describe('comments paging', () => {
  test('walking the cursor visits every comment once, newest first, and a row added meanwhile does not shift the pages', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await get(`${RANGE}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200);
      assert.equal(r.json.total, pages === 0 ? 25 : 26);
      seen.push(...r.json.comments.map((c) => c.comment));
      cursor = r.json.next;
      if (pages === 0) {
        // A newer comment arrives after page 1 was read: with skip, page 2 would repeat a row.
        const at = new Date(base + 1000);
        await surveyModel(app.conn).create({
          channel: 'webhook', conversationId: 'page-new', customer: { id: 'cn', locale: 'en' }, agent: { id: 'a1' },
          state: 'completed', score: 9, category: 'promoter', comment: 'comment new', resolvedAt: at, askAt: at, completedAt: at,
        });
      }
      pages++;
    } while (cursor && pages < 20);
    assert.equal(pages, 7);
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25, 'no comment twice');
    assert.ok(!seen.includes('comment new'));
    // Newest day first.
    assert.deepEqual(seen.slice(0, 3).sort(), ['comment 0', 'comment 1', 'comment 2']);
  });

  test('page numbers after the first and made-up cursors are refused clearly', async () => {
    const page2 = await get(`${RANGE}&page=2`);
    assert.equal(page2.status, 400);
    assert.equal(page2.json.field, 'page');
    assert.match(page2.json.error ?? '', /cursor/);
    for (const cursor of ['nonsense', Buffer.from('1:zz').toString('base64url'), 'x'.repeat(101)]) {
      const r = await get(`${RANGE}&cursor=${cursor}`);
      assert.equal(r.status, 400, cursor);
      assert.equal(r.json.field, 'cursor');
    }
  });

  test('ranges longer than two years are refused with a 400 naming the field', async () => {
    const comments = await get('from=2020-01-01&to=2025-06-30');
    assert.equal(comments.status, 400);
    assert.equal(comments.json.field, 'from');
    assert.match(comments.json.error ?? '', /at most 731 days/);
    const nps = await fetch(`${app.url}/api/reports/nps?from=2020-01-01&to=2025-06-30`, { headers: authHeaders() });
    assert.equal(nps.status, 400);
    assert.match(JSON.stringify(await nps.json()), /at most 731 days/);
    assert.equal((await get('from=2023-07-01&to=2025-06-30')).status, 200, 'two years is fine');
  });
});
