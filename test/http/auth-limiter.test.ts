/**
 * Refused credentials are rate-limited per client IP (TRUST_PROXY decides which IP), and
 * only refused credentials: a valid token or session is answered whatever the failure
 * count of its address, and with the database cut a valid token gets 503 with
 * Retry-After, never 429. A request with X-Forwarded-For while TRUST_PROXY is off is
 * warned about once.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Connection } from 'mongoose';
import { startApp, type RunningApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import pino from 'pino';
import { silentLogger } from '../../src/logger.ts';
import { closeTestDbBehindOutage, DatabaseOutage, openTestDbBehindOutage, type TestDbBehindOutage } from '../fakes/database-outage.ts';
import { authHeaders, eventually, startTestApp, TEST_API_TOKEN } from '../helpers/app.ts';
import { openTestDb } from '../helpers/database.ts';

const wrong = authHeaders('wrong-token-0123456789abcdefghijklmnop');
const MANAGER = 'manager-token-limiter-0123456789abcdef';

async function signIn(url: string, token: string): Promise<Response> {
  return fetch(`${url}/dashboard/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
}

describe('refused credentials are rate-limited per client IP', () => {
  test('past the limit a wrong token gets 429; a right token, a session and the sign-in with a right token still work; X-Forwarded-For buys nothing without TRUST_PROXY', async () => {
    const limited = await startTestApp({ label: 'ratelimit', env: { AUTH_FAILURES_PER_15MIN: '3', REPORT_TOKENS: `${MANAGER}:manager` } });
    try {
      const session = (await signIn(limited.url, MANAGER)).headers.get('set-cookie')!.split(';')[0]!;
      for (let i = 0; i < 10; i++) assert.equal((await fetch(`${limited.url}/api/reports/nps`, { headers: authHeaders() })).status, 200);
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${limited.url}/api/reports/nps`, { headers: { ...wrong, 'x-forwarded-for': `203.0.113.${i}` } });
        assert.equal(r.status, 401);
      }
      const blocked = await fetch(`${limited.url}/api/reports/nps`, { headers: { ...wrong, 'x-forwarded-for': '198.51.100.7' } });
      assert.equal(blocked.status, 429, 'a made-up X-Forwarded-For does not buy new attempts');
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
      assert.equal((await fetch(`${limited.url}/api/reports/nps`)).status, 429, 'no token at all is a refused credential too');
      const guess = await signIn(limited.url, 'guess');
      assert.equal(guess.status, 429, 'the sign-in form shares the limit');

      // Nobody can lock the others out: valid credentials from the same address go on working.
      assert.equal((await fetch(`${limited.url}/api/reports/nps`, { headers: authHeaders() })).status, 200, 'a manager token');
      assert.equal((await fetch(`${limited.url}/dashboard`, { headers: { cookie: session }, redirect: 'manual' })).status, 200, 'a dashboard session');
      assert.equal((await signIn(limited.url, MANAGER)).status, 303, 'signing in with a right token');
      const resolved = await fetch(`${limited.url}/api/resolutions`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ channel: 'webhook', conversationId: 'x', customer: { id: 'c' }, agent: { id: 'a' } }) });
      assert.notEqual(resolved.status, 429, 'a care tool\'s resolution');
      assert.equal((await fetch(`${limited.url}/healthz`)).status, 200, 'health checks are not limited');
    } finally {
      await limited.close();
    }
  });

  test('behind a trusted proxy, each client address has its own count', async () => {
    const proxied = await startTestApp({ label: 'ratelimit-proxy', env: { AUTH_FAILURES_PER_15MIN: '2', TRUST_PROXY: 'loopback' } });
    try {
      const from = (ip: string) => ({ ...wrong, 'x-forwarded-for': ip });
      for (let i = 0; i < 2; i++) assert.equal((await fetch(`${proxied.url}/api/reports/nps`, { headers: from('203.0.113.9') })).status, 401);
      assert.equal((await fetch(`${proxied.url}/api/reports/nps`, { headers: from('203.0.113.9') })).status, 429);
      assert.equal((await fetch(`${proxied.url}/api/reports/nps`, { headers: from('198.51.100.20') })).status, 401, 'another client has its own count');
    } finally {
      await proxied.close();
    }
  });

  test('X-Forwarded-For while TRUST_PROXY is off is warned about once, without its value', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => { lines.push(l); } });
    const direct = await openTestDb('xff-warn');
    const app = await startApp({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN }),
      logger, database: { conn: direct.conn, embedded: false, close: async () => {} }, schedule: false,
    });
    try {
      await fetch(`${app.url}/healthz`);
      assert.equal(lines.filter((l) => l.includes('X-Forwarded-For')).length, 0);
      for (let i = 0; i < 3; i++) await fetch(`${app.url}/healthz`, { headers: { 'x-forwarded-for': '203.0.113.77' } });
      const warned = lines.filter((l) => l.includes('X-Forwarded-For'));
      assert.equal(warned.length, 1);
      assert.ok(!warned[0]!.includes('203.0.113.77'));
    } finally {
      await app.stop();
      await direct.drop();
    }
  });
});

describe('with the database cut, valid tokens get 503 with Retry-After, never 429', () => {
  let db: TestDbBehindOutage | undefined;
  let outage: DatabaseOutage;
  let app: RunningApp;
  let conn: Connection;

  beforeAll(async () => {
    db = await openTestDbBehindOutage('limiter-outage');
    ({ outage, conn } = db);
    app = await startApp({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', API_TOKEN: TEST_API_TOKEN, AUTH_FAILURES_PER_15MIN: '5', WEBHOOK_OUTBOUND_URL: 'http://127.0.0.1:9/hook', WEBHOOK_SECRET: 'webhook-secret-0123456789' }),
      logger: silentLogger(), database: { conn, embedded: false, close: async () => {} }, schedule: false,
    });
  });
  afterAll(async () => {
    await closeTestDbBehindOutage(db, async () => app?.stop());
  });

  test('40 concurrent requests with a valid token during the outage: every one 5xx with Retry-After, none 429', async () => {
    outage.cut();
    await eventually(async () => (await fetch(`${app.url}/healthz`)).status === 503, 10_000, 'the bot to see the database gone');
    const requests = Array.from({ length: 40 }, (_, i) => i % 2 === 0
      ? fetch(`${app.url}/api/reports/nps`, { headers: authHeaders() })
      : fetch(`${app.url}/api/resolutions`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ channel: 'webhook', conversationId: `outage-${i}`, customer: { id: `c${i}` }, agent: { id: 'a1' } }) }));
    const answers = await Promise.all(requests);
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 429).length, 0, `statuses: ${statuses.join(',')}`);
    for (const r of answers) {
      assert.ok(r.status >= 500, `status ${r.status}`);
      assert.ok(Number(r.headers.get('retry-after')) > 0, `Retry-After on ${r.status}`);
    }
    outage.restore();
    await eventually(async () => (await fetch(`${app.url}/api/reports/nps`, { headers: authHeaders() })).status === 200, 15_000, 'the API back');
  });
});
