/**
 * Answers from platform endpoints are read with a size cap: a misbehaving endpoint that
 * streams without end (a wrong URL, a proxy's error page) is cut off after 1 MB instead
 * of being read into memory whole. Real HTTP on 127.0.0.1 from a server that streams
 * 64 MB and notes whether the client hung up first.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cappedText, MAX_RESPONSE_BYTES } from '../../src/channels/capped-body.ts';
import { GraphClient } from '../../src/channels/meta/graph-client.ts';
import { ChatwootClient } from '../../src/channels/chatwoot/chatwoot-client.ts';
import { WebhookChannel } from '../../src/channels/webhook-channel.ts';
import { eventually } from '../helpers/app.ts';

const TOTAL = 64 * 1024 * 1024;
let server: Server;
let url: string;
const served: Array<{ written: number; hungUp: boolean }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const record = { written: 0, hungUp: false };
    served.push(record);
    res.writeHead(500, { 'content-type': 'text/html' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    res.on('close', () => { if (record.written < TOTAL) record.hungUp = true; });
    const pump = (): void => {
      while (record.written < TOTAL) {
        record.written += chunk.length;
        if (!res.write(chunk)) { res.once('drain', pump); return; }
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

test('cappedText stops at the cap and hangs up', async () => {
  const text = await cappedText(await fetch(url), 100_000);
  assert.equal(text.length, 100_000);
  assert.ok(served.at(-1)!.hungUp || served.at(-1)!.written < TOTAL);
});

test('the Graph, Chatwoot and webhook clients read at most the cap of an endless error page', async () => {
  const graph = new GraphClient({ product: 'whatsapp', baseUrl: url, version: 'v24.0', accessToken: 'token', timeoutMs: 30_000 });
  await assert.rejects(graph.post('/123/messages', { x: 1 }));
  const chatwoot = new ChatwootClient({ url, apiToken: 'token', accountId: '1', ratePerSecond: 100, timeoutMs: 30_000 });
  await assert.rejects(chatwoot.createMessage('5', { content: 'hi' }));
  await chatwoot.stop();
  const hook = new WebhookChannel({ outboundUrl: `${url}/hook`, secret: 'webhook-secret-0123456789', ratePerSecond: 10, timeoutMs: 30_000 });
  await assert.rejects(hook.post('managers', { text: 'hello' }));
  const last = served.slice(-3);
  assert.equal(last.length, 3);
  for (const s of last) {
    // The server hears the hang-up asynchronously (one tick is not enough on a busy machine): wait for it, bounded.
    await eventually(async () => s.hungUp, 10_000, `the server to see the client hang up (the client read ${s.written} bytes)`);
    assert.ok(s.written < TOTAL / 4, `the client read ${s.written} bytes (cap ${MAX_RESPONSE_BYTES})`);
  }
});
