/**
 * LoopbackFake, the server part every platform fake shares: what a fake built on it
 * promises its tests (replies and the request log, scripted failures in order, the body
 * cap, background deliveries that `settled()` waits for, a `stop()` that does not hang on
 * the client's keep-alive socket).
 */
import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FAKE_BODY_CAP_BYTES, LoopbackFake, type ScriptedFailure } from './loopback-fake.ts';

/** A fake of nothing: echoes the body's length, and can start a delivery to any URL. */
class EchoFake extends LoopbackFake<ScriptedFailure & { path: string }> {
  readonly seen: string[] = [];
  readonly answers: number[] = [];

  static async start(): Promise<EchoFake> {
    return new EchoFake().listen();
  }

  failNext(path: string, failure: ScriptedFailure): void {
    this.script({ ...failure, path });
  }

  deliverLater(url: string): void {
    this.inBackground(fetch(url, { method: 'POST', body: '{}' }), (status) => this.answers.push(status));
  }

  protected handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = this.pathOf(req);
    this.seen.push(path);
    const f = this.takeScripted((x) => x.path === path);
    if (f) return this.reply(req, res, f.status, f.body ?? { error: 'scripted' }, f.headers);
    if (path === '/text') return this.reply(req, res, 200, 'plain words');
    this.reply(req, res, 200, { length: raw.length });
  }
}

const started: EchoFake[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

async function fake(): Promise<EchoFake> {
  const f = await EchoFake.start();
  started.push(f);
  return f;
}

describe('LoopbackFake', () => {
  test('listens on 127.0.0.1, answers JSON (a string as text), and logs every reply with its status', async () => {
    const f = await fake();
    assert.match(f.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const json = await fetch(`${f.url}/echo?x=1`, { method: 'POST', body: 'abcd' });
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.deepEqual(await json.json(), { length: 4 });
    const text = await fetch(`${f.url}/text`);
    assert.equal(text.headers.get('content-type'), 'text/plain');
    assert.equal(await text.text(), 'plain words');
    assert.deepEqual(f.requests, [{ method: 'POST', path: '/echo', status: 200 }, { method: 'GET', path: '/text', status: 200 }]);
  });

  test('scripted failures answer the requests they match, once each, in order; headers may replace the content type', async () => {
    const f = await fake();
    f.failNext('/a', { status: 429, headers: { 'retry-after': '3' } });
    f.failNext('/a', { status: 503, body: '<html>down</html>', headers: { 'content-type': 'text/html' } });
    const other = await fetch(`${f.url}/b`);
    assert.equal(other.status, 200, 'a failure for /a leaves /b alone');
    const first = await fetch(`${f.url}/a`);
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '3');
    assert.deepEqual(await first.json(), { error: 'scripted' });
    const second = await fetch(`${f.url}/a`);
    assert.equal(second.status, 503);
    assert.equal(second.headers.get('content-type'), 'text/html');
    assert.equal(await second.text(), '<html>down</html>');
    assert.equal((await fetch(`${f.url}/a`)).status, 200, 'the queue is used up');
  });

  test('a body over the cap is answered 413 and never reaches the fake', async () => {
    const f = await fake();
    const res = await fetch(`${f.url}/big`, { method: 'POST', body: 'x'.repeat(FAKE_BODY_CAP_BYTES + 1) });
    assert.equal(res.status, 413);
    await res.arrayBuffer();
    assert.deepEqual(f.seen, []);
    const atCap = await fetch(`${f.url}/big`, { method: 'POST', body: 'x'.repeat(FAKE_BODY_CAP_BYTES) });
    assert.deepEqual(await atCap.json(), { length: FAKE_BODY_CAP_BYTES });
  });

  test('settled() waits for background deliveries; one nobody answers is recorded as 0', async () => {
    const f = await fake();
    const target = await fake();
    f.deliverLater(`${target.url}/hook`);
    f.deliverLater('http://127.0.0.1:9/nothing-listens');
    await f.settled();
    assert.deepEqual([...f.answers].sort(), [0, 200]);
    assert.deepEqual(target.seen, ['/hook']);
  });

  test('stop() does not wait for a client that holds its connection open mid-request', async () => {
    const f = await EchoFake.start();
    const req = request(`${f.url}/echo`, { method: 'POST', headers: { 'content-length': '100' } });
    const cut = new Promise<string>((resolve) => {
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.on('response', () => resolve('answered'));
    });
    req.write('only part of the body');
    await new Promise<void>((resolve) => req.on('socket', (s) => (s.connecting ? s.on('connect', () => resolve()) : resolve())));
    await f.stop();
    assert.equal(await cut, 'ECONNRESET', 'the connection was closed under the client');
    assert.deepEqual(f.seen, [], 'the unfinished request never reached the fake');
  });
});
