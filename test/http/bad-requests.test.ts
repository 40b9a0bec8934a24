/**
 * Requests the bot cannot even read are the caller's error: a path parameter that is not
 * valid percent-encoding (found by `npm run fuzz`) answers 400, never 500, on the API, the
 * dashboard and the platform webhooks.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../helpers/app.ts';

let app: TestApp;
beforeAll(async () => { app = await startTestApp({ label: 'bad-requests', env: { CHATWOOT_URL: 'http://127.0.0.1:9', CHATWOOT_API_TOKEN: 'chatwoot-token', CHATWOOT_ACCOUNT_ID: '3', CHATWOOT_WEBHOOK_TOKEN: 'chatwoot-url-token-0123456789' } }); });
afterAll(async () => { await app.close(); });

/** A raw request (fetch would normalise the path). */
function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const u = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

test('a malformed percent-encoding in a path parameter is 400 everywhere, not 500', async () => {
  const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
  for (const bad of ['%ZZ', '%', '%E0%A4%A']) {
    assert.equal(await raw('GET', `/api/followups/${bad}`, auth), 400, `GET /api/followups/${bad}`);
    assert.equal(await raw('PATCH', `/api/followups/${bad}`, { ...auth, 'content-type': 'application/json' }), 400);
    assert.equal(await raw('POST', `/api/followups/${bad}/reply`, auth), 400);
    assert.equal(await raw('POST', `/chatwoot/webhook/${bad}`), 400);
    assert.equal(await raw('POST', `/dashboard/followups/${bad}`, auth), 400);
  }
});
