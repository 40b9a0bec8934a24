/**
 * Who may do what over HTTP, against the whole bot on 127.0.0.1: dashboard sign-in is a
 * random server-side session (never the token in the cookie) that expires and ends at
 * sign-out; the cookie is Secure and named __Host- by default; an
 * ingest token delivers but reads nothing; short or shared tokens stop start-up; and
 * refused credentials are rate-limited per client IP (test/http/auth-limiter.test.ts).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/env-readers.ts';
import { sessionModel } from '../../src/http/session-model.ts';
import { SessionStore } from '../../src/http/session-store.ts';
import { TokenAuth } from '../../src/http/token-auth.ts';
import { authHeaders, startTestApp, TEST_API_TOKEN, type TestApp } from '../helpers/app.ts';

const MANAGER = 'manager-token-sessions-0123456789abcdef';
const INGEST = 'ingest-token-care-tool-0123456789abcdef';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ label: 'sessions', env: { REPORT_TOKENS: `${MANAGER}:manager`, INGEST_TOKENS: INGEST } });
});
afterAll(async () => { await app.close(); });

async function login(token: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${app.url}/dashboard/login`, { method: 'POST', body: new URLSearchParams({ token }), headers, redirect: 'manual' });
}

function cookieOf(res: Response): string {
  const raw = res.headers.get('set-cookie') ?? '';
  return raw.split(';')[0]!;
}

async function dashboard(cookie: string): Promise<Response> {
  return fetch(`${app.url}/dashboard`, { headers: { cookie }, redirect: 'manual' });
}

/** A raw sign-in with a chosen Host header (fetch will not send one); the Set-Cookie it got. */
function rawLogin(url: string, host: string, extra: Record<string, string> = {}): Promise<string> {
  const u = new URL(url);
  const body = new URLSearchParams({ token: MANAGER }).toString();
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: '/dashboard/login', method: 'POST', headers: { ...extra, host, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      resolve(String(res.headers['set-cookie']?.[0] ?? ''));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('dashboard sessions', () => {
  test('the cookie holds a random session id, not the token; sign-out ends the session on the server', async () => {
    const first = await login(MANAGER);
    assert.equal(first.status, 303);
    const cookie = cookieOf(first);
    assert.match(cookie, /^__Host-nps_session=[A-Za-z0-9_-]{43}$/);
    assert.ok(!(first.headers.get('set-cookie') ?? '').includes(MANAGER), 'the token never goes into the cookie');
    const second = cookieOf(await login(MANAGER));
    assert.notEqual(second, cookie, 'every sign-in gets a new id');

    assert.equal((await dashboard(cookie)).status, 200);
    const out = await fetch(`${app.url}/dashboard/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    assert.equal(out.status, 303);
    // A copy of the cookie kept by an attacker is worthless after sign-out.
    const after = await dashboard(cookie);
    assert.equal(after.status, 303);
    assert.equal(after.headers.get('location'), '/dashboard/login');
    assert.equal((await dashboard(second)).status, 200, 'other sessions go on');
  });

  test('an expired session is refused, and the database keeps only hashes', async () => {
    const cookie = cookieOf(await login(MANAGER));
    const id = cookie.split('=')[1]!;
    const sessions = sessionModel(app.conn);
    const stored = await sessions.find({}).lean().exec();
    assert.ok(stored.length > 0);
    assert.ok(stored.every((s) => /^[0-9a-f]{64}$/.test(s._id) && s._id !== id && /^[0-9a-f]{64}$/.test(s.tokenDigest)));
    await sessions.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    assert.equal((await dashboard(cookie)).status, 303);
  });

  test('a session ends when its token is no longer configured', async () => {
    const store = new SessionStore(app.conn, new TokenAuth([[MANAGER, { role: 'manager' }]]));
    const id = await store.create(MANAGER);
    assert.deepEqual(await store.principal(id), { role: 'manager' });
    const rotated = new SessionStore(app.conn, new TokenAuth([['a-new-manager-token-0123456789abcdef', { role: 'manager' }]]));
    assert.equal(await rotated.principal(id), null);
    assert.equal(await store.principal('not-a-session-id'), null);
  });

  test('the cookie is Secure and __Host- by default, whatever the Host header (a proxy sends its upstream, 127.0.0.1)', async () => {
    for (const host of ['127.0.0.1:3000', 'localhost:3000', 'nps.example.com']) {
      const set = await rawLogin(app.url, host);
      assert.match(set, /^__Host-nps_session=[A-Za-z0-9_-]{43};/, host);
      assert.match(set, /; Secure/, host);
      assert.match(set, /; Path=\//, host);
      assert.doesNotMatch(set, /Domain=/i, host);
      assert.match(set, /HttpOnly/);
      assert.match(set, /SameSite=Strict/);
    }
    // A plain-named cookie (one a network attacker could plant over HTTP) is not read.
    const id = (await rawLogin(app.url, 'nps.example.com')).split(';')[0]!.split('=')[1]!;
    assert.equal((await dashboard(`nps_session=${id}`)).status, 303);
    assert.equal((await dashboard(`__Host-nps_session=${id}`)).status, 200);
  });

  test('SESSION_COOKIE_SECURE=auto follows req.secure (X-Forwarded-Proto from a trusted proxy only); false never sets Secure', async () => {
    const auto = await startTestApp({ label: 'cookie-auto', env: { REPORT_TOKENS: `${MANAGER}:manager`, SESSION_COOKIE_SECURE: 'auto', TRUST_PROXY: 'loopback' } });
    const plain = await startTestApp({ label: 'cookie-off', env: { REPORT_TOKENS: `${MANAGER}:manager`, SESSION_COOKIE_SECURE: 'false' } });
    try {
      assert.match(await rawLogin(auto.url, '127.0.0.1:3000', { 'x-forwarded-proto': 'https' }), /^__Host-nps_session=.*; Secure/);
      const http = await rawLogin(auto.url, 'nps.example.com');
      assert.match(http, /^nps_session=/);
      assert.doesNotMatch(http, /Secure/);
      assert.doesNotMatch(await rawLogin(plain.url, 'nps.example.com', { 'x-forwarded-proto': 'https' }), /Secure/);
    } finally {
      await auto.close();
      await plain.close();
    }
    assert.throws(() => loadConfig({ SESSION_COOKIE_SECURE: 'maybe' }), ConfigError);
  });
});

describe('token roles', () => {
  test('an ingest token delivers resolutions and webhook messages, and reads nothing', async () => {
    const ingest = authHeaders(INGEST);
    const resolved = await fetch(`${app.url}/api/resolutions`, {
      method: 'POST', headers: ingest,
      body: JSON.stringify({ channel: 'webhook', conversationId: 'ingest-1', customer: { id: 'c-ingest' }, agent: { id: 'a1' } }),
    });
    assert.notEqual(resolved.status, 401);
    assert.notEqual(resolved.status, 403);
    const message = await fetch(`${app.url}/api/channels/webhook/messages`, { method: 'POST', headers: ingest, body: JSON.stringify({ customerId: 'c-ingest', text: '9' }) });
    assert.notEqual(message.status, 401);
    assert.notEqual(message.status, 403);

    for (const path of ['/api/reports/comments', '/api/reports/nps', '/api/followups']) {
      const r = await fetch(`${app.url}${path}`, { headers: ingest });
      assert.equal(r.status, 403, path);
    }
    assert.equal((await login(INGEST)).status, 401, 'an ingest token cannot sign in to the dashboard');
    assert.equal((await fetch(`${app.url}/dashboard`, { headers: ingest, redirect: 'manual' })).status, 401);
    // A manager token still reads.
    assert.equal((await fetch(`${app.url}/api/reports/comments`, { headers: authHeaders(TEST_API_TOKEN) })).status, 200);
  });

  test('tokens shorter than 32 characters stop start-up with one line naming the variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ API_TOKEN: 'test-api-token-0123456789' }, /^API_TOKEN: must be at least 32 characters \(got "\[hidden\]"\)$/],
      [{ INGEST_TOKENS: 'short-ingest-token' }, /^INGEST_TOKENS: entry 1: must be at least 32 characters$/],
      [{ INGEST_TOKENS: `${INGEST},${INGEST}` }, /^INGEST_TOKENS: entry 2: the same token is listed twice$/],
      [{ TRUST_PROXY: 'true' }, /^TRUST_PROXY: trusting every proxy/],
      [{ TRUST_PROXY: 'nonsense here' }, /^TRUST_PROXY: expected false/],
      [{ NODE_ENV: 'production' }, /^OPT_OUT_KEY_SECRET: required in production/],
    ];
    for (const [env, pattern] of cases) {
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && pattern.test(err.message) && !err.message.includes('0123456789'), JSON.stringify(env));
    }
    assert.deepEqual(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy, ['loopback', '10.0.0.0/8']);
  });

  test('the same token in two roles stops start-up, naming both settings', async () => {
    await assert.rejects(startTestApp({ label: 'dup-roles', env: { INGEST_TOKENS: TEST_API_TOKEN } }),
      (err: unknown) => err instanceof ConfigError && /^INGEST_TOKENS entry 1: the same token is also given as API_TOKEN/.test(err.message) && !err.message.includes(TEST_API_TOKEN));
    await assert.rejects(startTestApp({ label: 'dup-roles', env: { REPORT_TOKENS: `${TEST_API_TOKEN}:agent:a1` } }),
      (err: unknown) => err instanceof ConfigError && /^REPORT_TOKENS entry 1: the same token is also given as API_TOKEN/.test(err.message));
  });
});

