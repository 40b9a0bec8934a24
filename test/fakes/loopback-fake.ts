/**
 * The HTTP server part every platform fake shares, so that each fake's file says only
 * what its platform answers: a server on 127.0.0.1 port 0, its `url`, the request body
 * read up to a cap, JSON/text replies with a request log, a queue of scripted failures
 * (fault injection), webhook deliveries made in the background that `settled()` waits
 * for, and `stop()` that also closes the bot's keep-alive sockets.
 *
 * A subclass answers in `handle(req, res, raw)`; its static `start(...)` constructs it
 * and calls `listen()`. What a fake answers (paths, statuses, headers, bodies) stays in
 * the fake, built from its platform's docs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scripted answer for a coming request: status, JSON body (a fake's default when absent) and headers. */
export interface ScriptedFailure { status: number; body?: unknown; headers?: Record<string, string> }

/** One request the fake answered through `reply`. */
export interface LoggedRequest { method: string; path: string; status: number; body?: Record<string, unknown> }

/** The most a fake reads of a request body (platforms cap bodies too, at or below this). */
export const FAKE_BODY_CAP_BYTES = 1 << 20;

export abstract class LoopbackFake<F extends ScriptedFailure = ScriptedFailure> {
  /** Every request answered through `reply`, with its status. */
  readonly requests: LoggedRequest[] = [];
  /** The Content-Type of JSON replies (platforms differ in the charset parameter). */
  protected readonly jsonType: string = 'application/json';
  readonly #scripted: F[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #server?: Server;

  /** Answer one request; `raw` is its body as UTF-8 text (at most FAKE_BODY_CAP_BYTES). */
  protected abstract handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> | void;

  /** Start listening on 127.0.0.1, port 0; `configure` may attach to the server first (e.g. a WebSocket server). */
  protected async listen(configure?: (server: Server) => void): Promise<this> {
    const server = createServer((req, res) => { void this.#dispatch(req, res); });
    configure?.(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    return this;
  }

  get url(): string {
    if (!this.#server) throw new Error(`${this.constructor.name} is not listening`);
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Wait until every webhook delivery this fake made on its own has been answered. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Settle, then close the server and the keep-alive sockets the bot's client holds open. */
  async stop(): Promise<void> {
    await this.settled();
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ── scripted failures ───────────────────────────────────────────────────────

  /** Queue scripted failures, answered in order by requests `takeScripted` matches. */
  protected script(...failures: F[]): void {
    this.#scripted.push(...failures);
  }

  /** The first queued failure `matches` accepts (any, by default), taken off the queue. */
  protected takeScripted(matches: (f: F) => boolean = () => true): F | undefined {
    const i = this.#scripted.findIndex(matches);
    return i >= 0 ? this.#scripted.splice(i, 1)[0] : undefined;
  }

  // ── replies ─────────────────────────────────────────────────────────────────

  /** The request's path, without the query. */
  protected pathOf(req: IncomingMessage): string {
    return new URL(req.url ?? '/', 'http://loopback.fake').pathname;
  }

  /** Log the request in `requests`, then send `body`: a string as text/plain, anything else as JSON. */
  protected reply(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, logBody?: Record<string, unknown>): void {
    this.requests.push({ method: req.method ?? '', path: this.pathOf(req), status, ...(logBody ? { body: logBody } : {}) });
    if (typeof body === 'string') this.sendText(res, status, body, headers);
    else this.sendJson(res, status, body, headers);
  }

  /** JSON with this fake's Content-Type (which `headers` may replace); no body for `undefined`. */
  protected sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': this.jsonType, ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  protected sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(text);
  }

  // ── webhook deliveries ──────────────────────────────────────────────────────

  /** Deliver to the bot without waiting; `record` gets the bot's status (0: no answer); `settled()` waits for it. */
  protected inBackground(delivery: Promise<Response>, record: (status: number) => void): void {
    const done = delivery.then(async (r) => { record(r.status); await r.arrayBuffer(); })
      .catch(() => { record(0); })
      .finally(() => { this.#inFlight.delete(done); });
    this.#inFlight.add(done);
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw: string | null;
    try {
      raw = await readCapped(req, FAKE_BODY_CAP_BYTES);
    } catch {
      return; // the client went away mid-body (or stop() cut it off): nobody to answer
    }
    if (raw === null) {
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
      res.end('Payload Too Large');
      return;
    }
    await this.handle(req, res, raw);
  }
}

/** The body as UTF-8 text, or null when it is larger than `cap` bytes (the rest is drained, not kept, so the 413 can be sent). */
async function readCapped(req: IncomingMessage, cap: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= cap) chunks.push(chunk as Buffer);
  }
  return size > cap ? null : Buffer.concat(chunks).toString('utf8');
}
