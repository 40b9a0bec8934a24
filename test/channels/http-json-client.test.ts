/** The helpdesk bridges' HTTP client against a real local server: outbox errors, Retry-After, ids kept out of messages. */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpJsonClient, HttpRefusal, redactIds } from '../../src/channels/http-json-client.ts';
import { TransientSendError } from '../../src/conversation/channel-contract/send-errors.ts';

let server: Server;
let client: HttpJsonClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    const answers: Record<string, [number, Record<string, string>, string]> = {
      '/ok': [200, {}, '{"id":"m1"}'],
      '/busy/77': [429, { 'retry-after': '3' }, '{"errors":[{"code":"too_many_requests","title":"Slow down"}]}'],
      '/gone/123456': [404, {}, '{"error":"RecordNotFound"}'],
      '/down': [503, {}, 'upstream down'],
    };
    const [status, headers, body] = answers[req.url ?? ''] ?? [400, {}, '{}'];
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new HttpJsonClient({ platform: 'test', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, headers: {}, ratePerSecond: 100 });
});

afterAll(async () => {
  await client.stop();
  await new Promise<void>((r) => server.close(() => r()));
});

test('200 is the JSON; 429 is transient with its Retry-After; 5xx transient; 404 a refusal that keeps its status and names no id', async () => {
  assert.deepEqual(await client.get('/ok'), { id: 'm1' });
  const busy = await client.post('/busy/77', {}).catch((e: unknown) => e);
  assert.ok(busy instanceof TransientSendError);
  assert.equal(busy.retryAfterMs, 3000);
  assert.match(busy.message, /Slow down/);
  assert.ok((await client.get('/down').catch((e: unknown) => e)) instanceof TransientSendError);
  const gone = await client.get('/gone/123456').catch((e: unknown) => e);
  assert.ok(gone instanceof HttpRefusal);
  assert.equal(gone.status, 404);
  assert.equal(gone.code, 'test-404');
  assert.doesNotMatch(gone.message, /123456/);
});

test('path segments with digits are redacted', () => {
  assert.equal(redactIds('/conversations/123456/reply?display_as=plaintext'), '/conversations/:id/reply');
  assert.equal(redactIds('/apps/5f1a2b3c/conversations/abc9def/messages'), '/apps/:id/conversations/:id/messages');
  assert.equal(redactIds('/tickets/42/conversation_log'), '/tickets/:id/conversation_log');
});
