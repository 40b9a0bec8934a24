/**
 * Two bot processes on one database, each with its own X channel (real twit, the fake
 * X API, signed Account Activity deliveries to either process): the daily DM caps are
 * one allowance, not one per process; a conversation one process saw continue is not
 * surveyed by the other; and a resolution posted without an agent finds the agent
 * from a signature the other process saw.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import mongoose, { type Connection } from 'mongoose';
import { startApp, type RunningApp } from '../../../src/app.ts';
import { ConsoleChannel } from '../../../src/channels/console-channel.ts';
import { TransientSendError } from '../../../src/conversation/channel-contract/send-errors.ts';
import { readXSettings, XChannel } from '../../../src/channels/x/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { FakeXApi, signActivity } from '../../fakes/x-api.ts';
import { authHeaders, TEST_API_TOKEN } from '../../helpers/app.ts';
import { mongoUri, openTestDb } from '../../helpers/database.ts';
import { readSurvey } from '../../helpers/surveys.ts';

const HOUR = 3_600_000;
const creds = {
  consumerKey: 'x-consumer-key-shared',
  consumerSecret: 'x-consumer-secret-shared-0123456',
  accessToken: '2100-brand-access-token',
  accessTokenSecret: 'x-access-token-secret-shared',
  brandUserId: '2100',
};
const CAP = 3;

interface Process { app: RunningApp; x: XChannel; conn: Connection }

let fake: FakeXApi;
let db: Awaited<ReturnType<typeof openTestDb>>;
let a: Process;
let b: Process;
// Both processes read one clock, moved by the test; it starts days back so resolutions are in the engine's past.
const clock = { t: Date.now() - 100 * HOUR };
let nextCustomer = 8100;
const customer = () => String(++nextCustomer);

/** One bot process: its own connection to the shared database, its own X channel. */
async function startProcess(dbName: string): Promise<Process> {
  const env = {
    X_CONSUMER_KEY: creds.consumerKey,
    X_CONSUMER_SECRET: creds.consumerSecret,
    X_ACCESS_TOKEN: creds.accessToken,
    X_ACCESS_TOKEN_SECRET: creds.accessTokenSecret,
    X_BRAND_USER_ID: creds.brandUserId,
    X_API_URL: `${fake.url}/1.1/`,
    X_INACTIVITY_HOURS: '2',
    X_AGENT_SIGNATURES: 'AB:agent-anna,CD:agent-carl',
    X_DM_PER_DAY_APP: String(CAP),
    X_DM_PER_DAY_USER: String(CAP),
    X_MAX_EVENT_AGE_MINUTES: String(24 * 60),
  };
  const x = new XChannel(readXSettings(env)!, silentLogger(), { now: () => new Date(clock.t), inactivityCheckMs: 10 * HOUR });
  const conn = await mongoose.createConnection(mongoUri(), { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
  const app = await startApp({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN, SCHEDULER_INTERVAL_MS: '100', ASK_WITHIN_HOURS: '1000' }),
    logger: silentLogger(),
    channels: [x, new ConsoleChannel(() => {})],
    database: { conn, embedded: false, close: async () => {} },
  });
  return { app, x, conn };
}

beforeAll(async () => {
  fake = await FakeXApi.start(creds);
  db = await openTestDb('xshared');
  a = await startProcess(db.dbName);
  b = await startProcess(db.dbName);
});

afterAll(async () => {
  for (const p of [a, b]) {
    await p?.app.stop();
    await p?.conn.close();
  }
  await db?.drop();
  await fake?.stop();
});

/** X delivers a payload to one of the processes (a load balancer picks either). */
async function deliverTo(p: Process, payload: unknown): Promise<void> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${p.app.url}/x/webhook`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signActivity(body, creds.consumerSecret) }, body,
  });
  assert.equal(res.status, 200, await res.text());
}

describe('X state shared by two processes', () => {
  test('the daily DM caps are one allowance for both processes', async () => {
    // A notice to an X user is one DM; the processes take turns.
    await a.x.post('4242', { text: 'one' });
    await b.x.post('4242', { text: 'two' });
    await a.x.post('4242', { text: 'three' });
    const refused = await b.x.post('4242', { text: 'four' }).then(() => null, (e: unknown) => e);
    assert.ok(refused instanceof TransientSendError, `the fourth DM of the day is refused by the other process too (got ${String(refused)})`);
    assert.match(refused.message, new RegExp(`${CAP} per app per 24 h`));
    await assert.rejects(a.x.post('4242', { text: 'five' }), TransientSendError);
    assert.equal(fake.to('4242').length, CAP, 'X got exactly the cap');
  });

  test('a conversation one process saw continue is not resolved by the other', async () => {
    const c = customer();
    const t0 = clock.t;
    clock.t = t0 + 60_000;
    await deliverTo(a, fake.brandDm(c, 'Rebooked for tomorrow ^AB', { createdAt: t0 }));
    await deliverTo(b, fake.customerDm(c, 'Thanks, but which time?', { createdAt: t0 + 60_000 }));
    clock.t = t0 + 3 * HOUR;
    assert.deepEqual(await a.x.checkInactivity(), [], 'process A saw the brand last, but B saw the customer answer');
    assert.deepEqual(await b.x.checkInactivity(), []);

    // The brand answers through B; A never sees it, yet A's check resolves the conversation.
    const last = fake.newId();
    await deliverTo(b, fake.brandDm(c, 'Between 9 and 12 ^CD', { id: last, createdAt: clock.t }));
    clock.t += 3 * HOUR;
    const [outcome, ...rest] = await a.x.checkInactivity();
    assert.equal(rest.length, 0);
    assert.equal(outcome?.status, 'scheduled');
    const s = await readSurvey(a.app, { channel: 'x', 'customer.id': c });
    assert.equal(s?.conversationId, `dm:${c}:${last}`);
    assert.equal(s?.agent.id, 'agent-carl');
    assert.deepEqual(await b.x.checkInactivity(), [], 'resolved once: B finds nothing left to resolve');
  });

  test('a resolution without an agent takes the agent from a signature either process saw', async () => {
    const c = customer();
    await deliverTo(a, fake.brandDm(c, 'Your refund is on its way ^AB', { createdAt: clock.t }));
    const res = await fetch(`${b.app.url}/api/resolutions`, {
      method: 'POST', headers: authHeaders(), body: JSON.stringify({ channel: 'x', conversationId: `care-tool-${c}`, customer: { id: c } }),
    });
    assert.equal(res.status, 202, await res.text());
    const s = await readSurvey(b.app, { channel: 'x', conversationId: `care-tool-${c}` });
    assert.equal(s?.agent.id, 'agent-anna');
  });

  test('no signature seen, or a channel that cannot tell: 400 naming agent; an agent given is taken as is', async () => {
    const unsigned = customer();
    await deliverTo(a, fake.brandDm(unsigned, 'Sorted, have a nice day', { createdAt: clock.t }));
    const post = (body: unknown) => fetch(`${a.app.url}/api/resolutions`, { method: 'POST', headers: authHeaders(), body: JSON.stringify(body) });

    const none = await post({ channel: 'x', conversationId: `care-${unsigned}`, customer: { id: unsigned } });
    assert.equal(none.status, 400);
    const noneBody = await none.json() as { field: string; error: string };
    assert.equal(noneBody.field, 'agent');
    assert.match(noneBody.error, /could not find the agent/);

    const console = await post({ channel: 'console', conversationId: 'c-1', customer: { id: 'someone' } });
    assert.equal(console.status, 400);
    const consoleBody = await console.json() as { field: string; error: string };
    assert.equal(consoleBody.field, 'agent');
    assert.match(consoleBody.error, /channel "console" cannot tell who the agent was/);

    const bad = await post({ channel: 'x', conversationId: '', customer: { id: unsigned } });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json() as { field: string }).field, 'conversationId', 'the event is checked before the channel is asked');

    const given = await post({ channel: 'x', conversationId: `care-given-${unsigned}`, customer: { id: unsigned }, agent: { id: 'agent-zed' } });
    assert.equal(given.status, 202);
    assert.equal((await readSurvey(a.app, { conversationId: `care-given-${unsigned}` }))?.agent.id, 'agent-zed');
  });
});
