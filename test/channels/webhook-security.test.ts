/**
 * The webhook channel's outbound side against a receiver on 127.0.0.1: every request
 * carries a timestamp inside its signature, so a receiver can refuse a replayed
 * request; and a redirect is never followed (customer data would go wherever the
 * answer points): the send fails for good instead.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signBody, verifyBody } from '../../src/channels/webhook-signature.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { authHeaders, eventually, startTestApp, type TestApp } from '../helpers/app.ts';

const SECRET = 'webhook-secret-security-0123456789';
let app: TestApp;
let hook: WebhookReceiver;
let elsewhere: Server;
let elsewhereHits = 0;
let elsewhereUrl = '';

beforeAll(async () => {
  hook = await new WebhookReceiver(SECRET).start();
  elsewhere = createServer((req, res) => { elsewhereHits++; req.resume(); res.writeHead(200).end(); });
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/collect`;
  app = await startTestApp({ label: 'webhook-sec', env: { WEBHOOK_OUTBOUND_URL: hook.url, WEBHOOK_SECRET: SECRET } });
});
afterAll(async () => {
  await app.close();
  await hook.stop();
  elsewhere.closeAllConnections();
  await new Promise<void>((r) => elsewhere.close(() => r()));
});

async function resolve(customerId: string): Promise<string> {
  const res = await fetch(`${app.url}/api/resolutions`, {
    method: 'POST', headers: authHeaders(),
    body: JSON.stringify({ channel: 'webhook', conversationId: `sec-${customerId}`, customer: { id: customerId }, agent: { id: 'agent-7' } }),
  });
  assert.equal(res.status, 202);
  return (await res.json() as { surveyId: string }).surveyId;
}

describe('webhook channel outbound security', () => {
  test('the signature covers X-NPS-Timestamp; the same request replayed later is refused by the receiver', async () => {
    await resolve('w-1');
    const got = await eventually(async () => hook.received.find((r) => r.body.customerId === 'w-1'), 10_000, 'the question');
    assert.equal(got.signed, true);
    const { signature, timestamp } = got.headers;
    assert.match(timestamp ?? '', /^\d{10}$/);
    assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 60);
    assert.equal(signature, signBody(got.raw, SECRET, Number(timestamp)));

    // A captured request replayed ten minutes later: same bytes, same headers, refused.
    assert.equal(verifyBody(got.raw, SECRET, signature, timestamp, { nowMs: Date.now() + 10 * 60_000 }), false);
    // Moving the timestamp forward breaks the signature.
    assert.equal(verifyBody(got.raw, SECRET, signature, String(Number(timestamp) + 1)), false);
    assert.equal(verifyBody(got.raw, SECRET, signature, timestamp), true, 'while fresh, it verifies');
    // A body signed the old way (no timestamp) does not verify.
    assert.equal(verifyBody(got.raw, SECRET, signature, undefined), false);
  });

  test('a redirect is not followed: nothing reaches the other address and the survey fails for good', async () => {
    hook.answers.push({ status: 307, location: elsewhereUrl });
    const surveyId = await resolve('w-2');
    const s = await eventually(async () => {
      const doc = await surveyModel(app.conn).findById(surveyId).lean().exec();
      return doc?.state === 'failed' ? doc : null;
    }, 10_000, 'the survey to fail');
    assert.match(s.lastError ?? '', /307/);
    assert.equal(elsewhereHits, 0, 'the redirect target got nothing');
    assert.equal(hook.received.filter((r) => r.body.customerId === 'w-2').length, 0);
  });
});
