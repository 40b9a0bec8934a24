/**
 * The shared platform HTTP client (`src/channels/http-json-client.ts`) and its reading of
 * Retry-After (`retry-after.ts`), as a table: every form of the header, then the client
 * against a real local server — a body over the cap, a body that is not JSON, a redirect
 * (never followed), a server that never answers, the mapping hook.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../src/channels/retry-after.ts';
import { HttpJsonClient, HttpRefusal, statusKind, type HttpAnswer, type HttpCall } from '../../src/channels/http-json-client.ts';
import { PermanentSendError, TransientSendError } from '../../src/conversation/channel-contract/send-errors.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('Retry-After', () => {
  const table: Array<[string | null | undefined, number | undefined, string]> = [
    ['3', 3000, 'seconds'],
    [' 7 ', 7000, 'seconds with spaces'],
    ['1.5', 1500, 'seconds with a fraction'],
    ['0', 0, 'zero'],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 10_000, 'IMF-fixdate'],
    ['Thursday, 01-Jan-26 00:00:10 GMT', 10_000, 'RFC 850 date'],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0, 'a date in the past'],
    ['Fri, 01 Jan 2100 00:00:00 GMT', MAX_RETRY_AFTER_MS, 'a date far ahead: capped'],
    ['99999999999', MAX_RETRY_AFTER_MS, 'huge seconds: capped'],
    ['-5', undefined, 'negative'],
    ['1e3', undefined, 'an exponent'],
    ['soon', undefined, 'garbage'],
    ['Someday soon', undefined, 'words that are no date'],
    ['', undefined, 'empty'],
    [null, undefined, 'absent'],
    [undefined, undefined, 'absent'],
    ['9'.repeat(200), undefined, 'absurdly long'],
  ];
  for (const [value, expected, what] of table) {
    test(`${what}: ${JSON.stringify(value)?.slice(0, 40)} → ${expected}`, () => {
      assert.equal(retryAfterMs(value, NOW), expected);
    });
  }
});

test('status kinds', () => {
  assert.deepEqual([200, 204, 301, 307, 400, 404, 408, 429, 500, 503].map(statusKind),
    ['ok', 'ok', 'redirect', 'redirect', 'permanent', 'permanent', 'transient', 'transient', 'transient', 'transient']);
});

describe('the client over real HTTP', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];
  const bodies: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        bodies.push(body);
        switch (req.url) {
          case '/big': res.writeHead(200, { 'content-type': 'application/json' }); res.end(`{"pad":"${'x'.repeat(200_000)}"}`); return;
          case '/html-ok': res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>fine</html>'); return;
          case '/html-500': res.writeHead(500, { 'content-type': 'text/html' }); res.end('<html>upstream fell over</html>'); return;
          case '/moved': res.writeHead(302, { location: '/elsewhere' }); res.end(); return;
          case '/busy-date': res.writeHead(429, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }); res.end(); return;
          case '/busy-bare': res.writeHead(429); res.end(); return;
          case '/busy-garbage': res.writeHead(503, { 'retry-after': 'later, maybe' }); res.end(); return;
          case '/hang': return; // never answers
          case '/echo': res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ got: body })); return;
          default: res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"error":"no such thing"}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const client = (extra: Partial<ConstructorParameters<typeof HttpJsonClient>[0]> = {}) => new HttpJsonClient({ platform: 'test', baseUrl: base, ...extra });

  test('a body over the cap is cut there: not JSON any more, so no answer is read from it', async () => {
    assert.equal(await client({ maxResponseBytes: 1000 }).get('/big'), undefined);
    const whole = await client().get<{ pad: string }>('/big');
    assert.equal(whole.pad.length, 200_000, 'under the default cap the same answer is read whole');
  });

  test('a success that is not JSON resolves with nothing; an error page that is not JSON is transient with its text', async () => {
    assert.equal(await client().get('/html-ok'), undefined);
    const e = await client().get('/html-500').catch((x: unknown) => x);
    assert.ok(e instanceof TransientSendError, String(e));
    assert.match(e.message, /upstream fell over/);
  });

  test('a redirect is refused, never followed: a permanent refusal keeping the status, nothing sent to the target', async () => {
    const e = await client().post('/moved', { a: 1 }).catch((x: unknown) => x);
    assert.ok(e instanceof HttpRefusal, String(e));
    assert.equal(e.status, 302);
    assert.equal(e.code, 'test-302');
    assert.ok(!hits.includes('/elsewhere'));
  });

  test('429 with an HTTP date waits until then; a bare 429 a second; a garbled header is no hint', async () => {
    const dated = await client().get('/busy-date').catch((x: unknown) => x);
    assert.ok(dated instanceof TransientSendError && dated.retryAfterMs! > 25_000 && dated.retryAfterMs! <= 30_000, String((dated as TransientSendError).retryAfterMs));
    const bare = await client().get('/busy-bare').catch((x: unknown) => x);
    assert.ok(bare instanceof TransientSendError && bare.retryAfterMs === 1000);
    const garbled = await client().get('/busy-garbage').catch((x: unknown) => x);
    assert.ok(garbled instanceof TransientSendError && garbled.retryAfterMs === undefined);
  });

  test('no answer within the timeout is transient ("unreachable"); another 4xx is a permanent refusal', async () => {
    const hung = await client({ timeoutMs: 200 }).get('/hang').catch((x: unknown) => x);
    assert.ok(hung instanceof TransientSendError && /test unreachable/.test(hung.message), String(hung));
    const missing = await client().get('/missing/12345').catch((x: unknown) => x);
    assert.ok(missing instanceof HttpRefusal && missing.status === 404 && /no such thing/.test(missing.message));
  });

  test('a string body goes as it is (a signed body); the mapping hook decides, and may turn a 200 into an error', async () => {
    const signed = '{"b":2,"a":1}';
    assert.deepEqual(await client().post('/echo', signed), { got: signed });
    const seen: Array<[HttpAnswer, HttpCall]> = [];
    const hooked = client({
      failure: (answer, call) => {
        seen.push([answer, call]);
        return (answer.json as { got?: string } | undefined)?.got === 'refuse' ? new PermanentSendError('refused in a 200', 'test-refused') : undefined;
      },
    });
    assert.deepEqual(await hooked.post('/echo', { x: 1 }), { got: '{"x":1}' });
    const e = await hooked.post('/echo', 'refuse').catch((x: unknown) => x);
    assert.ok(e instanceof PermanentSendError && e.code === 'test-refused');
    assert.deepEqual(seen.map(([a, c]) => [a.status, c.method, c.path]), [[200, 'POST', '/echo'], [200, 'POST', '/echo']]);
  });
});
