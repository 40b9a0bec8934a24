/**
 * The dashboard in a real headless Chromium (Debian's `chromium` driven by
 * playwright-core): log in through the form, see the agent table with answers, NPS,
 * margin of error and the low-sample flag, the channel and trend charts (inline SVG),
 * customers' text escaped, mark a follow-up closed, and save a screenshot under
 * test-output/. The understanding sections: themes with their change and what
 * detractors mention, comments filtered by theme, agents against the rest of the team
 * (no claim below the minimum sample), value at risk and segments. An agent token sees only its own row. Plain HTTP checks cover the
 * cookie, redirects and cross-site form posts.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { eventually, startTestApp, type TestApp } from '../helpers/app.ts';
import { surveyDoc } from '../helpers/report-fixtures.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

const MANAGER = 'manager-token-dashboard-0123456789';
const AGENT_A1 = 'agent-a1-token-dashboard-0123456789';
const XSS = '<script>alert("pwned")</script><img src=x onerror=alert(1)> & "quotes"';
const OUTPUT = new URL('../../test-output/', import.meta.url).pathname;

let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp({
    label: 'dashboard',
    env: { REPORT_TOKENS: `${MANAGER}:manager,${AGENT_A1}:agent:a1`, REPORT_SYNC_INTERVAL_MS: '150', REPORT_MIN_SAMPLE: '10' },
  });
  const daysAgo = (d: number, h = 10) => new Date(Date.now() - d * 86_400_000 - h * 3_600_000);
  const docs = [];
  // Anna (a1) on slack: 12 answers over the last weeks, mostly promoters.
  for (let i = 0; i < 12; i++) {
    docs.push(surveyDoc({
      resolvedAt: daysAgo(i * 2 + 1), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: [10, 9, 9, 8, 10, 7, 9, 10, 4, 9, 10, 9][i]!,
      // One detractor worth 9000 a year, about the delivery; one promoter worth 4000.
      ...(i === 8 ? { comment: 'The delivery was late', customer: { id: 'big', locale: 'en', segment: 'enterprise', value: 9000 } } : {}),
      ...(i === 0 ? { customer: { id: 'fan', locale: 'en', segment: 'enterprise', value: 4000 } } : {}),
    }));
  }
  // Bo (a2) on discord: 3 answers, one with a comment built to inject markup; low sample.
  docs.push(surveyDoc({ resolvedAt: daysAgo(2), channel: 'discord', agent: { id: 'a2', name: 'Bo' }, score: 2, comment: XSS, customer: { id: 'smb-1', locale: 'en', segment: 'smb', value: 3000 } }));
  docs.push(surveyDoc({ resolvedAt: daysAgo(5), channel: 'discord', agent: { id: 'a2', name: 'Bo' }, score: 6, comment: 'waited forever' }));
  docs.push(surveyDoc({ resolvedAt: daysAgo(9), channel: 'discord', agent: { id: 'a2', name: 'Bo' }, score: 9 }));
  // Older weeks for the trend.
  for (let w = 5; w < 11; w++) docs.push(surveyDoc({ resolvedAt: daysAgo(w * 7), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: w % 3 === 0 ? 3 : 9 }));
  docs.push(surveyDoc({ resolvedAt: daysAgo(3), channel: 'slack', agent: { id: 'a1', name: 'Anna' }, state: 'expired' }));
  await surveyModel(app.conn).insertMany(docs);
  await eventually(async () => (await surveyModel(app.conn).countDocuments({ dirty: true })) === 0, 60_000, 'the surveys to be rolled up');
  // Comments are tagged when the engine stores them (its `completed` transition).
  for (const d of docs.filter((x) => x.comment)) {
    app.engine.emit('transition', { survey: await surveyModel(app.conn).findById(d._id).lean().exec() as never, from: 'scored', to: 'completed' });
  }
  await eventually(async () => (await surveyModel(app.conn).countDocuments({ comment: { $exists: true }, themes: { $exists: false } })) === 0, 10_000, 'the comments to be tagged');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await app.close();
});

describe('dashboard over HTTP', () => {
  test('no token, no data: the page sends browsers to the login form', async () => {
    const res = await fetch(`${app.url}/dashboard`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/dashboard/login');
    const bad = await fetch(`${app.url}/dashboard`, { headers: { authorization: 'Bearer not-a-valid-token-000-0123456789' }, redirect: 'manual' });
    assert.equal(bad.status, 401);
    const csv = await fetch(`${app.url}/dashboard/export.csv?by=agent`, { redirect: 'manual' });
    assert.equal(csv.status, 303);
  });

  test('a Bearer header works for scripts; the page carries a strict CSP and no script', async () => {
    const res = await fetch(`${app.url}/dashboard`, { headers: { authorization: `Bearer ${MANAGER}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await res.text();
    assert.ok(!html.includes('<script'), 'the page has no script tag at all');
    assert.ok(html.includes('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;'));
    assert.match(html, /not the company&#39;s NPS/);
  });

  test('login sets an HttpOnly, SameSite=Strict cookie; a wrong token or a cross-site post is refused', async () => {
    const ok = await fetch(`${app.url}/dashboard/login`, { method: 'POST', body: new URLSearchParams({ token: MANAGER }), redirect: 'manual' });
    assert.equal(ok.status, 303);
    const cookie = ok.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^__Host-nps_session=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const wrong = await fetch(`${app.url}/dashboard/login`, { method: 'POST', body: new URLSearchParams({ token: 'guess-guess-guess-guess' }), redirect: 'manual' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const csrf = await fetch(`${app.url}/dashboard/login`, { method: 'POST', body: new URLSearchParams({ token: MANAGER }), headers: { origin: 'http://evil.example' }, redirect: 'manual' });
    assert.equal(csrf.status, 403);
    const exported = await fetch(`${app.url}/dashboard/export.csv?by=agent`, { headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(await exported.text(), /^agentId,agentName,surveyType,/);
  });
});

describe('dashboard in headless Chromium', () => {
  test('a manager logs in, reads the agent table and the charts, closes a follow-up', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));

    await page.goto(`${app.url}/dashboard`);
    assert.equal(new URL(page.url()).pathname, '/dashboard/login');
    await page.fill('#token', MANAGER);
    await Promise.all([page.waitForURL(`${app.url}/dashboard`), page.click('button[type=submit]')]);

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === '__Host-nps_session');
    assert.ok(session?.httpOnly, 'HttpOnly cookie');
    assert.equal(session?.sameSite, 'Strict');

    assert.match(await page.textContent('#report-label') ?? '', /Transactional NPS.*not the company's NPS/);
    const rows = await page.$$eval('#agent-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')));
    const anna = rows.find((r) => r[0]?.startsWith('Anna'));
    const bo = rows.find((r) => r[0]?.startsWith('Bo'));
    assert.ok(anna && bo, JSON.stringify(rows));
    // Anna: the 12 answers of the last 30 days (those older than 30 days feed only the trend).
    assert.match(anna[2]!, /^\d+$/);
    assert.ok(Number(anna[2]) >= 10);
    assert.match(anna[5]!, /^±\d+(\.\d)?$/);
    assert.equal(anna[7], 'ok');
    assert.deepEqual([bo[2], bo[4], bo[7]], ['3', '-33', 'low sample (<10)']);

    assert.equal(await page.locator('svg.chart.trend circle').count() > 0, true, 'trend points drawn');
    assert.ok(await page.locator('svg.chart rect.pos').count() >= 1, 'a bar per channel');
    assert.match(await page.textContent('#comments') ?? '', /<script>alert\("pwned"\)<\/script><img src=x onerror=alert\(1\)> & "quotes"/);
    assert.equal(await page.locator('#comments img').count(), 0, 'the comment stayed text');
    assert.deepEqual(dialogs, [], 'no script ran');
    assert.ok(requests.every((u) => u.startsWith(app.url)), 'nothing is loaded from elsewhere (works offline)');

    // What customers talk about, and whether it is improving.
    const themeRows = await page.$$eval('#theme-table tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-theme'), ...[...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')]));
    const delivery = themeRows.find((r) => r[0] === 'delivery');
    assert.deepEqual(delivery?.slice(1, 5), ['Delivery', '1', '33.3%', '-100'], JSON.stringify(themeRows));
    assert.ok(themeRows.some((r) => r[0] === 'speed'), 'waited forever → speed');
    assert.match(await page.textContent('#drivers') ?? '', /Delivery: 1 of 3 detractors with a comment \(33\.3%\)/);
    // Which agents differ from the team, with evidence: nobody is claimed to differ on 3 answers.
    const cmp = await page.$$eval('#agent-comparison tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-agent'), ...[...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')]));
    assert.deepEqual(cmp.map((r) => r[0]), ['a1', 'a2'], 'alphabetical within a reading, not by NPS');
    assert.equal(cmp[0]![6], 'no evidence of a difference');
    assert.match(cmp[1]![6]!, /^no evidence of a difference \(fewer than 10 answers\)$/);
    assert.match(cmp[0]![5]!, /^-?\d+(\.\d)? to -?\d+(\.\d)?$/, 'the 95% interval is shown');
    // Who was asked and who answered, with the caveat; the credit rule named under the agent table.
    assert.match(await page.textContent('#coverage-caveat') ?? '', /^NPS covers only the customers who answered: \d+ of \d+ asked/);
    const coverage = await page.$$eval('#channel-coverage tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-channel'), ...[...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')]));
    assert.deepEqual(coverage.map((r) => r[0]), ['all channels', 'discord', 'slack']);
    assert.match(coverage[2]![5]!, /^\d+(\.\d)?%$/, 'slack coverage shown');
    assert.equal(await page.locator('.coverage-warning').count(), 0, 'nobody resolved without asking here');
    assert.ok(await page.locator('#respond-time tbody tr').count() >= 1, 'responders by time of day');
    assert.match(await page.textContent('#attribution') ?? '', /ATTRIBUTION_RULE=resolver/);
    // How much revenue sits with detractors.
    assert.match(await page.textContent('#value-at-risk b') ?? '', /^12,000$/);
    assert.match(await page.textContent('#promoter-value b') ?? '', /^4,000$/);
    const segments = await page.$$eval('#segment-table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent?.trim() ?? ''));
    assert.deepEqual(segments, ['enterprise', 'smb', '(no segment)']);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}dashboard.png`, fullPage: true });

    // Comments about one theme, chosen from the form.
    await page.locator('#theme-filter select[name=theme]').selectOption('speed');
    await Promise.all([page.waitForURL(/theme=speed/), page.locator('#theme-filter button[type=submit]').click()]);
    const filtered = await page.$$eval('#comments tbody tr td.comment', (tds) => tds.map((td) => td.textContent ?? ''));
    assert.deepEqual(filtered, ['waited forever']);
    assert.match(await page.textContent('#latest-comments h2') ?? '', /Latest comments about Speed and waiting/);
    assert.deepEqual(dialogs, [], 'still no script ran');
    await page.goto(`${app.url}/dashboard`);

    // Close the follow-up on Bo's "2" from the dashboard.
    const openBefore = await page.locator('#followups tbody tr').count();
    assert.ok(openBefore >= 2, 'open detractor follow-ups are listed');
    const row = page.locator('#followups tbody tr', { hasText: 'pwned' });
    await row.locator('select[name=status]').selectOption('closed');
    await row.locator('input[name=owner]').fill('Maria');
    await row.locator('input[name=note]').fill('called back, apologised');
    await Promise.all([page.waitForURL(/\/dashboard\?saved=1$/), row.locator('button[type=submit]').click()]);
    assert.match(await page.textContent('.flash') ?? '', /Follow-up saved/);
    assert.equal(await page.locator('#followups tbody tr').count(), openBefore - 1);
    const closed = await fetch(`${app.url}/api/followups?status=closed`, { headers: { authorization: `Bearer ${MANAGER}` } });
    const body = await closed.json() as { followups: Array<{ owner: string; note: string; agentId: string }> };
    assert.deepEqual(body.followups.map((f) => [f.agentId, f.owner, f.note]), [['a2', 'Maria', 'called back, apologised']]);
    await context.close();
  });

  test('the trend chart draws each week\'s 95% band, the same interval the API returns; per month too', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${MANAGER}` }, viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    type ApiPoint = { period: string; nps: number | null; low: number | null; high: number | null; responses: number };
    const api = async (period: string): Promise<ApiPoint[]> => {
      const res = await fetch(`${app.url}/api/reports/trend?period=${period}`, { headers: { authorization: `Bearer ${MANAGER}` } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { points: ApiPoint[] }).points;
    };
    const drawn = () => page.$$eval('svg.chart.trend circle.dot', (cs) => cs.map((c) => {
      const svg = (c as SVGCircleElement).ownerSVGElement!;
      const cy = Number(c.getAttribute('cy'));
      const cx = Number(c.getAttribute('cx'));
      // The whisker drawn at this point's x: it must span the point (an NPS of 100 sits at its top).
      const whisker = [...svg.querySelectorAll('line.whisker')].find((l) => Number(l.getAttribute('x1')) === cx);
      return {
        period: c.getAttribute('data-period'), nps: Number(c.getAttribute('data-nps')),
        low: Number(c.getAttribute('data-low')), high: Number(c.getAttribute('data-high')),
        spans: whisker ? Number(whisker.getAttribute('y1')) <= cy && cy <= Number(whisker.getAttribute('y2')) && Number(whisker.getAttribute('y2')) - Number(whisker.getAttribute('y1')) > 5 : false,
      };
    }));

    await page.goto(`${app.url}/dashboard`);
    const weeks = (await api('week')).filter((p) => p.nps !== null);
    assert.ok(weeks.length >= 5, JSON.stringify(weeks));
    const points = await drawn();
    assert.deepEqual(points.map((p) => [p.period, p.nps, p.low, p.high]), weeks.map((p) => [p.period, p.nps, p.low, p.high]));
    for (const p of points) {
      assert.ok(p.low < p.high, `week ${p.period}: a real interval, even on one answer (${p.low} to ${p.high})`);
      assert.ok(p.spans, `week ${p.period}: the whisker spans the point`);
    }
    assert.ok(await page.locator('svg.chart.trend polygon.band').count() >= 1, 'consecutive weeks are joined by a shaded band');
    const band = await page.locator('svg.chart.trend polygon.band').first().boundingBox();
    assert.ok(band && band.height > 10, 'the band has a visible height');
    assert.match(await page.textContent('#trend') ?? '', /95% interval \(adjusted Wald\)/);
    mkdirSync(OUTPUT, { recursive: true });
    await page.locator('#trend').screenshot({ path: `${OUTPUT}dashboard-trend-week.png` });

    await Promise.all([page.waitForURL(/trend=month/), page.click('#trend a')]);
    assert.match(await page.textContent('#trend h2') ?? '', /Monthly trend/);
    const months = (await api('month')).filter((p) => p.nps !== null);
    assert.deepEqual((await drawn()).map((p) => [p.period, p.nps, p.low, p.high]), months.map((p) => [p.period, p.nps, p.low, p.high]));
    await page.locator('#trend').screenshot({ path: `${OUTPUT}dashboard-trend-month.png` });
    await context.close();
  });

  test('an agent token sees only its own row', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/dashboard/login`);
    await page.fill('#token', AGENT_A1);
    await Promise.all([page.waitForURL(`${app.url}/dashboard`), page.click('button[type=submit]')]);
    const agents = await page.$$eval('#agent-table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent?.trim() ?? ''));
    assert.deepEqual(agents, ['Anna (a1)']);
    assert.ok(!(await page.content()).includes('pwned'), 'another agent\'s comments stay hidden');
    await page.screenshot({ path: `${OUTPUT}dashboard-agent.png`, fullPage: true });
    await Promise.all([page.waitForURL(/\/dashboard\/login$/), page.click('header button[type=submit]')]);
    assert.equal((await context.cookies()).find((c) => c.name === '__Host-nps_session'), undefined, 'signed out');
    await context.close();
  });

  test('the testimonials page: what promoters allowed us to quote, escaped, reached from the dashboard', async () => {
    const consented = new Date(Date.now() - 86_400_000);
    await surveyModel(app.conn).insertMany([
      surveyDoc({ resolvedAt: consented, channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 10, comment: 'Anna <b>saved</b> my day', customer: { id: 'quote-1', name: 'Maja Berg', locale: 'sv' }, testimonial: { askedAt: consented, until: new Date(Date.now() + 86_400_000), granted: true, answeredAt: consented } }),
      surveyDoc({ resolvedAt: consented, channel: 'slack', agent: { id: 'a1', name: 'Anna' }, score: 9, comment: 'please keep this private', customer: { id: 'quote-2', locale: 'en' }, testimonial: { askedAt: consented, until: new Date(Date.now() + 86_400_000), granted: false, answeredAt: consented } }),
    ]);
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await page.goto(`${app.url}/dashboard/login`);
    await page.fill('#token', MANAGER);
    await Promise.all([page.waitForURL(`${app.url}/dashboard`), page.click('button[type=submit]')]);
    await Promise.all([page.waitForURL(/\/dashboard\/testimonials$/), page.click('a[href="/dashboard/testimonials"]')]);
    const quotes = await page.$$eval('li.testimonial blockquote', (els) => els.map((e) => e.textContent ?? ''));
    assert.deepEqual(quotes, ['“Anna <b>saved</b> my day”'], 'the text is shown as text; a "no" is never shown');
    assert.match(await page.textContent('li.testimonial p') ?? '', /^Maja · 10\/10 · slack/);
    assert.equal(await page.locator('li.testimonial b').count(), 0, 'no markup from the customer');
    await page.screenshot({ path: `${OUTPUT}dashboard-testimonials.png`, fullPage: true });
    const csv = await page.request.get(`${app.url}/dashboard/testimonials.csv`);
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /Anna <b>saved<\/b> my day/);
    assert.deepEqual(dialogs, []);
    await context.close();
  });
});
