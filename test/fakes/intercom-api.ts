/**
 * A small local stand-in for Intercom's REST API and webhooks on 127.0.0.1, built from
 * the public API reference (2.11):
 *
 * - `GET /contacts/{id}` — the contact (`role`, `name`, `browser_language`, `language_override`);
 * - `GET /conversations/{id}` — the conversation: `source` (type, author), `contacts`,
 *   `admin_assignee_id`, `teammates`, `state`, `conversation_parts`;
 * - `POST /conversations/{id}/reply` — an admin `comment`, `note` or `quick_reply`
 *   (`reply_options` of `{text, uuid}`, required for quick_reply; `admin_id` must be a
 *   teammate); answers the conversation with the new part;
 * - `POST /conversations/{id}/parts` — `message_type: close` by an admin; like Intercom,
 *   the close fires `conversation.admin.closed`;
 * - Bearer token checked (401 `error.list` `unauthorized`), unknown conversation 404
 *   `not_found`, scripted 429 `rate_limit_exceeded` with Retry-After... when asked.
 *
 * Webhook notifications (`type: notification_event`, `topic`, `data.item`) are signed
 * `X-Hub-Signature: sha1=<hex HMAC-SHA1(body, client secret)>`. A customer's reply
 * reopens a closed conversation, as in Intercom; its notification carries only the new part.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake, type ScriptedFailure } from './loopback-fake.ts';

export interface FakeIntercomOptions { accessToken: string; clientSecret: string; appId: string; admins: Array<{ id: string; name: string }> }

export interface FakePart {
  type: 'conversation_part'; id: string; part_type: string; body: string | null; created_at: number;
  author: { type: 'admin' | 'user' | 'lead' | 'bot'; id: string; name: string | null; email: string | null };
  metadata?: Record<string, unknown>;
  reply_options?: Array<{ text: string; uuid: string }>;
}

export interface FakeIntercomConversation {
  id: string; sourceType: string; contact: { id: string; name: string; role: 'user' | 'lead'; browserLanguage?: string }; assigneeId: string | null;
  state: 'open' | 'closed' | 'snoozed'; parts: FakePart[]; gone?: boolean;
}

export type { ScriptedFailure };

export function signIntercom(body: string, secret: string): string {
  return `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
}

export class FakeIntercomApi extends LoopbackFake<ScriptedFailure & { method: string; suffix: string }> {
  readonly conversations = new Map<string, FakeIntercomConversation>();
  webhookUrl?: string;
  readonly webhookAnswers: Array<{ topic: string; status: number }> = [];
  private nextConversation = 1000;
  private nextPart = 5000;

  private constructor(readonly options: FakeIntercomOptions) { super(); }

  static async start(options: FakeIntercomOptions): Promise<FakeIntercomApi> {
    return new FakeIntercomApi(options).listen();
  }

  failNext(method: string, suffix: string, failure: ScriptedFailure = { status: 429, headers: { 'retry-after': '1' } }): void {
    this.script({ ...failure, method, suffix });
  }

  /** A conversation the customer started, with these admins' replies. */
  addConversation(c: { sourceType?: string; customer: string; browserLanguage?: string; assigneeId?: string | null; replies?: string[] }): FakeIntercomConversation {
    const conversation: FakeIntercomConversation = {
      id: String(this.nextConversation++), sourceType: c.sourceType ?? 'conversation',
      contact: { id: randomUUID().replace(/-/g, '').slice(0, 24), name: c.customer, role: 'user', browserLanguage: c.browserLanguage },
      assigneeId: c.assigneeId === undefined ? this.options.admins[0]!.id : c.assigneeId, state: 'open', parts: [],
    };
    for (const adminId of c.replies ?? (conversation.assigneeId ? [conversation.assigneeId] : [])) conversation.parts.push(this.adminPart(adminId, 'comment', '<p>Sorted!</p>'));
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** What the bot (or anyone) said as an admin to the customer: comments and quick replies. */
  sentBy(c: FakeIntercomConversation, adminId: string): FakePart[] {
    return c.parts.filter((p) => p.author.type === 'admin' && p.author.id === adminId && ['comment', 'quick_reply'].includes(p.part_type));
  }

  /** A teammate closes the conversation: the close part, and `conversation.admin.closed`. */
  async close(c: FakeIntercomConversation, adminId: string): Promise<Response> {
    const part = this.adminPart(adminId, 'close', null);
    c.parts.push(part);
    c.state = 'closed';
    return this.deliver(this.notification('conversation.admin.closed', c, [part]));
  }

  /** The customer writes (or taps a quick reply: its text, with the option's uuid in the part's metadata). */
  async customerWrites(c: FakeIntercomConversation, text: string, opts: { uuid?: string } = {}): Promise<{ body: Record<string, unknown>; response: Response }> {
    const part: FakePart = {
      type: 'conversation_part', id: String(this.nextPart++), part_type: 'comment', body: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`, created_at: now(),
      author: { type: c.contact.role, id: c.contact.id, name: c.contact.name, email: null }, ...(opts.uuid ? { metadata: { quick_reply_uuid: opts.uuid } } : {}),
    };
    c.parts.push(part);
    if (c.state === 'closed') c.state = 'open';
    const body = this.notification('conversation.user.replied', c, [part]);
    return { body, response: await this.deliver(body) };
  }

  async customerTaps(c: FakeIntercomConversation, text: string): Promise<Response> {
    const option = c.parts.flatMap((p) => p.reply_options ?? []).find((o) => o.text === text);
    if (!option) throw new Error(`no quick reply "${text}" was offered`);
    return (await this.customerWrites(c, option.text, { uuid: option.uuid })).response;
  }

  notification(topic: string, c: FakeIntercomConversation, parts: FakePart[]): Record<string, unknown> {
    return {
      type: 'notification_event', app_id: this.options.appId, data: { type: 'notification_event_data', item: this.conversationJson(c, parts) },
      links: {}, id: `notif_${randomUUID()}`, topic, delivery_status: 'pending', delivery_attempts: 1, delivered_at: 0, first_sent_at: now(), created_at: now(), self: null,
    };
  }

  async deliver(payload: unknown, opts: { signature?: string | null; rawBody?: string } = {}): Promise<Response> {
    if (!this.webhookUrl) throw new Error('webhookUrl is not set');
    const body = opts.rawBody ?? JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'intercom-parrot-service-client/1.0' };
    const signature = opts.signature === undefined ? signIntercom(body, this.options.clientSecret) : opts.signature;
    if (signature !== null) headers['x-hub-signature'] = signature;
    return fetch(this.webhookUrl, { method: 'POST', headers, body });
  }

  private adminPart(adminId: string, partType: string, body: string | null): FakePart {
    const admin = this.options.admins.find((a) => a.id === adminId);
    return { type: 'conversation_part', id: String(this.nextPart++), part_type: partType, body, created_at: now(), author: { type: 'admin', id: adminId, name: admin?.name ?? null, email: null } };
  }

  private conversationJson(c: FakeIntercomConversation, parts: FakePart[] = c.parts): Record<string, unknown> {
    const teammates = [...new Set(c.parts.filter((p) => p.author.type === 'admin').map((p) => p.author.id))];
    return {
      type: 'conversation', id: c.id, created_at: now() - 3600, updated_at: now(), title: null, admin_assignee_id: c.assigneeId ? Number(c.assigneeId) : null, team_assignee_id: null,
      open: c.state === 'open', state: c.state, read: true, waiting_since: null, snoozed_until: null, priority: 'not_priority',
      source: { type: c.sourceType, id: '403918316', delivered_as: 'customer_initiated', subject: '', body: '<p>Hi, my order never came</p>',
        author: { type: c.contact.role, id: c.contact.id, name: c.contact.name, email: null }, attachments: [], url: null, redacted: false },
      contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: c.contact.id, external_id: null }] },
      teammates: { type: 'admin.list', admins: teammates.map((id) => ({ type: 'admin', id })) },
      conversation_parts: { type: 'conversation_part.list', conversation_parts: parts.map(({ reply_options: _r, ...p }) => p), total_count: parts.length },
    };
  }

  private background(topic: string, p: Promise<Response>): void {
    this.inBackground(p, (status) => this.webhookAnswers.push({ topic, status }));
  }

  protected handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = this.pathOf(req);
    const method = req.method ?? '';
    let body: Record<string, unknown> | undefined;
    try { body = raw ? JSON.parse(raw) as Record<string, unknown> : undefined; } catch { body = undefined; }
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => this.reply(req, res, status, json, headers, body);
    const error = (status: number, code: string, message: string, headers?: Record<string, string>) => answer(status, { type: 'error.list', request_id: randomUUID(), errors: [{ code, message }] }, headers);
    if (req.headers.authorization !== `Bearer ${this.options.accessToken}`) return error(401, 'unauthorized', 'Access Token Invalid');
    const f = this.takeScripted((x) => x.method === method && path.endsWith(x.suffix));
    if (f) {
      return answer(f.status, f.body ?? { type: 'error.list', errors: [{ code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 1000 in 60 seconds' }] }, f.headers);
    }
    const contact = /^\/contacts\/([^/]+)$/.exec(path);
    if (contact && method === 'GET') {
      const found = [...this.conversations.values()].map((x) => x.contact).find((x) => x.id === contact[1]);
      if (!found) return error(404, 'not_found', 'User Not Found');
      return answer(200, { type: 'contact', id: found.id, role: found.role, name: found.name, email: null, browser_language: found.browserLanguage ?? 'en', language_override: null });
    }
    const m = /^\/conversations\/(\d+)(\/reply|\/parts)?$/.exec(path);
    const c = m ? this.conversations.get(m[1]!) : undefined;
    if (!m || !c || c.gone) return error(404, 'not_found', 'Resource Not Found');
    if (method === 'GET' && !m[2]) return answer(200, this.conversationJson(c));
    if (method !== 'POST' || !m[2] || !body) return error(400, 'parameter_invalid', 'bad request');
    const admin = this.options.admins.find((a) => a.id === String(body!.admin_id));
    if (body.type !== 'admin' || !admin) return error(400, 'parameter_invalid', 'admin_id must be a teammate');
    if (m[2] === '/parts') {
      if (body.message_type !== 'close') return error(400, 'parameter_invalid', 'message_type not supported');
      const part = this.adminPart(admin.id, 'close', null);
      c.parts.push(part);
      c.state = 'closed';
      answer(200, this.conversationJson(c));
      if (this.webhookUrl) this.background('conversation.admin.closed', this.deliver(this.notification('conversation.admin.closed', c, [part])));
      return;
    }
    const type = String(body.message_type);
    if (!['comment', 'note', 'quick_reply'].includes(type)) return error(400, 'parameter_invalid', 'message_type must be comment, note or quick_reply');
    if (type !== 'quick_reply' && (typeof body.body !== 'string' || body.body.length === 0)) return error(400, 'parameter_invalid', 'Body is required');
    const options = body.reply_options as Array<{ text?: unknown; uuid?: unknown }> | undefined;
    if (type === 'quick_reply' && (!Array.isArray(options) || options.length === 0 || options.some((o) => typeof o.text !== 'string' || typeof o.uuid !== 'string'))) {
      return error(400, 'parameter_invalid', 'reply_options are required for quick_reply');
    }
    const part = this.adminPart(admin.id, type, typeof body.body === 'string' ? `<p>${body.body}</p>` : null);
    if (type === 'quick_reply') part.reply_options = options as Array<{ text: string; uuid: string }>;
    c.parts.push(part);
    answer(200, this.conversationJson(c));
  }
}

const now = () => Math.floor(Date.now() / 1000);
