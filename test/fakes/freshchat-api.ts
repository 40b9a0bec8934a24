/**
 * A small local stand-in for Freshchat's REST API v2 and its webhooks on 127.0.0.1,
 * built from the public docs:
 *
 * - `GET /v2/conversations/{id}` (`conversation_id`, `status`, `assigned_agent_id`,
 *   `users[]`), `GET /v2/conversations/{id}/messages` (`messages[]` with `message_parts`,
 *   `actor_type`, `actor_id`, `message_source`), `GET /v2/agents/{id}`;
 * - `POST /v2/conversations/{id}/messages` — `message_parts[].text.content`,
 *   `actor_type: agent` with a known `actor_id`, `message_type` normal or private, and
 *   optional `reply_parts[].collection.sub_parts[].quick_reply_button` ({label});
 *   like Freshchat it tells the webhook (`message_create`) about the agent's message too;
 * - Bearer API key checked (401), unknown conversation 404, scripted 429 on request.
 *
 * Webhooks carry the documented envelope (`actor`, `action`, `action_time`, `data`) and
 * `X-Freshchat-Signature`: base64 SHA256withRSA of the body with the account's private
 * key; the matching public key is what an admin copies into the bot.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake, type ScriptedFailure } from './loopback-fake.ts';

export interface FakeFreshchatOptions { apiKey: string; appId: string; agents: Array<{ id: string; first_name: string; last_name: string }> }

export interface FakeFreshchatMessage {
  id: string; conversation_id: string; actor_type: 'user' | 'agent' | 'system'; actor_id: string; user_id?: string; message_type: 'normal' | 'private';
  message_source: string; created_time: string; message_parts: Array<{ text: { content: string } }>; reply_parts?: unknown[];
}

export interface FakeFreshchatConversation { id: string; userId: string; source: string; assignedAgentId: string | null; status: string; messages: FakeFreshchatMessage[]; gone?: boolean }

export type { ScriptedFailure };

export function newAccountKeys(): { privateKey: KeyObject; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export function signFreshchat(body: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(body), privateKey).toString('base64');
}

export class FakeFreshchatApi extends LoopbackFake<ScriptedFailure & { method: string; suffix: string }> {
  readonly conversations = new Map<string, FakeFreshchatConversation>();
  readonly keys = newAccountKeys();
  webhookUrl?: string;
  readonly webhookAnswers: Array<{ action: string; status: number }> = [];

  private constructor(readonly options: FakeFreshchatOptions) { super(); }

  static async start(options: FakeFreshchatOptions): Promise<FakeFreshchatApi> {
    return new FakeFreshchatApi(options).listen();
  }

  failNext(method: string, suffix: string, failure: ScriptedFailure = { status: 429, headers: { 'retry-after': '1' } }): void {
    this.script({ ...failure, method, suffix });
  }

  addConversation(c: { source?: string; assignedAgentId?: string | null; replies?: string[] }): FakeFreshchatConversation {
    const conversation: FakeFreshchatConversation = {
      id: randomUUID(), userId: randomUUID(), source: c.source ?? 'web', assignedAgentId: c.assignedAgentId === undefined ? this.options.agents[0]!.id : c.assignedAgentId,
      status: 'assigned', messages: [],
    };
    conversation.messages.push(this.message(conversation, 'user', conversation.userId, 'Hi, my order never came'));
    for (const agentId of c.replies ?? (conversation.assignedAgentId ? [conversation.assignedAgentId] : [])) conversation.messages.push(this.message(conversation, 'agent', agentId, 'Sorted!'));
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  sentBy(c: FakeFreshchatConversation, agentId: string): FakeFreshchatMessage[] {
    return c.messages.filter((m) => m.actor_type === 'agent' && m.actor_id === agentId && m.message_type === 'normal');
  }

  async resolve(c: FakeFreshchatConversation, agentId: string): Promise<Response> {
    c.status = 'resolved';
    return this.deliver(this.resolutionPayload(c, agentId));
  }

  resolutionPayload(c: FakeFreshchatConversation, agentId: string): Record<string, unknown> {
    return {
      actor: { actor_type: 'agent', actor_id: agentId }, action: 'conversation_resolution', action_time: new Date().toISOString(),
      data: { resolve: { resolver: 'agent', resolver_id: agentId, conversation: { conversation_id: c.id, app_id: this.options.appId, status: 'resolved', channel_id: randomUUID(), assigned_agent_id: c.assignedAgentId ?? '' } } },
    };
  }

  /** The customer writes (a tapped quick-reply button sends its label the same way). */
  async customerWrites(c: FakeFreshchatConversation, text: string): Promise<{ body: Record<string, unknown>; response: Response }> {
    const m = this.message(c, 'user', c.userId, text);
    c.messages.push(m);
    if (c.status === 'resolved') c.status = 'reopened';
    const body = this.messagePayload(m);
    return { body, response: await this.deliver(body) };
  }

  messagePayload(m: FakeFreshchatMessage): Record<string, unknown> {
    const { reply_parts: _r, ...message } = m;
    return { actor: { actor_type: m.actor_type, actor_id: m.actor_id }, action: 'message_create', action_time: m.created_time, data: { message: { ...message, app_id: this.options.appId, channel_id: randomUUID() } } };
  }

  async deliver(payload: unknown, opts: { signature?: string | null; rawBody?: string } = {}): Promise<Response> {
    if (!this.webhookUrl) throw new Error('webhookUrl is not set');
    const body = opts.rawBody ?? JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-retry-count': '0', 'x-freshchat-payload-version': '1.0' };
    const signature = opts.signature === undefined ? signFreshchat(body, this.keys.privateKey) : opts.signature;
    if (signature !== null) headers['x-freshchat-signature'] = signature;
    return fetch(this.webhookUrl, { method: 'POST', headers, body });
  }

  private message(c: FakeFreshchatConversation, actorType: 'user' | 'agent', actorId: string, text: string): FakeFreshchatMessage {
    return {
      id: randomUUID(), conversation_id: c.id, actor_type: actorType, actor_id: actorId, user_id: c.userId, message_type: 'normal',
      message_source: actorType === 'user' ? c.source : 'web', created_time: new Date().toISOString(), message_parts: [{ text: { content: text } }],
    };
  }

  private background(action: string, p: Promise<Response>): void {
    this.inBackground(p, (status) => this.webhookAnswers.push({ action, status }));
  }

  protected handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = this.pathOf(req);
    const method = req.method ?? '';
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => this.reply(req, res, status, json, headers);
    if (req.headers.authorization !== `Bearer ${this.options.apiKey}`) return answer(401, { code: 401, status: 'UNAUTHORIZED', message: 'Authorization failed' });
    const f = this.takeScripted((x) => x.method === method && path.endsWith(x.suffix));
    if (f) {
      return answer(f.status, f.body ?? { code: 429, status: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' }, f.headers);
    }
    const agent = /^\/v2\/agents\/([^/]+)$/.exec(path);
    if (agent && method === 'GET') {
      const a = this.options.agents.find((x) => x.id === agent[1]);
      return a ? answer(200, { ...a, email: `${a.first_name.toLowerCase()}@acme.example` }) : answer(404, { code: 404, status: 'NOT_FOUND', message: 'Agent not found' });
    }
    const m = /^\/v2\/conversations\/([^/]+)(\/messages)?$/.exec(path);
    const c = m ? this.conversations.get(m[1]!) : undefined;
    if (!m || !c || c.gone) return answer(404, { code: 404, status: 'NOT_FOUND', message: 'Conversation not found' });
    if (method === 'GET' && !m[2]) {
      return answer(200, { conversation_id: c.id, app_id: this.options.appId, channel_id: randomUUID(), status: c.status, assigned_agent_id: c.assignedAgentId, assigned_group_id: null, users: [{ id: c.userId }], created_time: new Date().toISOString() });
    }
    if (method === 'GET') return answer(200, { messages: [...c.messages].reverse().map(({ reply_parts: _r, ...x }) => x), link: { first_page: null, last_page: null } });
    if (method !== 'POST') return answer(405, { code: 405, message: 'Method not allowed' });
    let body: Record<string, unknown>;
    try { body = JSON.parse(raw) as Record<string, unknown>; } catch { return answer(400, { code: 400, status: 'BAD_REQUEST', message: 'Invalid JSON' }); }
    const parts = body.message_parts as Array<{ text?: { content?: unknown } }> | undefined;
    if (!Array.isArray(parts) || parts.length === 0 || parts.some((p) => typeof p.text?.content !== 'string' || p.text.content.length === 0)) {
      return answer(400, { code: 400, status: 'BAD_REQUEST', message: 'message_parts are required' });
    }
    if (body.actor_type !== 'agent' || !this.options.agents.some((a) => a.id === body.actor_id)) return answer(400, { code: 400, status: 'BAD_REQUEST', message: 'actor_id must be an agent' });
    const replyParts = body.reply_parts as Array<{ collection?: { sub_parts?: Array<{ quick_reply_button?: { label?: unknown } }> } }> | undefined;
    if (replyParts !== undefined && (!Array.isArray(replyParts) || replyParts.some((r) => !Array.isArray(r.collection?.sub_parts) || r.collection.sub_parts.some((s) => typeof s.quick_reply_button?.label !== 'string')))) {
      return answer(400, { code: 400, status: 'BAD_REQUEST', message: 'reply_parts must be collections of quick_reply_button' });
    }
    const message: FakeFreshchatMessage = {
      id: randomUUID(), conversation_id: c.id, actor_type: 'agent', actor_id: String(body.actor_id), message_type: body.message_type === 'private' ? 'private' : 'normal',
      message_source: 'web', created_time: new Date().toISOString(), message_parts: parts as Array<{ text: { content: string } }>, ...(replyParts ? { reply_parts: replyParts } : {}),
    };
    c.messages.push(message);
    answer(200, { ...message, app_id: this.options.appId });
    if (this.webhookUrl) this.background('message_create', this.deliver(this.messagePayload(message)));
  }

  /** The labels of the quick-reply buttons on a message. */
  static buttons(m: FakeFreshchatMessage | undefined): string[] {
    return ((m?.reply_parts ?? []) as Array<{ collection: { sub_parts: Array<{ quick_reply_button: { label: string } }> } }>)
      .flatMap((r) => r.collection.sub_parts.map((s) => s.quick_reply_button.label));
  }
}
