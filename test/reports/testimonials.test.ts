/**
 * Testimonials end to end: a promoter answers, says yes to being quoted; the quote shows
 * in the API (JSON, CSV), on the dashboard page (escaped), only for the right agent; a
 * "no" never shows; `forget` removes the quote and the consent.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { forgetCustomer } from '../../src/forget.ts';
import { authHeaders, startTestApp, type TestApp } from '../helpers/app.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

const MANAGER = 'manager-token-testimonials-0123456789';
const AGENT_A2 = 'agent-a2-token-testimonials-0123456789';
let app: TestApp;
const channel = new RecordingChannel('test');

async function conversation(customer: string, name: string, agent: string, replies: string[]): Promise<void> {
  // The engine itself (not the app's sink, which asks in the background): each step in order.
  const { surveyId } = await app.engine.resolved({ channel: 'test', conversationId: `conv-${customer}`, customer: { id: customer, name }, agent: { id: agent } });
  assert.equal(await app.engine.askNow(surveyId), true);
  for (const text of replies) await app.engine.message({ channel: 'test', customerId: customer, text });
}

beforeAll(async () => {
  app = await startTestApp({
    label: 'testimonials', channels: [channel], schedule: false,
    env: { TESTIMONIAL_CONSENT: 'true', REPORT_TOKENS: `${MANAGER}:manager,${AGENT_A2}:agent:a2` },
  });
  await conversation('u1', 'Maja Berg', 'a1', ['10', 'Anna <b>fixed</b> it, =great', 'ja']);
  await conversation('u2', 'Ola Nordmann', 'a2', ['9 very quick', 'yes']);
  await conversation('u3', 'Kim', 'a1', ['10', 'lovely', 'no thanks']);
  await conversation('u4', 'Bo', 'a1', ['4', 'slow']);
});
afterAll(async () => { await app.close(); });

describe('testimonials', () => {
  test('the API lists only consented quotes, with first names and consent times', async () => {
    const res = await fetch(`${app.url}/api/reports/testimonials`, { headers: authHeaders(MANAGER) });
    assert.equal(res.status, 200);
    const body = await res.json() as { testimonials: Array<{ comment: string; firstName: string; score: number; consentedAt: string }> };
    assert.deepEqual(body.testimonials.map((t) => [t.firstName, t.score, t.comment]).sort(), [
      ['Maja', 10, 'Anna <b>fixed</b> it, =great'],
      ['Ola', 9, 'very quick'],
    ]);
    assert.ok(body.testimonials.every((t) => !Number.isNaN(Date.parse(t.consentedAt))));
  });

  test('CSV is spreadsheet-safe; an agent sees only their own; ingest and bad params are refused', async () => {
    const csv = await (await fetch(`${app.url}/api/reports/testimonials?format=csv`, { headers: authHeaders(MANAGER) })).text();
    assert.match(csv, /^survey_id,channel,agent_id,score,comment,first_name,consented_at,resolved_at\r\n/);
    assert.match(csv, /"Anna <b>fixed<\/b> it, =great"/);
    const agent = await (await fetch(`${app.url}/api/reports/testimonials`, { headers: authHeaders(AGENT_A2) })).json() as { testimonials: Array<{ agentId: string }> };
    assert.deepEqual(agent.testimonials.map((t) => t.agentId), ['a2']);
    const bad = await fetch(`${app.url}/api/reports/testimonials?limit=0`, { headers: authHeaders(MANAGER) });
    assert.equal(bad.status, 400);
  });

  test('the dashboard page shows the quotes escaped, with a CSV link that works in the browser session', async () => {
    const page = await fetch(`${app.url}/dashboard/testimonials`, { headers: { authorization: `Bearer ${MANAGER}` } });
    assert.equal(page.status, 200);
    const text = await page.text();
    assert.match(text, /Anna &lt;b&gt;fixed&lt;\/b&gt; it, =great/);
    assert.doesNotMatch(text, /lovely/);
    const csv = await fetch(`${app.url}/dashboard/testimonials.csv`, { headers: { authorization: `Bearer ${MANAGER}` } });
    assert.equal(csv.status, 200);
    assert.match(await csv.text(), /very quick/);
  });

  test('forget removes the quote and the consent', async () => {
    await forgetCustomer(app.conn, 'test', 'u1');
    const body = await (await fetch(`${app.url}/api/reports/testimonials`, { headers: authHeaders(MANAGER) })).json() as { testimonials: Array<{ firstName: string }> };
    assert.deepEqual(body.testimonials.map((t) => t.firstName), ['Ola']);
    const left = await surveyModel(app.conn).find({ testimonial: { $exists: true }, forgotten: true }).lean();
    assert.equal(left.length, 0);
  });
});
