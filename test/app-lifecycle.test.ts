/**
 * The bot's lifecycle around its work: a shutdown takes no new requests, lets the work
 * in flight finish (within SHUTDOWN_SECONDS), and only then closes; a survey that could
 * not be asked within ASK_WITHIN_HOURS of its resolution expires instead of asking late.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { ChannelContext } from '../src/conversation/channel-contract/channel.ts';
import { ShuttingDownError } from '../src/in-flight.ts';
import { authHeaders, startTestApp } from './helpers/app.ts';
import { HOUR, TestClock } from './helpers/engine.ts';
import { RecordingChannel } from './helpers/recording-channel.ts';
import { surveyModel } from '../src/storage/surveys/survey-model.ts';

const resolution = (n: string) => ({ channel: 'test', conversationId: `conv-${n}`, customer: { id: `cust-${n}` }, agent: { id: 'agent-1' } });

describe('shutdown', () => {
  test('stops taking requests, lets the question in flight finish and store, then stops', async () => {
    const channel = new RecordingChannel();
    const app = await startTestApp({ label: 'shutdown', channels: [channel], schedule: false });
    try {
      channel.hold();
      const { surveyId } = await app.sink.resolved(resolution('a'));
      await channel.sendsStarted();
      const stopping = app.stop();
      // New work is refused: HTTP no longer connects, and the engine says why.
      await assert.rejects(fetch(`${app.url}/healthz`));
      await assert.rejects(app.sink.message({ channel: 'test', customerId: 'cust-a', text: '9' }), ShuttingDownError);
      let stopped = false;
      void stopping.then(() => { stopped = true; });
      // A window for a wrong early finish to show (a negative check: the pause is the behaviour under test).
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(stopped, false, 'stop waits for the question in flight');
      channel.release();
      await stopping;
      const s = await surveyModel(app.conn).findById(surveyId).lean();
      assert.equal(s?.state, 'asked', 'the question that went out is stored as asked');
    } finally {
      channel.release();
      await app.close();
    }
  });

  test('work that outlives SHUTDOWN_SECONDS is left to the lease: stop returns, the survey waits for another process', async () => {
    const channel = new RecordingChannel();
    const app = await startTestApp({ label: 'shutdown2', channels: [channel], schedule: false, env: { SHUTDOWN_SECONDS: '1' } });
    try {
      channel.hold();
      const { surveyId } = await app.sink.resolved(resolution('b'));
      await channel.sendsStarted();
      await app.stop();
      const s = await surveyModel(app.conn).findById(surveyId).lean();
      assert.equal(s?.state, 'sending');
      assert.ok(s?.owed?.dueAt, 'the question stays owed; its lease lapses and another process sends it');
    } finally {
      channel.release();
      await app.close();
    }
  });

  test('an HTTP request that arrives while stopping gets 503 with Retry-After, not a lost resolution', async () => {
    const channel = new RecordingChannel('webhook');
    const app = await startTestApp({ label: 'shutdown3', channels: [channel], schedule: false });
    try {
      channel.hold();
      // Keep one connection open (keep-alive) so a request can still reach the app while it drains.
      await app.sink.resolved({ ...resolution('c'), channel: 'webhook' });
      await channel.sendsStarted();
      const agent = { keepalive: true } as const;
      const first = await fetch(`${app.url}/healthz`, agent);
      assert.equal(first.status, 200);
      const stopping = app.stop();
      const res = await fetch(`${app.url}/api/resolutions`, {
        method: 'POST', headers: authHeaders(), body: JSON.stringify({ ...resolution('d'), channel: 'webhook' }), ...agent,
      }).catch(() => null);
      // Either the connection is already refused, or the app answers 503: never 202 for work it will drop.
      if (res) {
        assert.equal(res.status, 503);
        assert.equal(res.headers.get('retry-after'), '5');
      }
      assert.equal(await surveyModel(app.conn).countDocuments({ conversationId: 'conv-d' }), 0);
      channel.release();
      await stopping;
    } finally {
      channel.release();
      await app.close();
    }
  });
});

describe('start-up', () => {
  test('a platform webhook route answers from the moment the port does (no 404 window while channels start)', async () => {
    const port = 29_000 + Math.floor(Math.random() * 1000);
    /** A channel that takes a while to start, like a gateway login, and mounts a webhook route. */
    class SlowStartChannel extends RecordingChannel {
      override async start(ctx: ChannelContext): Promise<void> {
        ctx.http.post('/slowchannel/webhook', (_req, res) => { res.status(200).send('ok'); });
        await new Promise((r) => setTimeout(r, 400));
      }
    }
    const starting = startTestApp({ label: 'startup', channels: [new SlowStartChannel('slow')], schedule: false, env: { PORT: String(port) } });
    const statuses: number[] = [];
    let app: Awaited<typeof starting> | undefined;
    void starting.then((a) => { app = a; });
    try {
      const deadline = Date.now() + 30_000;
      while (!app && Date.now() < deadline) {
        const res = await fetch(`http://127.0.0.1:${port}/slowchannel/webhook`, { method: 'POST' }).catch(() => null);
        if (res) statuses.push(res.status);
        await new Promise((r) => setTimeout(r, 10));
      }
      await starting;
      assert.ok(statuses.length > 0 || app, 'the app started');
      assert.deepEqual([...new Set(statuses)].filter((s) => s !== 200), [], `statuses seen while starting: ${statuses.join(',')}`);
    } finally {
      await (await starting).close();
    }
  });
});

describe('asking late', () => {
  test('a survey not asked within ASK_WITHIN_HOURS of its resolution expires with the reason; a fresh one is asked', async () => {
    const clock = new TestClock(Date.now());
    const channel = new RecordingChannel();
    const app = await startTestApp({ label: 'asklate', channels: [channel], schedule: false, now: clock.now, env: { ASK_WITHIN_HOURS: '24' } });
    try {
      const old = await app.engine.resolved({ ...resolution('old'), resolvedAt: new Date(clock.t - 30 * HOUR) });
      const fresh = await app.engine.resolved({ ...resolution('new'), resolvedAt: new Date(clock.t - 2 * HOUR) });
      assert.equal(await app.engine.askDue(), 1);
      await app.engine.expireDue();
      const o = await surveyModel(app.conn).findById(old.surveyId).lean();
      assert.equal(o?.state, 'expired');
      assert.match(o?.lastError ?? '', /not asked within 24 h/);
      assert.equal((await surveyModel(app.conn).findById(fresh.surveyId).lean())?.state, 'asked');
      assert.deepEqual(channel.sent.map((s) => s.to.customerId), ['cust-new']);
    } finally {
      await app.close();
    }
  });

  test('ASK_WITHIN_HOURS must be longer than ASK_DELAY_SECONDS', async () => {
    const { loadConfig } = await import('../src/config.ts');
    assert.throws(() => loadConfig({ ASK_WITHIN_HOURS: '1', ASK_DELAY_SECONDS: '7200' }), /ASK_WITHIN_HOURS: must be longer than ASK_DELAY_SECONDS/);
  });
});
