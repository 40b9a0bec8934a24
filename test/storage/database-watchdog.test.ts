/**
 * The database watchdog (src/storage/database-watchdog.ts) against the real driver and
 * the real MongoDB-protocol server, through the outage proxy (test/fakes/database-outage.ts).
 *
 * The defect it works around is made to happen, not waited for: `hangMonitor` leaves the
 * driver's server monitor waiting forever on a destroyed socket (what a loaded machine
 * produced by chance in the Slack outage test), then the proxy cuts the database and
 * restores it. Without the watchdog the connection never comes back; with it, it does
 * within a bound, and models made before keep working.
 */
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import mongoose, { Schema, type Connection } from 'mongoose';
import { startApp, type RunningApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { DatabaseWatchdog, type RestartReason } from '../../src/storage/database-watchdog.ts';
import { DatabaseOutage } from '../fakes/database-outage.ts';
import { eventually, TEST_API_TOKEN } from '../helpers/app.ts';
import { openTestDb } from '../helpers/database.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';

const WAIT = 30_000;

let outage: DatabaseOutage;
let direct: Awaited<ReturnType<typeof openTestDb>>;
let conn: Connection | undefined;
let watchdog: DatabaseWatchdog | undefined;

const pings = async (c: Connection) => c.db!.command({ ping: 1 }).then(() => true, () => false);

async function outageConn(): Promise<Connection> {
  conn = await mongoose.createConnection(outage.uri, { dbName: direct.dbName, ...outage.fastFailure }).asPromise();
  return conn;
}

/** Hang the monitor, take the database away until `c` has noticed, bring it back. */
async function hungThroughOutage(c: Connection): Promise<void> {
  await outage.hangMonitor(c);
  outage.cut();
  await eventually(async () => !(await pings(c)), WAIT, 'the connection to notice the outage');
  outage.restore();
}

/**
 * A connection left down by a hung monitor with the database back: it must not answer
 * for six heartbeat periods. The hang reaches into the driver and does not always take
 * (a loaded machine can reconnect the monitor first), so a connection that recovers by
 * itself is closed and the hang made again, up to three times; three recoveries in a row
 * fail the test (then the driver no longer hangs, and the watchdog's premise should be looked at).
 */
async function stuckAfterOutage(): Promise<Connection> {
  for (let attempt = 1; ; attempt++) {
    const c = await outageConn();
    await hungThroughOutage(c);
    const backAt = Date.now();
    let recovered = false;
    while (!recovered && Date.now() - backAt < 6 * outage.fastFailure.heartbeatFrequencyMS) {
      recovered = await pings(c);
      if (!recovered) await new Promise((r) => setTimeout(r, 100));
    }
    if (!recovered) return c;
    assert.ok(attempt < 3, 'the driver recovered by itself three times: the hang the watchdog works around may be fixed');
    await c.close();
    conn = undefined;
  }
}

beforeAll(async () => {
  outage = await DatabaseOutage.start();
  direct = await openTestDb('watchdog');
});

afterEach(async () => {
  outage.restore();
  await watchdog?.stop();
  watchdog = undefined;
  await conn?.close();
  conn = undefined;
});

afterAll(async () => {
  await direct?.drop();
  await outage?.stop();
});

describe('database watchdog', () => {
  test('a hung server monitor: the driver alone stays down after the database is back; the watchdog brings it back and models keep working', async () => {
    // Written before the outage through a connection of its own (the hang may need a fresh connection).
    const before = await outageConn();
    await before.model('WatchdogNote', new Schema({ text: String })).create({ text: 'before' });
    await before.close();
    // The behaviour under test is "does not recover by itself": six heartbeat periods with
    // the database back, and still no answer. (If a driver upgrade fixes the hang, this says so.)
    const c = await stuckAfterOutage();
    const Note = c.model('WatchdogNote', new Schema({ text: String }));

    const restarts: RestartReason[] = [];
    watchdog = new DatabaseWatchdog(c, silentLogger(), { intervalMs: 100, onRestart: (why) => restarts.push(why) }).start();
    await eventually(async () => pings(c), WAIT, 'the connection to come back');
    assert.deepEqual(restarts, ['stuck-heartbeat']);
    await Note.create({ text: 'after' });
    assert.deepEqual((await Note.find().sort({ _id: 1 }).lean()).map((n) => n.text), ['before', 'after']);
  });

  test('a client that stays down while a fresh one reaches the database is connected again (stale client)', async () => {
    const c = await stuckAfterOutage();
    const restarts: RestartReason[] = [];
    // The stuck-heartbeat sign is put out of reach, so only the probe can decide.
    watchdog = new DatabaseWatchdog(c, silentLogger(), { intervalMs: 100, staleAfterMs: 500, heartbeatSlackMs: 3_600_000, uri: outage.uri, onRestart: (why) => restarts.push(why) }).start();
    await eventually(async () => pings(c), WAIT, 'the connection to come back');
    assert.deepEqual(restarts, ['stale-client']);
  });

  test('while the database is still away, nothing is restarted on the probe\'s word', async () => {
    const c = await outageConn();
    outage.cut();
    await eventually(async () => !(await pings(c)), WAIT, 'the connection to notice the outage');
    const restarts: RestartReason[] = [];
    // Driven by hand (its own timer is out of the way): several looks past staleAfterMs, each probing a database that is not there.
    watchdog = new DatabaseWatchdog(c, silentLogger(), { intervalMs: 3_600_000, staleAfterMs: 200, uri: outage.uri, onRestart: (why) => restarts.push(why) }).start();
    for (let i = 0; i < 4; i++) {
      await watchdog.check();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(restarts, []);
    outage.restore();
    await eventually(async () => pings(c), WAIT, 'the driver to find the server by itself (its monitor was not hung)');
  });
});

describe('the running bot', () => {
  let app: RunningApp | undefined;
  afterAll(async () => { await app?.stop(); });

  test('with its server monitor hung through an outage, /readyz is ready again and the restart is counted in /metrics', async () => {
    const c = await outageConn();
    app = await startApp({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN }),
      logger: silentLogger(),
      channels: [new RecordingChannel('test')],
      database: { conn: c, embedded: false, close: async () => {} },
      schedule: false,
    });
    const ready = async () => (await fetch(`${app!.url}/readyz`)).status;
    assert.equal(await ready(), 200);
    const restartsCounted = async () => {
      const metrics = await (await fetch(`${app!.url}/metrics`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).text();
      return Number(/nps_db_watchdog_restarts_total\{why="stuck-heartbeat"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    };
    // The hang does not always take (stuckAfterOutage above): a connection that came back
    // by itself restarted nothing, and the hang is made again, up to three times.
    for (let attempt = 1; ; attempt++) {
      await hungThroughOutage(c);
      await eventually(async () => (await ready()) === 200, WAIT, '/readyz to say ready again');
      // Ready is said once the client answers; the restart is counted right after.
      const counted = await eventually(async () => (await restartsCounted()) > 0, 3_000, 'the restart to be counted').then(() => true, () => false);
      if (counted) break;
      assert.ok(attempt < 3, 'the driver recovered by itself three times: nothing for the watchdog to do');
    }
    assert.equal(await restartsCounted(), 1);
    await app.stop();
    app = undefined;
  });
});
