/**
 * "Resolved" on X by inactivity: the brand sent the last DM and the customer has not
 * written for X_INACTIVITY_HOURS. The adapter's clock is moved by the test; the bot,
 * twit and the fake X API are real, and DMs arrive as signed Account Activity payloads.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import type { InboundMessage, ResolvedEvent } from '../../../src/conversation/channel-contract/channel.ts';
import { readXSettings, XChannel } from '../../../src/channels/x/index.ts';
import { silentLogger } from '../../../src/logger.ts';
import { FakeXApi, signActivity } from '../../fakes/x-api.ts';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.ts';
import { readSurveys } from '../../helpers/surveys.ts';
import { openTestDb } from '../../helpers/database.ts';
import { MongoChannelStateStore } from '../../../src/shared-state/channel-state-store.ts';

const HOUR = 3_600_000;
const creds = {
  consumerKey: 'x-consumer-key-inactivity',
  consumerSecret: 'x-consumer-secret-inactivity-0123',
  accessToken: '2000-brand-access-token',
  accessTokenSecret: 'x-access-token-secret-inactivity',
  brandUserId: '2000',
};

function env(apiUrl: string): Record<string, string> {
  return {
    X_CONSUMER_KEY: creds.consumerKey,
    X_CONSUMER_SECRET: creds.consumerSecret,
    X_ACCESS_TOKEN: creds.accessToken,
    X_ACCESS_TOKEN_SECRET: creds.accessTokenSecret,
    X_BRAND_USER_ID: creds.brandUserId,
    X_API_URL: apiUrl,
    X_INACTIVITY_HOURS: '2',
    X_AGENT_SIGNATURES: 'AB:agent-anna, cd:agent-carl',
    // The clock jumps hours here; replays are a matter for x-webhook-security.test.ts.
    X_MAX_EVENT_AGE_MINUTES: String(24 * 60),
  };
}

let fake: FakeXApi;
let app: TestApp;
let adapter: XChannel;
// The adapter's clock starts well in the past and is moved forward by hours, so the
// conversations it resolves are always in the engine's (real-time) past.
const clock = { t: Date.now() - 100 * HOUR };
let nextCustomer = 7000;
const customer = () => String(++nextCustomer);

beforeAll(async () => {
  fake = await FakeXApi.start(creds);
  // The test runs every check itself (checkInactivity), so the timer never races it.
  adapter = new XChannel(readXSettings(env(`${fake.url}/1.1/`))!, silentLogger(), { now: () => new Date(clock.t), inactivityCheckMs: HOUR });
  // The adapter's clock runs days behind the engine's: surveys must stay askable that long.
  app = await startTestApp({ label: 'xinactive', channels: [adapter], env: { ASK_WITHIN_HOURS: '1000' } });
  fake.webhookUrl = `${app.url}/x/webhook`;
});

afterAll(async () => {
  await fake.echoesSettled();
  await app.close();
  await fake.stop();
});

async function deliver(payload: unknown): Promise<void> {
  const res = await fake.deliver(payload);
  assert.equal(res.status, 200, await res.text());
}

const surveysOf = (customerId: string) => readSurveys(app, { channel: 'x', 'customer.id': customerId });

describe('X inactivity rule', () => {
  test('the brand wrote last and the customer is quiet for N hours: resolved, credited to the last signing agent', async () => {
    const c = customer();
    const t0 = clock.t;
    const signedId = fake.newId();
    const lastId = fake.newId();
    clock.t = t0 + 120_000; // the DMs below were sent in the last two minutes
    await deliver(fake.customerDm(c, 'My parcel is late', { createdAt: t0, name: 'Casey Jones' }));
    await deliver(fake.brandDm(c, 'So sorry! I have rebooked it for tomorrow. ^AB', { id: signedId, createdAt: t0 + 60_000 }));
    await deliver(fake.brandDm(c, 'Anything else we can help with?', { id: lastId, createdAt: t0 + 120_000 }));

    clock.t = t0 + HOUR;
    assert.deepEqual(await adapter.checkInactivity(), [], 'not yet: one hour of quiet');
    assert.equal((await surveysOf(c)).length, 0);

    clock.t = t0 + 2 * HOUR + 120_000;
    const [outcome, ...rest] = await adapter.checkInactivity();
    assert.equal(rest.length, 0);
    assert.equal(outcome?.status, 'scheduled');
    const [s] = await surveysOf(c);
    assert.equal(s?.conversationId, `dm:${c}:${lastId}`);
    assert.equal(s?.agent.id, 'agent-anna', 'the last signed DM names the agent');
    assert.equal(s?.customer.name, 'Casey Jones');
    assert.equal(s?.resolvedAt?.getTime(), t0 + 120_000, 'resolved when the brand last wrote');

    // The question goes out with quick replies, and a tap scores it.
    const q = await eventually(async () => fake.to(c).find((m) => m.quickReply), 15_000, 'the question DM');
    await eventually(async () => (await surveysOf(c))[0]?.state === 'asked', 5000, 'survey asked');
    await deliver(fake.customerDm(c, '10', { quickReplyMetadata: q.quickReply![10]!.metadata }));
    await eventually(async () => (await surveysOf(c))[0]?.score === 10, 5000, 'score 10');

    // The bot's own DMs (question, follow-up, echoed by X) never open a new conversation.
    await eventually(async () => fake.to(c).length >= 2, 5000, 'the follow-up DM');
    await fake.echoesSettled();
    clock.t += 10 * HOUR;
    assert.deepEqual(await adapter.checkInactivity(), []);
    assert.equal((await surveysOf(c)).length, 1);
  });

  test('the customer wrote last: the conversation stays open', async () => {
    const c = customer();
    const t0 = clock.t;
    clock.t = t0 + 60_000;
    await deliver(fake.brandDm(c, 'Could you send us your order number? ^CD', { createdAt: t0 }));
    await deliver(fake.customerDm(c, 'It is 12345', { createdAt: t0 + 60_000 }));
    clock.t = t0 + 5 * HOUR;
    assert.deepEqual(await adapter.checkInactivity(), []);
    assert.equal((await surveysOf(c)).length, 0);

    // The brand answers; now the brand has the last word and the clock starts again.
    await deliver(fake.brandDm(c, 'Found it, refunded. ^cd', { createdAt: clock.t }));
    clock.t += 2 * HOUR;
    const [outcome] = await adapter.checkInactivity();
    assert.equal(outcome?.status, 'scheduled');
    assert.equal((await surveysOf(c))[0]?.agent.id, 'agent-carl', 'initials match whatever their case');
  });

  test('unknown or missing initials are credited to x-brand', async () => {
    const unknown = customer();
    const unsigned = customer();
    await deliver(fake.brandDm(unknown, 'All sorted ^ZZ', { createdAt: clock.t }));
    await deliver(fake.brandDm(unsigned, 'All sorted, have a nice day', { createdAt: clock.t }));
    clock.t += 3 * HOUR;
    const outcomes = await adapter.checkInactivity();
    assert.deepEqual(outcomes.map((o) => o.status), ['scheduled', 'scheduled']);
    assert.equal((await surveysOf(unknown))[0]?.agent.id, 'x-brand');
    assert.equal((await surveysOf(unsigned))[0]?.agent.id, 'x-brand');
  });

  test('the same conversation found again (redelivered, or after a restart) is one survey', async () => {
    const c = customer();
    const brandDm = fake.brandDm(c, 'Done! ^AB', { createdAt: clock.t });
    await deliver(brandDm);
    clock.t += 3 * HOUR;
    const [first] = await adapter.checkInactivity();
    assert.equal(first?.status, 'scheduled');
    await eventually(async () => fake.to(c).length === 1, 15_000, 'the question DM');

    await deliver(brandDm); // X redelivers, or a restarted bot sees the DM again
    const [again] = await adapter.checkInactivity();
    assert.deepEqual(again, { surveyId: first!.surveyId, status: 'duplicate' });
    assert.equal((await surveysOf(c)).length, 1);
  });
});

describe('X inactivity timer', () => {
  let server: Server;
  let timed: XChannel;
  let timedDb: Awaited<ReturnType<typeof openTestDb>>;
  const resolved: ResolvedEvent[] = [];
  const timerClock = { t: Date.now() };

  beforeAll(async () => {
    timed = new XChannel(readXSettings(env(`${fake.url}/1.1/`))!, silentLogger(), { now: () => new Date(timerClock.t), inactivityCheckMs: 20 });
    const router = Router();
    const http = express();
    http.use(router);
    server = createServer(http);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    timedDb = await openTestDb('xtimer');
    await timed.start({
      logger: silentLogger(),
      http: router,
      state: new MongoChannelStateStore(timedDb.conn, 'x'),
      // A sink that records, standing in for the engine.
      sink: {
        resolved: async (e: ResolvedEvent) => { resolved.push(e); return { surveyId: 's1', status: 'scheduled' as const }; },
        message: async (_m: InboundMessage) => ({ status: 'ignored' as const }),
      },
    });
  });

  afterAll(async () => {
    await timed.stop();
    await timedDb.drop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('the periodic check resolves a quiet conversation on its own', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x/webhook`;
    const body = JSON.stringify(fake.brandDm('9001', 'Fixed it for you ^AB', { id: '777', createdAt: timerClock.t }));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signActivity(body, creds.consumerSecret) }, body });
    assert.equal(res.status, 200);
    assert.deepEqual(await timed.checkInactivity(), [], 'nothing while the customer has had no time to answer');
    assert.equal(resolved.length, 0);
    timerClock.t += 2 * HOUR;
    await eventually(async () => resolved.length === 1, 3000, 'the timer to resolve');
    assert.equal(resolved[0]?.conversationId, 'dm:9001:777');
    assert.equal(resolved[0]?.agent.id, 'agent-anna');
  });
});
