/**
 * /readyz against /healthz: ready only once the channels have started, not while the
 * database is unreachable (a proxy the test cuts, test/fakes/database-outage.ts), and not
 * once the shutdown drain has begun.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { startApp, type RunningApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { Readiness } from '../../src/http/readiness.ts';
import { silentLogger } from '../../src/logger.ts';
import { closeTestDbBehindOutage, DatabaseOutage, openTestDbBehindOutage, type TestDbBehindOutage } from '../fakes/database-outage.ts';
import { eventually, startTestApp, TEST_API_TOKEN } from '../helpers/app.ts';
import { openTestDb } from '../helpers/database.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';

const WAIT = 15_000;

async function status(url: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: { reason?: string } }> {
  const res = await fetch(`${url}${path}`, init);
  return { status: res.status, body: await res.json() as { reason?: string } };
}

describe('readiness', () => {
  test('not ready until started, then ready; draining wins over everything', async () => {
    const db = await openTestDb('readyunit');
    try {
      const readiness = new Readiness(db.conn);
      assert.equal(await readiness.check(), 'starting');
      readiness.markStarted();
      assert.equal(await readiness.check(), null);
      readiness.markDraining();
      assert.equal(await readiness.check(), 'draining');
    } finally {
      await db.drop();
    }
  });

  test('a running bot is ready; once its shutdown begins it is not, while /healthz still answers', async () => {
    const channel = new RecordingChannel('test');
    const app = await startTestApp({ label: 'readydrain', channels: [channel], schedule: false });
    try {
      assert.deepEqual(await status(app.url, '/readyz'), { status: 200, body: { ready: true } });
      // Work in flight keeps the drain open; a kept-alive connection can still ask.
      channel.hold();
      await app.sink.resolved({ channel: 'test', conversationId: 'conv-r', customer: { id: 'cust-r' }, agent: { id: 'a' } });
      await channel.sendsStarted();
      const agent = { keepalive: true } as const;
      assert.equal((await status(app.url, '/healthz', agent)).status, 200);
      const stopping = app.stop();
      const during = await status(app.url, '/readyz', agent).catch(() => null);
      // Either the connection is already refused, or the answer is 503 draining: never ready.
      if (during) assert.deepEqual(during, { status: 503, body: { ready: false, reason: 'draining' } });
      channel.release();
      await stopping;
    } finally {
      channel.release();
      await app.close();
    }
  });
});

describe('readiness during a database outage', () => {
  let db: TestDbBehindOutage | undefined;
  let outage: DatabaseOutage;
  let app: RunningApp;
  let conn: mongoose.Connection;

  beforeAll(async () => {
    db = await openTestDbBehindOutage('readyoutage');
    ({ outage, conn } = db);
    app = await startApp({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN }),
      logger: silentLogger(),
      channels: [new RecordingChannel('test')],
      database: { conn, embedded: false, uri: outage.uri, close: async () => {} },
      schedule: false,
    });
  });

  afterAll(async () => {
    await closeTestDbBehindOutage(db, async () => app?.stop());
  });

  test('503 (database) while the database is unreachable, ready again once it is back', async () => {
    assert.equal((await status(app.url, '/readyz')).status, 200);
    outage.cut();
    const down = await eventually(async () => {
      const r = await status(app.url, '/readyz');
      return r.status === 503 ? r : undefined;
    }, WAIT, '/readyz to say not ready');
    assert.equal(down.body.reason, 'database');
    outage.restore();
    await eventually(async () => (await status(app.url, '/readyz')).status === 200, WAIT, '/readyz to say ready again');
  });
});
