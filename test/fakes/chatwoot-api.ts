/**
 * A small local stand-in for a Chatwoot server, on 127.0.0.1: its application API for
 * conversations and messages, and its account webhook. It answers the way Chatwoot
 * does:
 *
 * - `GET /api/v1/accounts/{a}/conversations/{id}`: the conversation (`id`, `status`,
 *   `can_reply`, `meta.sender`/`assignee`/`channel`);
 * - `POST …/conversations/{id}/messages`: stores an outgoing message (or private note,
 *   or `input_select` with `content_attributes.items`) and, like Chatwoot, fires
 *   `message_created` for it on the webhook. On a WhatsApp inbox an `input_select` is
 *   sent on as WhatsApp's buttons (≤ 3 items) or one list of all items — a list of more
 *   than 10 rows is refused by WhatsApp, which the fake records as the message failing
 *   (`content_attributes.external_error`), while the API still answered 200;
 * - `api_access_token` checked (401 `{"error": "Invalid Access Token"}`), unknown
 *   conversation 404 `{"error": "Resource could not be found"}`, 422 for a malformed
 *   `input_select`, and Rack::Attack's 429 "Retry later" when scripted.
 *
 * Webhook deliveries are signed like Chatwoot 4.11.2+ when a secret is given
 * (`X-Chatwoot-Signature: sha256=HMAC(secret, "<timestamp>.<body>")`,
 * `X-Chatwoot-Timestamp`, `X-Chatwoot-Delivery`). Tests drive the conversation: an
 * agent resolves it, the customer writes (which reopens it, as in Chatwoot), the web
 * widget's customer picks an option.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake } from './loopback-fake.ts';

export interface FakeChatwootOptions {
  accountId: number;
  apiToken: string;
  /** Sign webhook deliveries with this secret (Chatwoot ≥ 4.11.2); unset: unsigned. */
  webhookSecret?: string;
  /** Who the API token writes as. */
  bot?: { id: number; name: string; type: 'agent_bot' | 'user' };
}

export interface Person { id: number; name: string }

export interface FakeConversation {
  id: number;
  inboxId: number;
  channel: string;
  contact: Person & { phone?: string };
  assignee: Person | null;
  assigneeType?: 'User' | 'AgentBot';
  status: 'open' | 'resolved' | 'pending' | 'snoozed';
  canReply: boolean;
  additionalAttributes: Record<string, unknown>;
  sourceId: string;
  messages: FakeMessage[];
}

export interface FakeMessage {
  id: number;
  content: string;
  messageType: 'incoming' | 'outgoing' | 'activity' | 'template';
  contentType: string;
  contentAttributes: Record<string, unknown>;
  private: boolean;
  sender: { id: number; name: string; type: string } | null;
  createdAt: Date;
  /** What the platform behind Chatwoot would do with it (computed like Chatwoot's send services). */
  delivered?: 'text' | 'buttons' | 'list' | 'quick_replies' | 'widget_options' | 'failed';
}

export interface ScriptedFailure { status: number; body?: string; headers?: Record<string, string> }

export function signChatwoot(timestamp: string, body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** `requests` holds every API request that reached a route, with the status answered. */
export class FakeChatwootApi extends LoopbackFake<ScriptedFailure> {
  readonly conversations = new Map<number, FakeConversation>();
  /** Where webhooks go (the bot's `/chatwoot/webhook…`). */
  webhookUrl?: string;
  /** What the bot answered to each webhook delivery this fake made on its own. */
  readonly webhookAnswers: Array<{ event: string; status: number }> = [];
  protected override readonly jsonType = 'application/json; charset=utf-8';
  private nextMessageId = 1000;
  private nextConversationId = 1;

  private constructor(readonly options: FakeChatwootOptions) { super(); }

  static async start(options: FakeChatwootOptions): Promise<FakeChatwootApi> {
    return new FakeChatwootApi(options).listen();
  }

  failNext(...failures: ScriptedFailure[]): void {
    this.script(...failures);
  }

  /** A conversation on an inbox of this type (`Channel::Whatsapp`, `Channel::WebWidget`, …). */
  addConversation(c: { channel: string; contact: Person & { phone?: string }; assignee?: Person | null; assigneeType?: 'User' | 'AgentBot'; canReply?: boolean; additionalAttributes?: Record<string, unknown>; sourceId?: string }): FakeConversation {
    const id = this.nextConversationId++;
    const conversation: FakeConversation = {
      id, inboxId: 10 + id, channel: c.channel, contact: c.contact, assignee: c.assignee === undefined ? { id: 7, name: 'Anna' } : c.assignee,
      assigneeType: c.assigneeType ?? 'User', status: 'open', canReply: c.canReply ?? true,
      additionalAttributes: c.additionalAttributes ?? {}, sourceId: c.sourceId ?? c.contact.phone?.replace('+', '') ?? `src-${c.contact.id}`, messages: [],
    };
    this.conversations.set(id, conversation);
    return conversation;
  }

  /** Outgoing, non-private messages (what the customer is sent). */
  sentTo(conversationId: number): FakeMessage[] {
    return this.conversations.get(conversationId)?.messages.filter((m) => m.messageType === 'outgoing' && !m.private) ?? [];
  }

  notes(conversationId: number): FakeMessage[] {
    return this.conversations.get(conversationId)?.messages.filter((m) => m.private) ?? [];
  }

  // ── what happens in Chatwoot, delivered on the webhook ──────────────────────

  /** An agent marks the conversation resolved: `conversation_status_changed`. */
  async resolve(conversationId: number, opts: { deliver?: boolean } = {}): Promise<Response | undefined> {
    const c = this.conversation(conversationId);
    const previous = c.status;
    c.status = 'resolved';
    if (opts.deliver === false) return undefined;
    return this.deliver(this.statusChangedPayload(c, previous));
  }

  statusChangedPayload(c: FakeConversation, previous: string): Record<string, unknown> {
    return { ...this.conversationData(c), event: 'conversation_status_changed', changed_attributes: [{ status: { previous_value: previous, current_value: c.status } }] };
  }

  /** The customer writes: an incoming message (`message_created`); a resolved conversation reopens, as in Chatwoot. */
  async customerWrites(conversationId: number, content: string): Promise<{ message: FakeMessage; payload: Record<string, unknown>; response: Response }> {
    const c = this.conversation(conversationId);
    const message = this.addMessage(c, { content, messageType: 'incoming', contentType: 'text', contentAttributes: {}, private: false, sender: { ...c.contact, type: 'contact' } });
    if (c.status === 'resolved') {
      c.status = 'open';
      this.background('conversation_status_changed', this.deliver(this.statusChangedPayload(c, 'resolved')));
    }
    const payload = this.messagePayload('message_created', c, message);
    const response = await this.deliver(payload);
    return { message, payload, response };
  }

  /** In the web widget, the customer picks an option of an `input_select`: `message_updated` with `submitted_values`. */
  async widgetPick(conversationId: number, messageId: number, value: string): Promise<Response> {
    const c = this.conversation(conversationId);
    const m = c.messages.find((x) => x.id === messageId);
    if (!m) throw new Error(`no message ${messageId}`);
    const items = (m.contentAttributes.items as Array<{ title: string; value: string }> | undefined) ?? [];
    const item = items.find((i) => i.value === value);
    if (!item) throw new Error(`message ${messageId} has no option ${value}`);
    m.contentAttributes = { ...m.contentAttributes, submitted_values: [{ title: item.title, value: item.value }] };
    return this.deliver(this.messagePayload('message_updated', c, m));
  }

  /** POST a payload to the webhook, signed (when a secret is set) unless told otherwise. */
  async deliver(payload: unknown, opts: { signature?: string | null; timestamp?: string; rawBody?: string; url?: string } = {}): Promise<Response> {
    const url = opts.url ?? this.webhookUrl;
    if (!url) throw new Error('FakeChatwootApi.webhookUrl is not set');
    const body = opts.rawBody ?? JSON.stringify(payload);
    const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'x-chatwoot-delivery': randomUUID() };
    if (this.options.webhookSecret || opts.signature !== undefined) {
      const signature = opts.signature === undefined ? signChatwoot(timestamp, body, this.options.webhookSecret!) : opts.signature;
      if (signature !== null) {
        headers['x-chatwoot-signature'] = signature;
        headers['x-chatwoot-timestamp'] = timestamp;
      }
    }
    return fetch(url, { method: 'POST', headers, body });
  }

  messagePayload(event: 'message_created' | 'message_updated', c: FakeConversation, m: FakeMessage): Record<string, unknown> {
    return {
      event,
      id: m.id,
      content: m.content,
      created_at: m.createdAt.toISOString(),
      message_type: m.messageType,
      content_type: m.contentType,
      content_attributes: m.contentAttributes,
      source_id: null,
      private: m.private,
      sender: m.sender ? { ...m.sender, ...(m.sender.type === 'contact' ? { email: null, phone_number: c.contact.phone ?? null, identifier: null } : { email: 'bot@acme.example' }) } : null,
      inbox: { id: c.inboxId, name: c.channel.replace('Channel::', '') },
      conversation: this.conversationData(c),
      account: { id: this.options.accountId, name: 'Acme' },
    };
  }

  /** Chatwoot's conversation push data (what webhooks carry). */
  conversationData(c: FakeConversation): Record<string, unknown> {
    const last = c.messages[c.messages.length - 1];
    return {
      additional_attributes: c.additionalAttributes,
      can_reply: c.canReply,
      channel: c.channel,
      contact_inbox: { id: 500 + c.id, contact_id: c.contact.id, inbox_id: c.inboxId, source_id: c.sourceId, hmac_verified: false },
      id: c.id,
      inbox_id: c.inboxId,
      messages: last ? [{ id: last.id, content: last.content, account_id: this.options.accountId, inbox_id: c.inboxId, conversation_id: c.id, message_type: ['incoming', 'outgoing', 'activity', 'template'].indexOf(last.messageType), private: last.private }] : [],
      labels: [],
      meta: {
        sender: { additional_attributes: {}, custom_attributes: {}, email: null, id: c.contact.id, identifier: null, name: c.contact.name, phone_number: c.contact.phone ?? null, thumbnail: '', type: 'contact' },
        assignee: c.assignee ? { id: c.assignee.id, name: c.assignee.name, available_name: c.assignee.name, avatar_url: '', type: c.assigneeType === 'AgentBot' ? 'agent_bot' : 'user', availability_status: 'online', thumbnail: '' } : null,
        assignee_type: c.assignee ? c.assigneeType : null,
        team: null,
        hmac_verified: false,
      },
      status: c.status,
      custom_attributes: {},
      snoozed_until: null,
      unread_count: 0,
      first_reply_created_at: null,
      priority: null,
      waiting_since: 0,
      agent_last_seen_at: 0,
      contact_last_seen_at: 0,
      last_activity_at: Math.floor(Date.now() / 1000),
      timestamp: Math.floor(Date.now() / 1000),
      created_at: Math.floor(Date.now() / 1000) - 3600,
      updated_at: Date.now() / 1000,
    };
  }

  private conversation(id: number): FakeConversation {
    const c = this.conversations.get(id);
    if (!c) throw new Error(`no conversation ${id}`);
    return c;
  }

  private addMessage(c: FakeConversation, m: Omit<FakeMessage, 'id' | 'createdAt'>): FakeMessage {
    const message: FakeMessage = { ...m, id: this.nextMessageId++, createdAt: new Date() };
    c.messages.push(message);
    return message;
  }

  private background(event: string, p: Promise<Response>): void {
    this.inBackground(p, (status) => this.webhookAnswers.push({ event, status }));
  }

  // ── the API ──────────────────────────────────────────────────────────────────

  protected handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = this.pathOf(req);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => this.reply(req, res, status, body, headers);
    const m = /^\/api\/v1\/accounts\/(\d+)\/conversations\/(\d+)(\/messages)?$/.exec(path);
    if (!m) return answer(404, { error: 'Resource could not be found' });
    if (req.headers.api_access_token !== this.options.apiToken) return answer(401, { error: 'Invalid Access Token' });
    if (Number(m[1]) !== this.options.accountId) return answer(401, { error: 'You are not authorized to access this account' });
    const failure = this.takeScripted();
    if (failure) return answer(failure.status, failure.body ?? 'Retry later\n', failure.headers);
    const c = this.conversations.get(Number(m[2]));
    if (!c) return answer(404, { error: 'Resource could not be found' });

    if (req.method === 'GET' && !m[3]) {
      return answer(200, { ...this.conversationData(c), account_id: this.options.accountId, meta: { ...(this.conversationData(c).meta as object), channel: c.channel } });
    }
    if (req.method !== 'POST' || !m[3]) return answer(404, { error: 'Resource could not be found' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return answer(400, { error: 'body is not valid JSON' });
    }
    if (typeof body.content !== 'string' || body.content.length === 0) return answer(422, { message: "Content can't be blank" });
    if (body.content.length > 150_000) return answer(422, { message: 'Content is too long (maximum is 150000 characters)' });
    const contentType = typeof body.content_type === 'string' ? body.content_type : 'text';
    const attributes = (body.content_attributes ?? {}) as Record<string, unknown>;
    if (contentType === 'input_select') {
      const items = attributes.items;
      if (!Array.isArray(items) || items.length === 0 || items.some((i: { title?: unknown; value?: unknown }) => typeof i?.title !== 'string' || typeof i?.value !== 'string')) {
        return answer(422, { message: 'Content attributes items must be a list of {title, value}' });
      }
    }
    const bot = this.options.bot ?? { id: 1, name: 'NPS bot', type: 'agent_bot' as const };
    const message = this.addMessage(c, {
      content: body.content, messageType: 'outgoing', contentType, contentAttributes: { ...attributes },
      private: body.private === true, sender: { id: bot.id, name: bot.name, type: bot.type },
    });
    if (!message.private) message.delivered = this.platformDelivery(c, message);
    answer(200, {
      id: message.id, content: message.content, inbox_id: c.inboxId, conversation_id: c.id, message_type: 1, content_type: contentType,
      content_attributes: message.contentAttributes, created_at: Math.floor(message.createdAt.getTime() / 1000), private: message.private, source_id: null,
      sender: { id: bot.id, name: bot.name, type: bot.type },
    });
    // Chatwoot tells every webhook about the message it just created: the bot's own, outgoing.
    if (this.webhookUrl) this.background('message_created', this.deliver(this.messagePayload('message_created', c, message)));
  }

  /** What Chatwoot's send service for this inbox makes of the message (see chatwoot-question.ts). */
  private platformDelivery(c: FakeConversation, m: FakeMessage): FakeMessage['delivered'] {
    // The platform's own text limits (Chatwoot passes the content on unchanged): Instagram
    // 1000 bytes of UTF-8, Messenger 2000 characters, WhatsApp 4096 (an interactive body 1024).
    const bytes = Buffer.byteLength(m.content, 'utf8');
    const tooLong = (c.channel === 'Channel::Instagram' || (c.channel === 'Channel::FacebookPage' && c.additionalAttributes?.type === 'instagram_direct_message')) ? bytes > 1000
      : c.channel === 'Channel::FacebookPage' ? m.content.length > 2000
        : c.channel === 'Channel::Whatsapp' ? m.content.length > (m.contentType === 'input_select' ? 1024 : 4096) : false;
    if (tooLong) {
      m.contentAttributes = { ...m.contentAttributes, external_error: '(#100) the message text is too long for the platform' };
      return 'failed';
    }
    if (m.contentType !== 'input_select') return 'text';
    const items = (m.contentAttributes.items as unknown[]).length;
    switch (c.channel) {
      case 'Channel::WebWidget':
        return 'widget_options';
      case 'Channel::FacebookPage':
      case 'Channel::Instagram':
        return items <= 13 ? 'quick_replies' : 'failed';
      case 'Channel::Whatsapp':
        if (items <= 3) return 'buttons';
        if (items <= 10) return 'list';
        // WhatsApp: "Total row count exceed max allowed count: 10" — Chatwoot marks the message failed.
        m.contentAttributes = { ...m.contentAttributes, external_error: '(#131009) Parameter value is not valid' };
        return 'failed';
      default:
        return 'text';
    }
  }
}
