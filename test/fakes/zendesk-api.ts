/**
 * A small local stand-in for a Zendesk account with messaging, on 127.0.0.1: the Support
 * API and the Sunshine Conversations API on one port (Zendesk serves Sunshine under
 * `/sc`), and both webhooks. Built from the public docs:
 *
 * - Support API `GET /api/v2/tickets/{id}/conversation_log` (records with
 *   `author.type` user/agent, `author["zen:sunco:user_id"]` for messaging users,
 *   `author["zen:support:user_id"]` for agents; cursor `meta.has_more`), and
 *   `PUT /api/v2/tickets/{id}` with a `comment` (a private note). Basic auth
 *   `email/token:<api token>`; 401 `{"error":"Couldn't authenticate you"}`; 404
 *   `{"error":"RecordNotFound"}`.
 * - Sunshine v2 `GET /sc/v2/apps/{app}/users/{id}` (`user.profile.locale`),
 *   `GET /sc/v2/apps/{app}/conversations?filter[userId]=`,
 *   `GET …/conversations/{id}/messages`, `POST …/conversations/{id}/messages`
 *   (`author.type` business, `content.type` text with optional `actions` of type reply,
 *   at most 4,096 characters of text); basic auth with the app key; 404
 *   `{"errors":[{"code":"conversation_not_found","title":"Conversation not found"}]}`,
 *   429 `{"errors":[{"code":"too_many_requests"}]}` with Retry-After when scripted.
 *   How the channel renders a message is recorded (`delivered`): quick replies where the
 *   channel has them, a WhatsApp list (≤ 10 rows, more fails), text elsewhere; Instagram
 *   refuses text over 1,000 bytes.
 * - The Zendesk webhook (ticket status changed) signed as Zendesk signs:
 *   base64 HMAC-SHA256(timestamp + body) in `X-Zendesk-Webhook-Signature`, with
 *   `X-Zendesk-Webhook-Signature-Timestamp`; the Sunshine webhook (`app`, `webhook`,
 *   `events[]` of `conversation:message` / `conversation:postback`) with `X-API-Key`.
 *   Like Sunshine, the fake tells the webhook about the business's own messages too.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake, type ScriptedFailure } from './loopback-fake.ts';

export interface FakeZendeskOptions {
  email: string;
  apiToken: string;
  webhookSecret: string;
  appId: string;
  keyId: string;
  keySecret: string;
  sunshineWebhookSecret: string;
}

export interface FakeAgent { id: number; name: string }

export interface FakeSunshineMessage {
  id: string;
  received: string;
  author: { type: 'user' | 'business'; userId?: string; displayName?: string };
  content: { type: 'text'; text: string; payload?: string; actions?: Array<{ type: string; text: string; payload: string }> };
  source: { type: string; integrationId?: string };
  delivered?: 'text' | 'quick_replies' | 'list' | 'buttons' | 'failed';
}

export interface FakeMessagingConversation { id: string; userId: string; channel: string; messages: FakeSunshineMessage[]; lastUpdatedAt: string; gone?: boolean }

export interface FakeTicket {
  id: number;
  status: string;
  requesterId: number;
  assignee: FakeAgent | null;
  /** The customer's Sunshine user, for messaging tickets; none for e-mail tickets. */
  user?: { id: string; name: string; locale?: string };
  conversation?: FakeMessagingConversation;
  /** Replies agents wrote (who, how many), in the conversation log. */
  agentReplies: FakeAgent[];
  notes: string[];
}

export type { ScriptedFailure };

const QUICK_REPLY_CHANNELS = new Set(['web', 'ios', 'android', 'messenger', 'instagram', 'line', 'telegram', 'viber']);

export function signZendesk(timestamp: string, body: string, secret: string): string {
  return createHmac('sha256', secret).update(timestamp + body).digest('base64');
}

const hex = (n: number) => randomBytes(n).toString('hex');

export class FakeZendeskApi extends LoopbackFake<ScriptedFailure & { prefix: string; method?: string }> {
  readonly tickets = new Map<number, FakeTicket>();
  readonly conversations = new Map<string, FakeMessagingConversation>();
  zendeskWebhookUrl?: string;
  sunshineWebhookUrl?: string;
  readonly webhookAnswers: Array<{ type: string; status: number }> = [];
  protected override readonly jsonType = 'application/json; charset=utf-8';
  private nextTicket = 100;
  private nextUser = 5000;

  private constructor(readonly options: FakeZendeskOptions) { super(); }

  static async start(options: FakeZendeskOptions): Promise<FakeZendeskApi> {
    return new FakeZendeskApi(options).listen();
  }

  /** The next request (of `method`, when given) whose path starts with `prefix` fails this way (default: 429, Retry-After 1). */
  failNext(match: { prefix: string; method?: string }, ...failures: ScriptedFailure[]): void {
    const list = failures.length > 0 ? failures : [{ status: 429, headers: { 'retry-after': '1' } }];
    this.script(...list.map((f) => ({ ...f, ...match })));
  }

  /** A messaging ticket: the customer wrote through `channel` (a Sunshine source type), agents replied. */
  addMessagingTicket(t: { channel: string; customer: string; locale?: string; assignee?: FakeAgent | null; agentReplies?: FakeAgent[] }): FakeTicket {
    const user = { id: hex(12), name: t.customer, locale: t.locale };
    const conversation: FakeMessagingConversation = { id: hex(12), userId: user.id, channel: t.channel, messages: [], lastUpdatedAt: new Date().toISOString() };
    this.conversations.set(conversation.id, conversation);
    conversation.messages.push(this.userMessage(conversation, 'Hi, my order never came', user.name));
    const assignee = t.assignee === undefined ? { id: 901, name: 'Anna' } : t.assignee;
    const ticket: FakeTicket = {
      id: this.nextTicket++, status: 'open', requesterId: this.nextUser++, assignee, user, conversation,
      agentReplies: t.agentReplies ?? (assignee ? [assignee] : []), notes: [],
    };
    this.tickets.set(ticket.id, ticket);
    return ticket;
  }

  addEmailTicket(t: { assignee?: FakeAgent }): FakeTicket {
    const assignee = t.assignee ?? { id: 901, name: 'Anna' };
    const ticket: FakeTicket = { id: this.nextTicket++, status: 'open', requesterId: this.nextUser++, assignee, agentReplies: [assignee], notes: [] };
    this.tickets.set(ticket.id, ticket);
    return ticket;
  }

  /** What the business posted into a ticket's conversation. */
  sentTo(t: FakeTicket): FakeSunshineMessage[] {
    return t.conversation?.messages.filter((m) => m.author.type === 'business') ?? [];
  }

  // ── what happens in Zendesk, delivered on the webhooks ──────────────────────

  /** An agent solves the ticket: Zendesk's `ticket.status_changed` event. */
  async solve(t: FakeTicket): Promise<Response> {
    const previous = t.status;
    t.status = 'solved';
    return this.deliverZendesk(this.statusChangedPayload(t, previous));
  }

  statusChangedPayload(t: FakeTicket, previous: string): Record<string, unknown> {
    return {
      account_id: 22_129_848,
      detail: {
        actor_id: String(t.assignee?.id ?? '-1'), assignee_id: t.assignee ? String(t.assignee.id) : null, brand_id: '123', created_at: '2026-12-01T10:00:00Z',
        custom_status: '4', description: 'My order never came', external_id: null, form_id: '1', group_id: '77', id: String(t.id), is_public: true,
        organization_id: null, priority: 'NORMAL', requester_id: String(t.requesterId), status: t.status.toUpperCase(), subject: 'Order', submitter_id: String(t.requesterId),
        tags: [], type: 'QUESTION', updated_at: new Date().toISOString(), via: { channel: t.conversation ? 'native_messaging' : 'email' },
      },
      event: { current: t.status.toUpperCase(), previous: previous.toUpperCase() },
      id: randomUUID(),
      subject: `zen:ticket:${t.id}`,
      time: new Date().toISOString(),
      type: 'zen:event-type:ticket.status_changed',
      zendesk_event_version: '2022-11-06',
    };
  }

  async deliverZendesk(payload: unknown, opts: { signature?: string | null; timestamp?: string; rawBody?: string } = {}): Promise<Response> {
    if (!this.zendeskWebhookUrl) throw new Error('zendeskWebhookUrl is not set');
    const body = opts.rawBody ?? JSON.stringify(payload);
    const timestamp = opts.timestamp ?? new Date().toISOString();
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-zendesk-webhook-id': '01HWEBHOOK', 'x-zendesk-webhook-invocation-id': String(Date.now()) };
    const signature = opts.signature === undefined ? signZendesk(timestamp, body, this.options.webhookSecret) : opts.signature;
    if (signature !== null) {
      headers['x-zendesk-webhook-signature'] = signature;
      headers['x-zendesk-webhook-signature-timestamp'] = timestamp;
    }
    return fetch(this.zendeskWebhookUrl, { method: 'POST', headers, body });
  }

  /** The customer types in the messaging conversation: `conversation:message`. */
  async customerWrites(t: FakeTicket, text: string, opts: { payload?: string } = {}): Promise<{ body: Record<string, unknown>; response: Response }> {
    const c = t.conversation!;
    const m = this.userMessage(c, text, t.user!.name, opts.payload);
    c.messages.push(m);
    const body = this.sunshineBody([this.messageEvent(c, m)]);
    return { body, response: await this.deliverSunshine(body) };
  }

  /** The customer taps a quick reply: Sunshine records a text message carrying the reply's payload. */
  async customerTaps(t: FakeTicket, label: string): Promise<Response> {
    const action = this.sentTo(t).flatMap((m) => m.content.actions ?? []).find((a) => a.text === label);
    if (!action) throw new Error(`no reply "${label}" was offered`);
    return (await this.customerWrites(t, action.text, { payload: action.payload })).response;
  }

  /** A postback (a button of type postback): `conversation:postback`. */
  postbackBody(t: FakeTicket, payload: string): Record<string, unknown> {
    const c = t.conversation!;
    return this.sunshineBody([{
      id: hex(12), createdAt: new Date().toISOString(), type: 'conversation:postback',
      payload: { conversation: { id: c.id, type: 'personal' }, postback: { payload }, user: { id: c.userId }, source: { type: c.channel, integrationId: hex(12) } },
    }]);
  }

  async deliverSunshine(body: unknown, opts: { apiKey?: string | null } = {}): Promise<Response> {
    if (!this.sunshineWebhookUrl) throw new Error('sunshineWebhookUrl is not set');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const key = opts.apiKey === undefined ? this.options.sunshineWebhookSecret : opts.apiKey;
    if (key !== null) headers['x-api-key'] = key;
    return fetch(this.sunshineWebhookUrl, { method: 'POST', headers, body: JSON.stringify(body) });
  }

  private userMessage(c: FakeMessagingConversation, text: string, name: string, payload?: string): FakeSunshineMessage {
    return {
      id: hex(12), received: new Date().toISOString(), author: { type: 'user', userId: c.userId, displayName: name },
      content: { type: 'text', text, ...(payload ? { payload } : {}) }, source: { type: c.channel, integrationId: 'int-' + c.channel },
    };
  }

  private messageEvent(c: FakeMessagingConversation, m: FakeSunshineMessage): Record<string, unknown> {
    return {
      id: hex(12), createdAt: new Date().toISOString(), type: 'conversation:message',
      payload: {
        conversation: { id: c.id, type: 'personal', brandId: '123' },
        message: { id: m.id, received: m.received, author: { ...m.author, user: m.author.userId ? { id: m.author.userId } : undefined }, content: m.content, source: m.source },
      },
    };
  }

  private sunshineBody(events: unknown[]): Record<string, unknown> {
    return { app: { id: this.options.appId }, webhook: { id: 'wh-1', version: 'v2' }, events };
  }

  private background(type: string, p: Promise<Response>): void {
    this.inBackground(p, (status) => this.webhookAnswers.push({ type, status }));
  }

  // ── the APIs ─────────────────────────────────────────────────────────────────

  protected handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://zendesk.local');
    const path = url.pathname;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => this.reply(req, res, status, body ?? {}, headers);
    const auth = req.headers.authorization ?? '';
    const basic = (user: string, pass: string) => auth === `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const scripted = () => this.takeScripted((f) => path.startsWith(f.prefix) && (!f.method || f.method === req.method));
    if (path.startsWith('/api/v2/')) {
      if (!basic(`${this.options.email}/token`, this.options.apiToken)) return answer(401, { error: "Couldn't authenticate you" });
      const f = scripted();
      if (f) return answer(f.status, f.body ?? { error: 'TooManyRequests' }, f.headers);
      return this.support(req.method ?? '', path, raw, answer);
    }
    if (path.startsWith('/sc/v2/')) {
      if (!basic(this.options.keyId, this.options.keySecret)) return answer(401, { errors: [{ code: 'unauthorized', title: 'Authorization is required' }] });
      const f = scripted();
      if (f) return answer(f.status, f.body ?? { errors: [{ code: 'too_many_requests', title: 'Too many requests' }] }, f.headers);
      return this.sunshine(req.method ?? '', path, url.searchParams, raw, answer);
    }
    return answer(404, { error: 'InvalidEndpoint' });
  }

  private support(method: string, path: string, raw: string, answer: (s: number, b: unknown) => void): void {
    const log = /^\/api\/v2\/tickets\/(\d+)\/conversation_log$/.exec(path);
    const one = /^\/api\/v2\/tickets\/(\d+)$/.exec(path);
    const t = this.tickets.get(Number((log ?? one)?.[1]));
    if (!t) return answer(404, { error: 'RecordNotFound', description: 'Not found' });
    if (log && method === 'GET') {
      const events: unknown[] = [];
      const at = () => new Date().toISOString();
      if (t.user) {
        events.push({ id: hex(13), type: 'Messaging::ConversationMessage', reference: `zen:ticket_event:${hex(4)}`, created_at: at(), attachments: [],
          author: { type: 'user', 'zen:sunco:user_id': t.user.id, 'zen:support:user_id': t.requesterId, display_name: t.user.name }, content: { type: 'text', body: 'Hi, my order never came' }, metadata: {} });
      } else {
        events.push({ id: hex(13), type: 'Comment', reference: `zen:ticket_event:${hex(4)}`, created_at: at(), attachments: [],
          author: { type: 'user', 'zen:support:user_id': t.requesterId, display_name: 'Mail customer' }, content: { type: 'html', body: '<p>Hello</p>' }, metadata: { public: true } });
      }
      for (const a of t.agentReplies) {
        events.push({ id: hex(13), type: t.user ? 'Messaging::ConversationMessage' : 'Comment', reference: `zen:ticket_event:${hex(4)}`, created_at: at(), attachments: [],
          author: { type: 'agent', 'zen:support:user_id': a.id, display_name: a.name }, content: { type: 'text', body: 'Sorted!' }, metadata: {} });
      }
      return answer(200, { events, links: { next: null, prev: null }, meta: { has_more: false, after_cursor: null, before_cursor: null } });
    }
    if (one && method === 'PUT') {
      const body = JSON.parse(raw) as { ticket?: { comment?: { body?: string; public?: boolean } } };
      if (typeof body.ticket?.comment?.body !== 'string') return answer(422, { error: 'RecordInvalid' });
      if (body.ticket.comment.public === false) t.notes.push(body.ticket.comment.body);
      return answer(200, { ticket: { id: t.id, status: t.status } });
    }
    return answer(404, { error: 'InvalidEndpoint' });
  }

  private sunshine(method: string, path: string, query: URLSearchParams, raw: string, answer: (s: number, b: unknown) => void): void {
    const u = /^\/sc\/v2\/apps\/([^/]+)\/users\/([^/]+)$/.exec(path);
    if (u && method === 'GET') {
      const user = [...this.tickets.values()].map((t) => t.user).find((x) => x?.id === u[2]);
      if (u[1] !== this.options.appId || !user) return answer(404, { errors: [{ code: 'user_not_found', title: 'User not found' }] });
      const [givenName, ...rest] = user.name.split(' ');
      return answer(200, { user: { id: user.id, externalId: null, signedUpAt: new Date().toISOString(), toBeRetained: false, profile: { givenName, surname: rest.join(' '), locale: user.locale ?? 'en-US' }, metadata: {}, identities: [] } });
    }
    const m = /^\/sc\/v2\/apps\/([^/]+)\/conversations(?:\/([^/]+)\/messages)?$/.exec(path);
    if (!m || m[1] !== this.options.appId) return answer(404, { errors: [{ code: 'app_not_found', title: 'App not found' }] });
    if (!m[2]) {
      const userId = query.get('filter[userId]');
      if (method !== 'GET' || !userId) return answer(400, { errors: [{ code: 'bad_request', title: 'filter[userId] or filter[userExternalId] is required' }] });
      const conversations = [...this.conversations.values()].filter((c) => c.userId === userId && !c.gone)
        .map((c) => ({ id: c.id, type: 'personal', isDefault: false, displayName: null, metadata: {}, businessLastRead: null, lastUpdatedAt: c.lastUpdatedAt }));
      return answer(200, { conversations, meta: { hasMore: false }, links: {} });
    }
    const c = this.conversations.get(m[2]);
    if (!c || c.gone) return answer(404, { errors: [{ code: 'conversation_not_found', title: 'Conversation not found' }] });
    if (method === 'GET') return answer(200, { messages: c.messages.map(({ delivered: _, ...rest }) => rest), meta: { hasPrevious: false, hasNext: false }, links: {} });
    if (method !== 'POST') return answer(405, { errors: [{ code: 'method_not_allowed' }] });
    const body = JSON.parse(raw) as { author?: { type?: string }; content?: { type?: string; text?: string; actions?: Array<{ type: string; text: string; payload: string }> } };
    if (body.author?.type !== 'business') return answer(400, { errors: [{ code: 'bad_request', title: 'author.type must be business' }] });
    const content = body.content;
    if (content?.type !== 'text' || typeof content.text !== 'string' || content.text.length === 0) return answer(400, { errors: [{ code: 'bad_request', title: 'content.text is required' }] });
    if (content.text.length > 4096) return answer(400, { errors: [{ code: 'bad_request', title: 'content.text must be at most 4096 characters' }] });
    if (content.actions && (!Array.isArray(content.actions) || content.actions.some((a) => a.type !== 'reply' || typeof a.text !== 'string' || typeof a.payload !== 'string'))) {
      return answer(400, { errors: [{ code: 'bad_request', title: 'reply actions need text and payload' }] });
    }
    const message: FakeSunshineMessage = {
      id: hex(12), received: new Date().toISOString(), author: { type: 'business', displayName: 'Acme' },
      content: { type: 'text', text: content.text, ...(content.actions ? { actions: content.actions } : {}) }, source: { type: 'api' },
    };
    message.delivered = this.channelDelivery(c, message);
    c.messages.push(message);
    c.lastUpdatedAt = message.received;
    answer(201, { messages: [{ ...message, delivered: undefined }] });
    if (this.sunshineWebhookUrl) this.background('conversation:message', this.deliverSunshine(this.sunshineBody([this.messageEvent(c, message)])));
  }

  /** What the channel behind the conversation makes of a business message. */
  private channelDelivery(c: FakeMessagingConversation, m: FakeSunshineMessage): FakeSunshineMessage['delivered'] {
    if (c.channel === 'instagram' && Buffer.byteLength(m.content.text, 'utf8') > 1000) return 'failed';
    const replies = m.content.actions?.length ?? 0;
    if (replies === 0) return 'text';
    if (c.channel === 'whatsapp') return replies <= 3 ? 'buttons' : replies <= 10 ? 'list' : 'failed';
    return QUICK_REPLY_CHANNELS.has(c.channel) ? (c.channel === 'messenger' || c.channel === 'instagram' ? (replies <= 13 ? 'quick_replies' : 'failed') : 'quick_replies') : 'text';
  }
}
