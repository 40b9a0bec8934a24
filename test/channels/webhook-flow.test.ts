/**
 * The webhook channel end to end, driven from outside by plain HTTP: a resolution
 * comes in, the question goes out signed, replies come back, and the answer is in
 * the report. Also every bad input we can think of at the HTTP edge.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { authHeaders, eventually, startTestApp, type TestApp } from '../helpers/app.ts';
import { countSurveys, readSurvey } from '../helpers/surveys.ts';
import { WebhookReceiver } from '../fakes/webhook-receiver.ts';

const SECRET = 'webhook-secret-0123456789';
let app: TestApp;
let hook: WebhookReceiver;

beforeAll(async () => {
  hook = await new WebhookReceiver(SECRET).start();
  app = await startTestApp({ label: 'webhook', env: { WEBHOOK_OUTBOUND_URL: hook.url, WEBHOOK_SECRET: SECRET, COMPANY_NAME: 'Acme' } });
});
afterAll(async () => {
  await app.close();
  await hook.stop();
});

async function post(path: string, body: unknown, headers: Record<string, string> = authHeaders()) {
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

/** Wait until the question reached the receiver and the survey is stored as asked. */
async function asked(customerId: string) {
  await eventually(async () => hook.forCustomer(customerId)[0], 5000, `question to ${customerId}`);
  return eventually(async () => {
    const s = await readSurvey(app, { 'customer.id': customerId });
    return s?.state === 'asked' ? s : null;
  }, 5000, `${customerId} asked`);
}

function resolution(customerId: string, extra: Record<string, unknown> = {}) {
  return { channel: 'webhook', conversationId: `conv-${customerId}`, customer: { id: customerId, name: 'Maja', locale: 'sv' }, agent: { id: 'agent-7', name: 'Sam' }, ...extra };
}

describe('webhook channel over real HTTP', () => {
  test('a whole survey: question (signed, with choices), score, follow-up, comment, thanks, report', async () => {
    const r = await post('/api/resolutions', resolution('c-100'));
    assert.equal(r.status, 202);
    assert.equal(r.json.status, 'scheduled');
    const surveyId = r.json.surveyId as string;
    const question = await eventually(async () => hook.forCustomer('c-100')[0], 5000, 'the question');
    assert.equal(question.surveyId, surveyId);
    assert.equal(question.conversationId, 'conv-c-100');
    assert.deepEqual(question.choices, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.match(String(question.text), /rekommendera Acme/);
    assert.ok(hook.received.every((x) => x.signed), 'every outbound message is signed');

    const score = await post('/api/channels/webhook/messages', { customerId: 'c-100', text: 'nio!' });
    assert.equal(score.status, 202);
    assert.equal(score.json.status, 'scored');
    const followup = hook.forCustomer('c-100')[1];
    assert.equal(followup?.choices, null);
    assert.match(String(followup?.text), /anledningen/);

    const comment = await post('/api/channels/webhook/messages', { customerId: 'c-100', text: 'Snabbt svar, tack Sam' });
    assert.equal(comment.json.status, 'completed');
    assert.match(String(hook.forCustomer('c-100')[2]?.text), /tack/i);

    for (const by of ['channel', 'agent', 'channel,agent']) {
      const res = await fetch(`${app.url}/api/reports/nps?by=${by}`, { headers: authHeaders() });
      assert.equal(res.status, 200);
      const body = await res.json() as { rows: Array<Record<string, unknown>> };
      const row = body.rows.find((x) => (by === 'agent' ? x.agentId === 'agent-7' : x.channel === 'webhook'));
      assert.ok(row, `row for ${by}`);
      assert.equal(row.promoters, 1);
      assert.equal(row.nps, 100);
      if (by !== 'channel') assert.equal(row.agentId, 'agent-7');
    }
  });

  test('a retried message with its messageId is applied once; the same bare score again is never the comment; every attempt at one message carries one delivery id', async () => {
    await post('/api/resolutions', resolution('c-redeliver'));
    await asked('c-redeliver');
    const question = hook.received.find((x) => x.body.customerId === 'c-redeliver')!;
    assert.match(String(question.body.deliveryId), /^[0-9a-f-]{36}$/);
    assert.equal(question.headers['x-nps-delivery'], question.body.deliveryId);
    const first = await post('/api/channels/webhook/messages', { customerId: 'c-redeliver', text: '8', messageId: 'chat-msg-1' });
    assert.equal(first.json.status, 'scored');
    const retried = await post('/api/channels/webhook/messages', { customerId: 'c-redeliver', text: '8', messageId: 'chat-msg-1' });
    assert.equal(retried.json.status, 'duplicate');
    const noId = await post('/api/channels/webhook/messages', { customerId: 'c-redeliver', text: '8' });
    assert.equal(noId.json.status, 'duplicate');
    const s = await readSurvey(app, { 'customer.id': 'c-redeliver' });
    assert.equal(s?.state, 'scored');
    assert.equal(s?.comment, undefined);
    assert.equal(hook.forCustomer('c-redeliver').length, 2, 'question and one follow-up');
    const bad = await post('/api/channels/webhook/messages', { customerId: 'c-redeliver', text: 'x', messageId: 42 });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, 'messageId');
  });

  test('a repeated resolution says duplicate and sends nothing more', async () => {
    const first = await post('/api/resolutions', resolution('c-200'));
    await eventually(async () => hook.forCustomer('c-200')[0]);
    const again = await post('/api/resolutions', resolution('c-200'));
    assert.equal(again.status, 202);
    assert.equal(again.json.status, 'duplicate');
    assert.equal(again.json.surveyId, first.json.surveyId);
    // Two whole scheduler passes after the duplicate: had it scheduled a second question, it would be out now.
    await app.scheduler.kick();
    await app.scheduler.kick();
    assert.equal(hook.forCustomer('c-200').length, 1);
  });

  test('a 429 with Retry-After from the receiver is waited out, not dropped', async () => {
    hook.answers.push({ status: 429, retryAfter: '0' }, { status: 503 });
    await post('/api/resolutions', resolution('c-300'));
    const q = await eventually(async () => hook.forCustomer('c-300')[0], 8000, 'the retried question');
    assert.ok(q);
  });

  test('a receiver refusing for good (410) marks the survey failed', async () => {
    hook.answers.push({ status: 410 });
    const r = await post('/api/resolutions', resolution('c-400'));
    const s = await eventually(async () => {
      const doc = await readSurvey(app, { _id: r.json.surveyId as string });
      return doc?.state === 'failed' ? doc : null;
    });
    assert.match(s.lastError ?? '', /410/);
  });

  test('the API needs the token', async () => {
    const none = await post('/api/resolutions', resolution('c-500'), { 'content-type': 'application/json' });
    assert.equal(none.status, 401);
    const wrong = await post('/api/resolutions', resolution('c-500'), authHeaders('not-the-token-at-all-0123456789abc'));
    assert.equal(wrong.status, 401);
    const report = await fetch(`${app.url}/api/reports/nps`);
    assert.equal(report.status, 401);
    assert.equal(await countSurveys(app, { 'customer.id': 'c-500' }), 0);
  });

  test('bad bodies get 400 with the field named', async () => {
    const cases: Array<[unknown, string]> = [
      ['{not json', 'body'],
      [[1, 2], 'body'],
      ['null', 'body'],
      [{ ...resolution('c-600'), channel: 'carrier-pigeon' }, 'channel'],
      [{ ...resolution('c-600'), channel: 'BAD NAME' }, 'channel'],
      [{ ...resolution('c-600'), conversationId: '' }, 'conversationId'],
      [{ ...resolution('c-600'), customer: { id: 'x\u0000y' } }, 'customer.id'],
      [{ ...resolution('c-600'), customer: undefined }, 'customer'],
      [{ ...resolution('c-600'), agent: { id: 42 } }, 'agent.id'],
      [{ ...resolution('c-600'), resolvedAt: 'yesterday-ish' }, 'resolvedAt'],
      [{ ...resolution('c-600'), type: 'annual' }, 'type'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/api/resolutions', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.field, field, JSON.stringify(body));
      assert.equal(typeof r.json.error, 'string');
    }
    const msg = await post('/api/channels/webhook/messages', { customerId: '', text: '9' });
    assert.equal(msg.status, 400);
    assert.equal(msg.json.field, 'customerId');
    const noText = await post('/api/channels/webhook/messages', { customerId: 'c-1' });
    assert.equal(noText.json.field, 'text');
    assert.equal(await countSurveys(app, { 'customer.id': 'c-600' }), 0);
  });

  test('an oversized body is refused with 413 and stored data is untouched', async () => {
    await post('/api/resolutions', resolution('c-700'));
    await asked('c-700');
    const huge = await post('/api/channels/webhook/messages', { customerId: 'c-700', text: 'x'.repeat(200_000) });
    assert.equal(huge.status, 413);
    const s = await readSurvey(app, { 'customer.id': 'c-700' });
    assert.equal(s?.state, 'asked');
    // And the customer can still answer.
    assert.equal((await post('/api/channels/webhook/messages', { customerId: 'c-700', text: '8' })).json.status, 'scored');
  });

  test('NUL bytes and emoji in a reply are handled politely', async () => {
    await post('/api/resolutions', resolution('c-800'));
    await asked('c-800');
    const r = await post('/api/channels/webhook/messages', { customerId: 'c-800', text: '\u0000\u0000🤔' });
    assert.equal(r.status, 202);
    assert.equal(r.json.status, 'reprompted');
    const keycap = await post('/api/channels/webhook/messages', { customerId: 'c-800', text: '🔟\u0000' });
    assert.equal(keycap.json.status, 'scored');
  });

  test('a reply with no open survey is left alone', async () => {
    const r = await post('/api/channels/webhook/messages', { customerId: 'stranger', text: '10' });
    assert.equal(r.status, 202);
    assert.equal(r.json.status, 'ignored');
  });

  test('healthz reports the database', async () => {
    const res = await fetch(`${app.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, db: 'up' });
  });

  test('unknown API routes answer 404 JSON', async () => {
    const res = await fetch(`${app.url}/api/nothing-here`, { headers: authHeaders() });
    assert.equal(res.status, 404);
  });
});
