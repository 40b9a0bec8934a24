/**
 * A small Slack on 127.0.0.1 for the real Bolt app and the real Web API client: it
 * answers the Web API methods the bot calls the way Slack does (HTTP 200 with `ok`
 * and an `error` code; 429 with Retry-After when told to), keeps channels and threads
 * in memory, and records every call. With an app token it also hands out a Socket
 * Mode WebSocket (`apps.connections.open`) and delivers envelopes over it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { stormHits, type Storm } from './storm.ts';
import { LoopbackFake } from './loopback-fake.ts';

export interface FakeUser {
  id: string;
  name?: string;
  real_name?: string;
  locale?: string;
  is_bot?: boolean;
  deleted?: boolean;
}

export interface FakeMessage {
  ts: string;
  user?: string;
  bot_id?: string;
  text?: string;
  thread_ts?: string;
  subtype?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload?: Record<string, unknown> };
}

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** The HTTP status the fake answered with. */
  status: number;
  at: number;
}

export const BOT_TOKEN = 'xoxb-test-0000';
export const APP_TOKEN = 'xapp-test-0000';

export class FakeSlack extends LoopbackFake {
  readonly botUserId = 'UBOT0001';
  readonly botId = 'BBOT0001';
  readonly calls: RecordedCall[] = [];
  readonly users = new Map<string, FakeUser>();
  /** Every message per channel id, roots and replies alike. */
  readonly channels = new Map<string, FakeMessage[]>();
  /** conversations.open for this user fails with this error code. */
  readonly dmRefusals = new Map<string, string>();
  /** chat.postMessage into this channel fails with this error code. */
  readonly postRefusals = new Map<string, string>();
  /** Retry-After seconds for the next calls of a method, answered with HTTP 429. */
  readonly rateLimits = new Map<string, number[]>();
  /** HTTP statuses (a 5xx: Slack's edge failing) for the next calls of a method, answered before anything is done. */
  readonly failures = new Map<string, number[]>();
  /** While set, a share of Web API calls is refused with the storm's status (fault injection). */
  storm: Storm | null = null;
  private wss?: WebSocketServer;
  private sockets = new Set<WebSocket>();
  private readonly acks = new Map<string, (payload: unknown) => void>();
  private clock = 1_700_000_000;
  private seq = 0;

  async start(): Promise<this> {
    return this.listen((server) => {
      this.wss = new WebSocketServer({ server, path: '/socket' });
      this.wss.on('connection', (ws) => this.onSocket(ws));
    });
  }

  /** Also ends the Socket Mode connections (they are upgraded sockets the HTTP server no longer holds). */
  override async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r()));
    await super.stop();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** Slack's API base URL for SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  addUser(user: FakeUser): FakeUser {
    this.users.set(user.id, user);
    return user;
  }

  /** Post a message as a person; returns its ts (strictly increasing, like Slack's). */
  say(channel: string, user: string, text: string, threadTs?: string): string {
    const ts = this.nextTs();
    this.messages(channel).push({ ts, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
    if (threadTs) {
      const root = this.messages(channel).find((m) => m.ts === threadTs);
      if (root) root.thread_ts = threadTs;
    }
    return ts;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages the bot posted into a channel (a DM's id is `D` + the user id). */
  botMessages(channel: string): FakeMessage[] {
    return this.messages(channel).filter((m) => m.bot_id === this.botId);
  }

  dmChannelOf(userId: string): string {
    return `D${userId}`;
  }

  // ── Socket Mode ─────────────────────────────────────────────────────────────

  get socketConnected(): boolean {
    return this.sockets.size > 0;
  }

  /**
   * Deliver one envelope over Socket Mode; resolves with the bot's ack payload, rejects when none comes in time.
   * Slack itself retries an envelope not acked within 3 s; this fake does not retry, so its
   * default bound is only how long a test waits on a loaded machine before calling the ack lost.
   */
  socketSend(type: 'events_api' | 'interactive', payload: unknown, retryAttempt = 0, ackTimeoutMs = 30_000): Promise<unknown> {
    const ws = [...this.sockets][0];
    if (!ws) return Promise.reject(new Error('no Socket Mode connection'));
    const envelopeId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.acks.delete(envelopeId); reject(new Error(`no ack within ${ackTimeoutMs} ms`)); }, ackTimeoutMs);
      this.acks.set(envelopeId, (p) => { clearTimeout(timer); resolve(p); });
      ws.send(JSON.stringify({
        envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api',
        ...(type === 'events_api' ? { retry_attempt: retryAttempt, retry_reason: retryAttempt ? 'timeout' : '' } : {}),
      }));
    });
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data) => {
      let msg: { envelope_id?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (msg.envelope_id) this.acks.get(msg.envelope_id)?.(msg.payload);
      this.acks.delete(msg.envelope_id ?? '');
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'AFAKE' } }));
  }

  // ── Web API ─────────────────────────────────────────────────────────────────

  protected handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const params = parseParams(raw, String(req.headers['content-type'] ?? ''));
    if (stormHits(this.storm)) {
      const { status, retryAfterSec } = this.storm;
      this.calls.push({ method, params, status, at: Date.now() });
      this.sendJson(res, status, { ok: false, error: status === 429 ? 'ratelimited' : 'internal_error' }, retryAfterSec !== undefined ? { 'retry-after': String(retryAfterSec) } : {});
      return;
    }
    const failure = this.failures.get(method)?.shift();
    if (failure !== undefined) {
      this.calls.push({ method, params, status: failure, at: Date.now() });
      res.writeHead(failure, { 'content-type': 'text/html' });
      res.end(`<html><body>${failure} Bad Gateway</body></html>`);
      return;
    }
    const limited = this.rateLimits.get(method);
    if (limited && limited.length > 0) {
      const retryAfter = limited.shift()!;
      this.calls.push({ method, params, status: 429, at: Date.now() });
      this.sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
      return;
    }
    this.calls.push({ method, params, status: 200, at: Date.now() });
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '') || String(params.token ?? '');
    const expected = method === 'apps.connections.open' ? APP_TOKEN : BOT_TOKEN;
    const body = !token ? { ok: false, error: 'not_authed' } : token !== expected ? { ok: false, error: 'invalid_auth' } : this.answer(method, params);
    this.sendJson(res, 200, body);
  }

  private answer(method: string, p: Record<string, unknown>): Record<string, unknown> {
    const s = (k: string): string => (typeof p[k] === 'string' ? (p[k] as string) : '');
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'npsbot', team_id: 'TFAKE', user_id: this.botUserId, bot_id: this.botId };
      case 'apps.connections.open':
        return { ok: true, url: `${this.url.replace('http', 'ws')}/socket` };
      case 'conversations.open': {
        const user = s('users');
        const refusal = this.dmRefusals.get(user);
        if (refusal) return { ok: false, error: refusal };
        if (!this.users.has(user)) return { ok: false, error: 'user_not_found' };
        if (this.users.get(user)!.is_bot) return { ok: false, error: 'cannot_dm_bot' };
        return { ok: true, channel: { id: this.dmChannelOf(user) } };
      }
      case 'chat.postMessage': {
        const channel = s('channel');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const refusal = this.postRefusals.get(channel);
        if (refusal) return { ok: false, error: refusal };
        if (!s('text') && !p.blocks) return { ok: false, error: 'no_text' };
        const message: FakeMessage = {
          ts: this.nextTs(), user: this.botUserId, bot_id: this.botId, text: s('text'),
          ...(s('thread_ts') ? { thread_ts: s('thread_ts') } : {}),
          ...(Array.isArray(p.blocks) ? { blocks: p.blocks } : {}),
          ...(isObject(p.metadata) ? { metadata: p.metadata as FakeMessage['metadata'] } : {}),
        };
        this.messages(channel).push(message);
        return { ok: true, channel, ts: message.ts, message };
      }
      case 'chat.update': {
        const m = this.messages(s('channel')).find((x) => x.ts === s('ts'));
        if (!m) return { ok: false, error: 'message_not_found' };
        if (m.bot_id !== this.botId) return { ok: false, error: 'cant_update_message' };
        m.text = s('text');
        m.blocks = Array.isArray(p.blocks) ? p.blocks : [];
        return { ok: true, channel: s('channel'), ts: m.ts, text: m.text };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'chat.getPermalink':
        return { ok: true, channel: s('channel'), permalink: `https://fake.slack.com/archives/${s('channel')}/p${s('message_ts').replace('.', '')}` };
      case 'users.info': {
        const u = this.users.get(s('user'));
        if (!u) return { ok: false, error: 'user_not_found' };
        const withLocale = p.include_locale === 'true' || p.include_locale === true;
        const { locale, ...rest } = u;
        return { ok: true, user: { ...rest, is_bot: u.is_bot ?? false, deleted: u.deleted ?? false, profile: { real_name: u.real_name ?? '' }, ...(withLocale && locale ? { locale } : {}) } };
      }
      case 'conversations.replies':
        return this.replies(s('channel'), s('ts'), Number(s('limit') || 1000), s('cursor'), p.include_all_metadata === 'true' || p.include_all_metadata === true);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** Like Slack: the thread containing `ts`, parent first, oldest first, paged with a cursor. */
  private replies(channel: string, ts: string, limit: number, cursor: string, withMetadata: boolean): Record<string, unknown> {
    const all = this.channels.get(channel);
    if (!all) return { ok: false, error: 'channel_not_found' };
    const hit = all.find((m) => m.ts === ts);
    if (!hit) return { ok: false, error: 'thread_not_found' };
    const rootTs = hit.thread_ts && hit.thread_ts !== hit.ts ? hit.thread_ts : hit.ts;
    const root = all.find((m) => m.ts === rootTs);
    const thread = [root, ...all.filter((m) => m.thread_ts === rootTs && m.ts !== rootTs)].filter((m): m is FakeMessage => m !== undefined);
    const offset = cursor ? Number(cursor) : 0;
    const page = thread.slice(offset, offset + Math.max(1, limit)).map((m) => {
      const { metadata, ...rest } = m;
      return { type: 'message', ...rest, ...(withMetadata && metadata ? { metadata } : {}) };
    });
    const next = offset + page.length;
    return { ok: true, messages: page, has_more: next < thread.length, response_metadata: { next_cursor: next < thread.length ? String(next) : '' } };
  }

  private messages(channel: string): FakeMessage[] {
    let list = this.channels.get(channel);
    if (!list) this.channels.set(channel, (list = []));
    return list;
  }

  private nextTs(): string {
    this.seq += 1;
    return `${this.clock + this.seq}.${String(this.seq).padStart(6, '0')}`;
  }
}

/** The Web API client posts `application/x-www-form-urlencoded`, with objects as JSON strings. */
function parseParams(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) {
    try { return JSON.parse(raw) as Record<string, unknown>; } catch { return {}; }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if ((k === 'blocks' || k === 'metadata' || k === 'attachments') && /^[[{]/.test(v)) {
      try { out[k] = JSON.parse(v); continue; } catch { /* keep the string */ }
    }
    out[k] = v;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
