/**
 * GET /metrics on a running bot: who may read it, and that the figures follow what the
 * bot did (questions sent, failed, skipped, answers, sends and 429s, outbox depth, HTTP
 * requests by route, surveys by state, scheduler lag, dirty surveys).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { authHeaders, eventually, startTestApp, TEST_API_TOKEN, type TestApp } from '../helpers/app.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { readSurvey } from '../helpers/surveys.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdefgh';
const AGENT_TOKEN = 'agent-token-0123456789abcdefghijklmn';

const resolution = (n: string, extra: Record<string, unknown> = {}) =>
  ({ channel: 'test', conversationId: `conv-${n}`, customer: { id: `cust-${n}` }, agent: { id: 'agent-1' }, ...extra });

async function scrape(app: TestApp, token = METRICS_TOKEN): Promise<string> {
  const res = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return res.text();
}

/** The value of one sample, e.g. `nps_answers_total{channel="test",category="promoter"}`; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

async function resolve(app: TestApp, body: unknown): Promise<void> {
  const res = await fetch(`${app.url}/api/resolutions`, { method: 'POST', headers: authHeaders(), body: JSON.stringify(body) });
  assert.equal(res.status, 202, await res.text());
}

describe('GET /metrics', () => {
  let app: TestApp;
  const channel = new RecordingChannel('test');
  beforeAll(async () => {
    app = await startTestApp({
      label: 'metrics', channels: [channel],
      env: { METRICS_TOKEN, REPORT_TOKENS: `${AGENT_TOKEN}:agent:agent-1`, METRICS_GAUGE_SECONDS: '1' },
    });
  });
  afterAll(async () => { await app?.close(); });

  test('answers only METRICS_TOKEN and manager tokens', async () => {
    assert.equal((await fetch(`${app.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer not-a-token-at-all-0123456789' } })).status, 401);
    assert.equal((await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` } })).status, 403);
    assert.match(await scrape(app, TEST_API_TOKEN), /nps_questions_sent_total/);
    assert.match(await scrape(app), /nps_http_request_duration_seconds_bucket/);
  });

  test('counts what the bot did', async () => {
    channel.refuse.add('cust-refused');
    channel.retryAfter.set('cust-waited', 3_600_000);
    await resolve(app, resolution('ok'));
    await resolve(app, resolution('refused'));
    await resolve(app, resolution('waited'));
    await resolve(app, resolution('bot', { customer: { id: 'cust-bot', isBot: true } }));
    await eventually(async () => (await readSurvey(app, { conversationId: 'conv-ok' }))?.state === 'asked', 10_000, 'the question');
    await eventually(async () => (await readSurvey(app, { conversationId: 'conv-refused' }))?.state === 'failed', 10_000, 'the failure');
    await eventually(async () => (await readSurvey(app, { conversationId: 'conv-bot' }))?.state === 'skipped', 10_000, 'the skip');
    await eventually(async () => (await readSurvey(app, { conversationId: 'conv-waited' }))?.lastError, 10_000, 'the rate limit');
    await app.sink.message({ channel: 'test', customerId: 'cust-ok', text: '10' });

    const text = await eventually(async () => {
      const t = await scrape(app);
      return sample(t, 'nps_surveys', { state: 'scored', channel: 'test' }) === 1 ? t : undefined;
    }, 10_000, 'the survey counts');
    assert.equal(sample(text, 'nps_questions_sent_total', { channel: 'test' }), 1);
    assert.equal(sample(text, 'nps_questions_failed_total', { channel: 'test' }), 1);
    assert.equal(sample(text, 'nps_questions_skipped_total', { channel: 'test', reason: 'bot' }), 1);
    assert.equal(sample(text, 'nps_answers_total', { channel: 'test', category: 'promoter' }), 1);
    assert.equal(sample(text, 'nps_send_attempts_total', { channel: 'test', outcome: 'permanent' }), 1);
    assert.equal(sample(text, 'nps_platform_rate_limited_total', { channel: 'test' }), 1);
    assert.equal(sample(text, 'nps_platform_retry_after_seconds_total', { channel: 'test' }), 3600);
    assert.ok(sample(text, 'nps_sends_total', { channel: 'test', kind: 'message', outcome: 'ok' }) >= 2, 'the question and the follow-up');
    assert.equal(sample(text, 'nps_sends_total', { channel: 'test', kind: 'message', outcome: 'permanent' }), 1);
    assert.equal(sample(text, 'nps_http_requests_total', { route: '/api/resolutions', method: 'POST', status: '202' }), 4);
    assert.equal(sample(text, 'nps_http_request_duration_seconds_count', { route: '/api/resolutions', method: 'POST', status: '202' }), 4);
    assert.equal(sample(text, 'nps_surveys', { state: 'failed', channel: 'test' }), 1);
    assert.equal(sample(text, 'nps_surveys', { state: 'scheduled', channel: 'test' }), 1, 'the one told to wait an hour');
    assert.equal(sample(text, 'nps_outbox_depth', { channel: 'test' }), 0);
    assert.equal(sample(text, 'nps_db_up'), 1);
    // Ids never become labels.
    assert.doesNotMatch(text, /cust-|conv-/);
  });

  test('the outbox depth counts a send the platform holds', async () => {
    channel.hold();
    try {
      await resolve(app, resolution('held'));
      await channel.sendsStarted(channel.started + 1);
      assert.equal(sample(await scrape(app), 'nps_outbox_depth', { channel: 'test' }), 1);
    } finally {
      channel.release();
    }
    await eventually(async () => sample(await scrape(app), 'nps_outbox_depth', { channel: 'test' }) === 0, 10_000, 'an empty outbox');
  });

  test('requests no route matched share one label', async () => {
    await fetch(`${app.url}/no/such/path/12345`);
    const text = await scrape(app);
    assert.ok(sample(text, 'nps_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }) >= 1);
    assert.doesNotMatch(text, /12345/);
  });
});

describe('database gauges', () => {
  test('scheduler lag is the wait of the oldest due survey; dirty surveys are counted', async () => {
    let clock = Date.now();
    const app = await startTestApp({
      label: 'metricslag', channels: [new RecordingChannel('test')], schedule: false, env: { ASK_DELAY_SECONDS: '60' }, now: () => new Date(clock),
    });
    try {
      await resolve(app, resolution('late'));
      clock += 600_000;
      const text = await scrape(app, TEST_API_TOKEN);
      // Due nine minutes ago (resolved ten minutes ago, asked one minute after): nobody asked it.
      const lag = sample(text, 'nps_scheduler_lag_seconds');
      assert.equal(lag, 540);
      assert.equal(sample(text, 'nps_rollup_dirty_surveys'), 1);
      assert.equal(sample(text, 'nps_surveys', { state: 'scheduled', channel: 'test' }), 1);
    } finally {
      await app.close();
    }
  });
});
