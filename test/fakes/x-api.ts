/**
 * A small local stand-in for the X API v1.1 and the Account Activity webhook, on
 * 127.0.0.1. It answers `POST /1.1/direct_messages/events/new.json` the way X does:
 * it checks the OAuth 1.0a signature twit makes (401 + code 32 otherwise), validates
 * the event and quick-reply limits (400 + code 214), refuses closed DMs (403 + code
 * 349), can be told to fail next (e.g. 429 with `x-rate-limit-reset`), and — like the
 * real Account Activity API — echoes every DM the brand sent back to the webhook,
 * signed with the consumer secret. Tests deliver customers' DMs through it too.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake } from './loopback-fake.ts';
import { stormHits, type Storm } from './storm.ts';
import { SlidingWindowLimit } from './sliding-window-limit.ts';

export interface FakeXCredentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessTokenSecret: string;
  brandUserId: string;
}

export interface QuickReplyOption { label: string; metadata?: string; description?: string }

export interface SentDm {
  id: string;
  recipientId: string;
  text: string;
  quickReply?: QuickReplyOption[];
}

export interface ScriptedFailure {
  status: number;
  /** Sent as JSON; `rawBody` is sent as it is (e.g. an HTML error page). */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface DmOptions {
  id?: string;
  createdAt?: number;
  quickReplyMetadata?: string;
  name?: string;
}

export const DM_PATH = '/1.1/direct_messages/events/new.json';

export function signActivity(body: string, consumerSecret: string): string {
  return `sha256=${createHmac('sha256', consumerSecret).update(body).digest('base64')}`;
}

export class FakeXApi extends LoopbackFake<ScriptedFailure> {
  /** DMs X accepted, in order. */
  readonly sent: SentDm[] = [];
  /** Every DM request that reached the route, with the status answered. */
  readonly attempts: Array<{ recipientId?: string; status: number; code?: number }> = [];
  /** Users who do not accept DMs from the brand. */
  readonly closedDms = new Set<string>();
  /** Where Account Activity events go (the bot's `/x/webhook`). */
  webhookUrl?: string;
  /** Statuses the bot answered to the echoes of the brand's DMs. */
  readonly echoStatuses: number[] = [];
  /** While set, a share of DM requests is refused with the storm's status (fault injection). */
  storm: Storm | null = null;
  /**
   * When set, X's documented DM send limit (200 requests per 15 minutes per user) is
   * enforced: a send over it is refused with 429, code 88 and `x-rate-limit-reset`.
   */
  dmLimit: SlidingWindowLimit | null = null;
  private nextId = 1_760_000_000_000_000_000n;

  private constructor(readonly credentials: FakeXCredentials) { super(); }

  static async start(credentials: FakeXCredentials): Promise<FakeXApi> {
    return new FakeXApi(credentials).listen();
  }

  /** The next DM requests fail like this, one failure per request, in order. */
  failNext(...failures: ScriptedFailure[]): void {
    this.script(...failures);
  }

  to(userId: string): SentDm[] {
    return this.sent.filter((m) => m.recipientId === userId);
  }

  /** Wait until every echo to the webhook has been answered. */
  async echoesSettled(): Promise<void> {
    await this.settled();
  }

  newId(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  // ── Account Activity payloads ────────────────────────────────────────────────

  /** A customer's DM to the brand, as X delivers it. */
  customerDm(customerId: string, text: string, opts: DmOptions = {}): Record<string, unknown> {
    return this.activity(customerId, this.credentials.brandUserId, text, opts);
  }

  /** A DM the brand (an agent, or the bot) sent to a customer, as X echoes it. */
  brandDm(customerId: string, text: string, opts: DmOptions = {}): Record<string, unknown> {
    return this.activity(this.credentials.brandUserId, customerId, text, opts);
  }

  /** POST a payload to the webhook, signed like X unless told otherwise. */
  async deliver(payload: unknown, opts: { signature?: string | null; rawBody?: string } = {}): Promise<Response> {
    if (!this.webhookUrl) throw new Error('FakeXApi.webhookUrl is not set');
    const body = opts.rawBody ?? JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signature = opts.signature === undefined ? signActivity(body, this.credentials.consumerSecret) : opts.signature;
    if (signature !== null) headers['x-twitter-webhooks-signature'] = signature;
    return fetch(this.webhookUrl, { method: 'POST', headers, body });
  }

  private activity(senderId: string, recipientId: string, text: string, opts: DmOptions): Record<string, unknown> {
    const customerId = senderId === this.credentials.brandUserId ? recipientId : senderId;
    return {
      for_user_id: this.credentials.brandUserId,
      direct_message_events: [{
        type: 'message_create',
        id: opts.id ?? this.newId(),
        created_timestamp: String(opts.createdAt ?? Date.now()),
        message_create: {
          target: { recipient_id: recipientId },
          sender_id: senderId,
          source_app_id: '268278',
          message_data: {
            text,
            entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] },
            ...(opts.quickReplyMetadata ? { quick_reply_response: { type: 'options', metadata: opts.quickReplyMetadata } } : {}),
          },
        },
      }],
      apps: { 268278: { id: '268278', name: 'Care Desk', url: 'https://example.com' } },
      users: {
        [this.credentials.brandUserId]: { id: this.credentials.brandUserId, name: 'Acme Care', screen_name: 'acmecare' },
        [customerId]: { id: customerId, name: opts.name ?? 'Casey Customer', screen_name: `user${customerId}` },
      },
    };
  }

  // ── the REST API ─────────────────────────────────────────────────────────────

  protected handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (req.method !== 'POST' || url.pathname !== DM_PATH) {
      xError(res, 404, 34, 'Sorry, that page does not exist.');
      return;
    }
    if (!this.oauthValid(req, url)) {
      this.attempts.push({ status: 401, code: 32 });
      xError(res, 401, 32, 'Could not authenticate you.');
      return;
    }
    let event: DmEventBody;
    try {
      event = parseDmEvent(body);
    } catch (err) {
      this.attempts.push({ status: 400, code: 214 });
      xError(res, 400, 214, (err as Error).message);
      return;
    }
    const recipientId = event.message_create.target.recipient_id;
    if (stormHits(this.storm)) {
      const { status, retryAfterSec } = this.storm;
      const code = status === 429 ? 88 : 131;
      this.attempts.push({ recipientId, status, code });
      const headers: Record<string, string> = status === 429
        ? { 'x-rate-limit-limit': '1000', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000 + (retryAfterSec ?? 1))) }
        : {};
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify({ errors: [{ code, message: status === 429 ? 'Rate limit exceeded' : 'Internal error' }] }));
      return;
    }
    const failure = this.takeScripted();
    if (failure) {
      const code = (failure.body as { errors?: Array<{ code?: number }> } | undefined)?.errors?.[0]?.code;
      this.attempts.push({ recipientId, status: failure.status, code });
      res.writeHead(failure.status, { 'content-type': 'application/json; charset=utf-8', ...failure.headers });
      res.end(failure.rawBody ?? (failure.body === undefined ? '' : JSON.stringify(failure.body)));
      return;
    }
    const limited = this.dmLimit?.take(this.credentials.accessToken, Date.now());
    if (limited && !limited.ok) {
      this.attempts.push({ recipientId, status: 429, code: 88 });
      res.writeHead(429, {
        'content-type': 'application/json; charset=utf-8', 'x-rate-limit-limit': String(this.dmLimit!.limit), 'x-rate-limit-remaining': '0',
        'x-rate-limit-reset': String(Math.ceil((Date.now() + limited.retryAfterMs) / 1000)),
      });
      res.end(JSON.stringify({ errors: [{ code: 88, message: 'Rate limit exceeded' }] }));
      return;
    }
    if (this.closedDms.has(recipientId)) {
      this.attempts.push({ recipientId, status: 403, code: 349 });
      xError(res, 403, 349, 'You cannot send messages to this user.');
      return;
    }
    const id = this.newId();
    const createdAt = Date.now();
    const data = event.message_create.message_data;
    this.sent.push({ id, recipientId, text: data.text, quickReply: data.quick_reply?.options });
    this.attempts.push({ recipientId, status: 200 });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-rate-limit-limit': '1000', 'x-rate-limit-remaining': '999' });
    res.end(JSON.stringify({
      event: {
        type: 'message_create', id, created_timestamp: String(createdAt),
        message_create: { target: { recipient_id: recipientId }, sender_id: this.credentials.brandUserId, message_data: data },
      },
    }));
    if (this.webhookUrl) this.echo(this.brandDm(recipientId, data.text, { id, createdAt }));
  }

  private echo(payload: Record<string, unknown>): void {
    this.inBackground(this.deliver(payload), (status) => this.echoStatuses.push(status));
  }

  /** OAuth 1.0a HMAC-SHA1 over method, URL and query + oauth parameters (RFC 5849 §3.4). */
  private oauthValid(req: IncomingMessage, url: URL): boolean {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('OAuth ')) return false;
    const oauth = new Map<string, string>();
    for (const part of header.slice(6).split(',')) {
      const m = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
      if (m) oauth.set(m[1]!, decodeURIComponent(m[2]!));
    }
    const c = this.credentials;
    if (oauth.get('oauth_consumer_key') !== c.consumerKey || oauth.get('oauth_token') !== c.accessToken) return false;
    if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1') return false;
    const params: Array<[string, string]> = [...url.searchParams.entries()];
    for (const [k, v] of oauth) if (k !== 'oauth_signature' && k !== 'realm') params.push([k, v]);
    const normalized = params.map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
      .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`).join('&');
    const base = [req.method!, rfc3986(`${url.protocol}//${url.host}${url.pathname}`), rfc3986(normalized)].join('&');
    const key = `${rfc3986(c.consumerSecret)}&${rfc3986(c.accessTokenSecret)}`;
    return createHmac('sha1', key).update(base).digest('base64') === oauth.get('oauth_signature');
  }
}

interface DmEventBody {
  type: 'message_create';
  message_create: {
    target: { recipient_id: string };
    message_data: { text: string; quick_reply?: { type: 'options'; options: QuickReplyOption[] } };
  };
}

/** The checks X makes on a DM event (limits from X's documentation). */
function parseDmEvent(body: string): DmEventBody {
  let json: { event?: unknown };
  try {
    json = JSON.parse(body) as { event?: unknown };
  } catch {
    throw new Error('body is not JSON');
  }
  const e = json.event as Partial<DmEventBody> | undefined;
  if (!e || e.type !== 'message_create') throw new Error('event.type must be message_create');
  const recipient = e.message_create?.target?.recipient_id;
  if (typeof recipient !== 'string' || !/^\d+$/.test(recipient)) throw new Error('event.message_create.target.recipient_id is missing');
  const data = e.message_create?.message_data;
  if (!data || typeof data.text !== 'string' || data.text.length === 0) throw new Error('message_data.text is missing');
  if (data.text.length > 10_000) throw new Error('message_data.text is over 10000 characters');
  const qr = data.quick_reply;
  if (qr) {
    if (qr.type !== 'options' || !Array.isArray(qr.options) || qr.options.length < 1 || qr.options.length > 20) {
      throw new Error('quick_reply: 1 to 20 options of type options');
    }
    for (const o of qr.options) {
      if (typeof o.label !== 'string' || o.label.length < 1 || o.label.length > 36) throw new Error('quick_reply: label must be 1 to 36 characters');
      if (o.metadata !== undefined && (typeof o.metadata !== 'string' || o.metadata.length > 1000)) throw new Error('quick_reply: metadata over 1000 characters');
      if (o.description !== undefined && (typeof o.description !== 'string' || o.description.length > 72)) throw new Error('quick_reply: description over 72 characters');
    }
  }
  return e as DmEventBody;
}

function xError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}
