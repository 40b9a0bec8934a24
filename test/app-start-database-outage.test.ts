/**
 * The bot starting while its database restarts: the start-up steps that need the database
 * (migrations, indexes, the rollup zone) wait for it and go on when it answers, instead of
 * ending the process (the chaos run saw a bot exit with ECONNREFUSED when the database was
 * killed just after the bot was restarted). Through the outage proxy on loopback.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import mongoose, { type Connection } from 'mongoose';
import { startApp, type RunningApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DatabaseOutage } from './fakes/database-outage.ts';
import { openTestDb } from './helpers/database.ts';
import { recordingLogger, WARN } from './helpers/log-lines.ts';
import { RecordingChannel } from './helpers/recording-channel.ts';
import { TEST_API_TOKEN } from './helpers/app.ts';

let outage: DatabaseOutage;
let db: Awaited<ReturnType<typeof openTestDb>>;
let conn: Connection;

beforeAll(async () => {
  db = await openTestDb('startoutage');
  outage = await DatabaseOutage.start();
  conn = await mongoose.createConnection(outage.uri, { dbName: db.dbName, ...outage.fastFailure }).asPromise();
});
afterAll(async () => {
  await conn?.close().catch(() => undefined);
  await outage?.stop();
  await db.drop();
});

describe('start-up while the database restarts', () => {
  test('the steps that need the database wait for it; the bot then starts and works', async () => {
    const log = recordingLogger('info');
    const { logger } = log;
    const lines = () => log.lines;
    const channel = new RecordingChannel();
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN, SCHEDULER_INTERVAL_MS: '100' });
    outage.cut();
    let app: RunningApp | undefined;
    let failed: unknown;
    const starting = startApp({ config, logger, channels: [channel], database: { conn, embedded: false, close: async () => {} }, schedule: false })
      .then((a) => { app = a; }, (err: unknown) => { failed = err; });
    try {
      // Wait until start-up has met the outage and said it is waiting (bounded), then bring the database back.
      const deadline = Date.now() + 20_000;
      while (!lines().some((l) => /the database does not answer; trying again/.test(String(l.msg))) && failed === undefined) {
        assert.ok(Date.now() < deadline, 'start-up never reported waiting for the database');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(failed, undefined, `start-up ended instead of waiting: ${String(failed)}`);
      await outage.restoreFor(conn);
      await starting;
      assert.equal(failed, undefined, `start-up failed after the database came back: ${String(failed)}`);
      assert.ok(app, 'the bot started');
      const ready = await fetch(`${app.url}/readyz`);
      assert.equal(ready.status, 200);
      const { status } = await app.sink.resolved({ channel: 'test', conversationId: 'after-outage', customer: { id: 'c1' }, agent: { id: 'a1' } });
      assert.equal(status, 'scheduled');
      // With no delay the resolution is asked at once (the sink asks it).
      const asked = Date.now() + 15_000;
      while (channel.to('c1')[0]?.kind !== 'question') {
        assert.ok(Date.now() < asked, 'the question did not go out');
        await new Promise((r) => setTimeout(r, 20));
      }
      // The waiting was said without the server's address or any id.
      const waits = lines().filter((l) => /the database does not answer/.test(String(l.msg)));
      assert.ok(waits.every((l) => l.level === WARN && !JSON.stringify(l).includes('127.0.0.1')), JSON.stringify(waits[0]));
    } finally {
      outage.restore();
      await starting;
      await app?.stop();
    }
  });
});
