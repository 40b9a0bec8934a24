/**
 * Detractor alerts, end to end over the webhook channel: a customer answers 0–6 and a
 * signed `{channelId, text}` notice reaches the managers' receiver within seconds, with
 * score, comment, agent, channel and conversation. Exactly once per detractor: not again
 * when the comment arrives, not twice with two bot processes sweeping the same
 * database, and still sent after a crash between creating the follow-up and posting.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { WebhookChannel } from '../../src/channels/webhook-channel.ts';
import { loadConfig } from '../../src/config.ts';
import type { TransitionEvent } from '../../src/conversation/engine.ts';
import { silentLogger } from '../../src/logger.ts';
import { followupModel } from '../../src/reports/followups/followup-model.ts';
import { createReports, type Reports } from '../../src/reports/reports-module.ts';
import { authHeaders, eventually, startTestApp, type TestApp } from '../helpers/app.ts';
import { WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { surveyDoc } from '../helpers/report-fixtures.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

const SECRET = 'webhook-secret-for-alerts-01';
let app: TestApp;
let hook: WebhookReceiver;
let second: Reports | undefined;

beforeAll(async () => {
  hook = await new WebhookReceiver(SECRET).start();
  app = await startTestApp({
    label: 'alerts',
    env: { WEBHOOK_OUTBOUND_URL: hook.url, WEBHOOK_SECRET: SECRET, ALERT_TARGET: 'webhook:managers', REPORT_SYNC_INTERVAL_MS: '200' },
  });
});
afterAll(async () => {
  await second?.stop();
  await app.close();
  await hook.stop();
});

const notices = () => hook.received.filter((r) => r.body.channelId !== undefined);
const noticesFor = (conversation: string) => notices().filter((r) => String(r.body.text).includes(conversation));

async function post(path: string, body: unknown) {
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: authHeaders(), body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

async function askedCustomer(customerId: string, agent = { id: 'a1', name: 'Anna' }) {
  const r = await post('/api/resolutions', {
    channel: 'webhook', conversationId: `conv-${customerId}`, customer: { id: customerId, locale: 'en' }, agent,
    link: `https://care.example.com/conversations/${customerId}`,
  });
  assert.equal(r.status, 202);
  await eventually(async () => hook.forCustomer(customerId)[0], 8000, `question to ${customerId}`);
  return r.json.surveyId as string;
}

const reply = (customerId: string, text: string) => post('/api/channels/webhook/messages', { customerId, text });

describe('detractor alerts over the webhook channel', () => {
  test('a detractor score posts one signed notice with score, agent, channel and link; the comment does not post again', async () => {
    await askedCustomer('det-1');
    assert.equal((await reply('det-1', '2')).json.status, 'scored');
    const [notice] = await eventually(async () => (noticesFor('det-1').length > 0 ? noticesFor('det-1') : null), 8000, 'the alert');
    assert.ok(notice!.signed, 'signed like every outbound message');
    assert.equal(notice!.body.channelId, 'managers');
    assert.equal(notice!.body.customerId, undefined, 'a notice carries no customer id');
    const text = String(notice!.body.text);
    assert.match(text, /scored 2\/10/);
    assert.match(text, /Channel: webhook/);
    assert.match(text, /Agent: Anna \(a1\)/);
    assert.match(text, /https:\/\/care\.example\.com\/conversations\/det-1/);
    assert.match(text, /Follow-up [0-9a-f]{24} is open/);

    assert.equal((await reply('det-1', 'nobody read my question for two days')).json.status, 'completed');
    await eventually(async () => (await surveyModel(app.conn).countDocuments({ dirty: true })) === 0, 8000, 'sync to catch up');
    const followup = await eventually(async () => followupModel(app.conn).findOne({ conversationId: 'conv-det-1', notifiedAt: { $ne: null } }).lean().exec(), 8000, 'the follow-up stamped as notified');
    await new Promise((r) => setTimeout(r, 600)); // a few more sweeps
    assert.equal(noticesFor('det-1').length, 1, 'one alert per detractor');
    assert.equal(followup.status, 'open');
  });

  test('a score with a comment in one message: the alert quotes the comment', async () => {
    await askedCustomer('det-2', { id: 'a2', name: 'Bo' });
    assert.equal((await reply('det-2', '0 - rude and slow')).json.status, 'completed');
    const [notice] = await eventually(async () => (noticesFor('det-2').length > 0 ? noticesFor('det-2') : null), 8000, 'the alert');
    assert.match(String(notice!.body.text), /scored 0\/10/);
    assert.match(String(notice!.body.text), /Comment: "rude and slow"/);
  });

  test('promoters and passives raise no alert', async () => {
    await askedCustomer('pro-1');
    await reply('pro-1', '10');
    await askedCustomer('pas-1');
    await reply('pas-1', '7');
    await eventually(async () => (await surveyModel(app.conn).countDocuments({ dirty: true })) === 0, 8000, 'sync to catch up');
    // A window for a wrong alert to show (a negative check; the sync above caught up).
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(noticesFor('pro-1').length + noticesFor('pas-1').length, 0);
  });

  test('a receiver that fails at first still gets the alert exactly once', async () => {
    await askedCustomer('det-3');
    hook.answers.push({ status: 503 }, { status: 429, retryAfter: '0' });
    await reply('det-3', '4');
    await eventually(async () => (noticesFor('det-3').length > 0 ? true : null), 15_000, 'the retried alert');
    // A window for a duplicate alert to show (a negative check; the retried one arrived above).
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(noticesFor('det-3').length, 1);
  });

  test('after a crash: answers nobody rolled up, and follow-ups never posted, are alerted on the next sweep', async () => {
    // The transition was stored (dirty) but the process died before anything else.
    const crashed = surveyDoc({ resolvedAt: new Date(), channel: 'webhook', conversationId: 'conv-crash-1', agent: { id: 'a3' }, score: 1 });
    await surveyModel(app.conn).insertMany([crashed]);
    // The follow-up was created (or claimed) but the post never happened.
    const survey2 = surveyDoc({ resolvedAt: new Date(), channel: 'webhook', conversationId: 'conv-crash-2', agent: { id: 'a3' }, score: 5, dirty: false });
    await surveyModel(app.conn).insertMany([survey2]);
    await followupModel(app.conn).create({
      surveyId: survey2._id, channel: 'webhook', conversationId: 'conv-crash-2', agentId: 'a3', type: 'transactional', score: 5,
      resolvedAt: new Date(), openedAt: new Date(), status: 'open', notifiedAt: null, notifyAfter: new Date(Date.now() - 1000), notifyAttempts: 1,
    });
    await eventually(async () => (noticesFor('conv-crash-1').length === 1 && noticesFor('conv-crash-2').length === 1) || null, 10_000, 'both alerts');
  });

  test('two bot processes sweeping the same database post each alert once', async () => {
    const adapter = new WebhookChannel({ outboundUrl: hook.url, secret: SECRET, ratePerSecond: 50 });
    second = createReports({
      config: loadConfig({ ALERT_TARGET: 'webhook:managers', REPORT_SYNC_INTERVAL_MS: '100' }),
      conn: app.conn,
      engine: new EventEmitter<{ transition: [TransitionEvent] }>(),
      post: (target, notice) => adapter.post(target.channelId, notice),
      logger: silentLogger(),
    });
    await second.start();
    const docs = Array.from({ length: 8 }, (_, i) => surveyDoc({ resolvedAt: new Date(), channel: 'webhook', conversationId: `conv-race-${i}`, agent: { id: 'a4' }, score: i % 7 }));
    await surveyModel(app.conn).insertMany(docs);
    await Promise.all([second.sweep(), second.sweep()]);
    await eventually(async () => docs.every((_, i) => noticesFor(`conv-race-${i}`).length >= 1) || null, 15_000, 'all eight alerts');
    // A window for a duplicate alert from the other process to show (a negative check; all eight arrived above).
    await new Promise((r) => setTimeout(r, 800));
    for (let i = 0; i < docs.length; i++) assert.equal(noticesFor(`conv-race-${i}`).length, 1, `conv-race-${i}`);
    assert.equal(await followupModel(app.conn).countDocuments({ agentId: 'a4' }), 8);
  });
});
