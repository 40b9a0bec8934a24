/**
 * The Freshchat bridge, over Freshchat's REST API v2 (`<FRESHCHAT_URL>/v2`, Bearer API key).
 *
 * 1. An agent resolves a conversation: webhook action `conversation_resolution`; the
 *    payload names the resolver (`resolver_id`), who is the agent. The bridge reads the
 *    conversation (`GET /v2/conversations/{id}`: its user is the customer) and its
 *    messages (`GET …/messages`: the channel is the `message_source` of the customer's
 *    messages, and every agent who wrote is counted in `participants`).
 * 2. The question goes into the conversation as FRESHCHAT_AGENT_ID
 *    (`POST /v2/conversations/{id}/messages`), with 0–10 quick-reply buttons on the web
 *    and mobile widgets, as text elsewhere (and as text if Freshchat refuses the buttons).
 * 3. Answers: action `message_create` from the user (`actor_type: user`); each message id
 *    is handled once. A tapped button comes back as a user message with its label.
 */
import type { Router } from 'express';
import type { Logger } from '../../logger.ts';
import type { HelpdeskBridge } from '../bridged-channel.ts';
import type { EngineSink, InboundMessage, Notice, OutgoingMessage, Recipient, ResolvedEvent, SendReceipt } from '../../conversation/channel-contract/channel.ts';
import { HttpJsonClient, HttpRefusal } from '../http-json-client.ts';
import { conversationOfKey, resolutionKey } from '../resolution-key.ts';
import { PermanentSendError } from '../../conversation/channel-contract/send-errors.ts';
import { fitText, type TextLimit } from '../text-limit.ts';
import { parsePayload } from '../webhook-json.ts';
import { freshchatChannelName, freshchatKind, kindOfFreshchatChannel, type FreshchatChannelKind } from './freshchat-channel-names.ts';
import {
  agentSchema, conversationSchema, envelopeSchema, freshchatMessageSchema, messageDataSchema, messageListSchema, resolutionDataSchema, textOf,
  type FreshchatMessage,
} from './freshchat-payload.ts';
import type { FreshchatSettings } from './freshchat-settings.ts';
import { mountFreshchatWebhook } from './freshchat-webhook-routes.ts';

export const FRESHCHAT_UNASSIGNED_AGENT_ID = 'freshchat-unassigned';

export const FRESHCHAT_TEXT_LIMITS: Partial<Record<FreshchatChannelKind, TextLimit>> = {
  instagram: { bytes: 1000 }, facebook: { chars: 2000 }, whatsapp: { chars: 4096 }, sms: { chars: 1600 },
};
/** Freshchat documents no text limit that we found; the bot keeps its texts under this. */
export const FRESHCHAT_DEFAULT_LIMIT: TextLimit = { chars: 4000 };

const QUICK_REPLY_KINDS: ReadonlySet<FreshchatChannelKind> = new Set(['web', 'mobile']);
const ID = /^[A-Za-z0-9-]{1,64}$/;

export class FreshchatBridge implements HelpdeskBridge {
  readonly http: HttpJsonClient;
  readonly ratePerSecond: number;
  private sink: EngineSink | null = null;
  private started = false;
  private stopping: Promise<void> | null = null;

  constructor(readonly settings: FreshchatSettings, private readonly log: Logger) {
    this.http = new HttpJsonClient({ platform: 'freshchat', baseUrl: `${settings.url}/v2`, headers: { authorization: `Bearer ${settings.apiKey}` }, ratePerSecond: settings.ratePerSecond });
    this.ratePerSecond = settings.ratePerSecond;
  }

  start(sink: EngineSink, http: Router): void {
    if (this.started) return;
    this.started = true;
    this.sink = sink;
    mountFreshchatWebhook(http, { publicKey: this.settings.publicKey, bodyLimitBytes: this.settings.bodyLimitBytes, logger: this.log, onPayload: (json) => this.onPayload(json) });
    this.log.info({ webhook: '/freshchat/webhook' }, 'freshchat bridge on');
  }

  stop(): Promise<void> {
    this.stopping ??= this.http.stop();
    return this.stopping;
  }

  async send(channel: string, to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    const kind = kindOfFreshchatChannel(channel);
    if (!kind) throw new PermanentSendError(`the channel "${channel}" only posts notices; resolve Freshchat conversations as "freshchat:<kind>" (see docs/freshchat.md)`, 'freshchat-no-kind');
    const text = fitText(message.text, FRESHCHAT_TEXT_LIMITS[kind] ?? FRESHCHAT_DEFAULT_LIMIT);
    const conversationId = to.address?.conversationId ?? conversationOfKey(to.conversationId);
    const plain = this.messageBody(to.customerId, text);
    let answer: unknown;
    if (message.choices && message.choices.length > 0 && QUICK_REPLY_KINDS.has(kind) && this.settings.quickReplies) {
      const buttons = message.choices.map((n) => ({ quick_reply_button: { label: String(n), custom_reply_text: String(n) } }));
      try {
        answer = await this.postMessage(conversationId, { ...plain, reply_parts: [{ collection: { sub_parts: buttons } }] });
      } catch (err) {
        if (!(err instanceof HttpRefusal) || ![400, 422].includes(err.status)) throw err;
        this.log.warn({ surveyId: to.surveyId, err: err.message }, 'freshchat: quick replies refused, the question went as text');
        answer = await this.postMessage(conversationId, plain);
      }
    } else {
      answer = await this.postMessage(conversationId, plain);
    }
    const id = (answer as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' ? { messageId: id } : {};
  }

  /** A notice is a private message (a note) in the conversation given as `channelId` (ALERT_TARGET=freshchat:<conversation id>). */
  async post(channelId: string, notice: Notice): Promise<void> {
    const fields = Object.entries(notice.fields ?? {}).map(([k, v]) => `${k}: ${v}`);
    await this.postMessage(channelId.slice(channelId.lastIndexOf(':') + 1), { ...this.messageBody(undefined, [notice.text, ...fields].join('\n')), message_type: 'private' });
  }

  private messageBody(userId: string | undefined, text: string): Record<string, unknown> {
    return { message_parts: [{ text: { content: text } }], message_type: 'normal', actor_type: 'agent', actor_id: this.settings.agentId, ...(userId ? { user_id: userId } : {}) };
  }

  private async postMessage(conversationId: string, body: unknown): Promise<unknown> {
    try {
      return await this.http.post(`/conversations/${checkedId(conversationId)}/messages`, body);
    } catch (err) {
      if (err instanceof HttpRefusal && (err.status === 404 || err.status === 410)) {
        throw new PermanentSendError(`freshchat: the conversation no longer exists (Freshchat answered ${err.status})`, 'freshchat-conversation-gone');
      }
      throw err;
    }
  }

  // ── webhooks ────────────────────────────────────────────────────────────────

  private async onPayload(json: unknown): Promise<void> {
    const e = parsePayload(envelopeSchema, json);
    if (e.action === 'conversation_resolution') return this.onResolved(parsePayload(resolutionDataSchema, e.data), e.action_time ?? undefined);
    if (e.action === 'message_create') return this.onMessage(parsePayload(messageDataSchema, e.data).message);
    this.log.debug({ action: e.action }, 'freshchat webhook: action not used');
  }

  private async onResolved(data: { resolve: { resolver?: string | null; resolver_id?: string | null; conversation: { conversation_id: string; assigned_agent_id?: string | null } } }, at?: string): Promise<void> {
    const { resolve } = data;
    const id = checkedId(resolve.conversation.conversation_id);
    let conversation;
    try {
      conversation = parsePayload(conversationSchema, await this.http.get(`/conversations/${id}`));
    } catch (err) {
      if (err instanceof HttpRefusal && err.status === 404) {
        this.log.warn('freshchat: a resolved conversation is gone, not surveyed');
        return;
      }
      throw err;
    }
    const customerId = conversation.users?.[0]?.id;
    if (!customerId) {
      this.log.warn('freshchat: a resolved conversation without a user, not surveyed');
      return;
    }
    const messages = await this.messagesOf(id);
    const mine = messages.filter((m) => m.actor_type === 'user');
    const agents = new Map<string, { id: string; name?: string; replies: number }>();
    for (const m of messages) {
      if (m.actor_type !== 'agent' || !m.actor_id || m.message_type === 'private' || m.actor_id === this.settings.agentId) continue;
      const a = agents.get(m.actor_id) ?? { id: m.actor_id, replies: 0 };
      a.replies++;
      agents.set(m.actor_id, a);
    }
    const agentId = resolve.resolver === 'agent' && resolve.resolver_id ? resolve.resolver_id : (resolve.conversation.assigned_agent_id ?? conversation.assigned_agent_id ?? undefined);
    const agentName = agentId ? await this.agentName(agentId) : undefined;
    if (agentId && agentName && agents.has(agentId)) agents.get(agentId)!.name = agentName;
    const event: ResolvedEvent = {
      channel: freshchatChannelName(freshchatKind(mine.at(-1)?.message_source)),
      // One survey per resolution: Freshchat reopens the same conversation on the next message (see resolution-key.ts).
      conversationId: resolutionKey(id, at && Number.isFinite(Date.parse(at)) ? new Date(at).toISOString() : 'resolved'),
      customer: { id: customerId },
      address: { conversationId: id },
      resolvedAt: at && Number.isFinite(Date.parse(at)) ? new Date(at) : undefined,
      agent: agentId ? { id: agentId, name: agentName } : { id: FRESHCHAT_UNASSIGNED_AGENT_ID },
      participants: agents.size > 0 ? [...agents.values()] : undefined,
      link: `${this.settings.url}/a/inbox/conversation/${id}`,
    };
    const outcome = await this.sink!.resolved(event);
    this.log.info({ surveyId: outcome.surveyId, status: outcome.status, channel: event.channel }, 'freshchat: conversation resolved');
  }

  private async messagesOf(id: string): Promise<FreshchatMessage[]> {
    const parsed = messageListSchema.safeParse(await this.http.get(`/conversations/${id}/messages?items_per_page=50`));
    if (!parsed.success) return [];
    return parsed.data.messages.flatMap((m) => {
      const one = freshchatMessageSchema.safeParse(m);
      return one.success ? [one.data] : [];
    });
  }

  /** The agent's name for reports; none when Freshchat will not say. */
  private async agentName(agentId: string): Promise<string | undefined> {
    if (!ID.test(agentId)) return undefined;
    try {
      const a = agentSchema.safeParse(await this.http.get(`/agents/${agentId}`));
      return a.success ? [a.data.first_name, a.data.last_name].filter(Boolean).join(' ').trim().slice(0, 200) || undefined : undefined;
    } catch {
      return undefined;
    }
  }

  private async onMessage(m: FreshchatMessage): Promise<void> {
    const inbound = this.inbound(m);
    if (!inbound) return;
    const outcome = await this.sink!.message(inbound);
    this.log.debug({ eventId: inbound.eventId, status: outcome.status }, 'freshchat: customer message handled');
  }

  private inbound(m: FreshchatMessage): InboundMessage | null {
    // Agents' and the bot's own messages, private notes and system messages are never answers.
    if (m.actor_type !== 'user' || m.message_type === 'private') return null;
    const customerId = m.user_id ?? m.actor_id;
    const text = textOf(m);
    if (!customerId || !text.trim()) return null;
    return { channel: freshchatChannelName(freshchatKind(m.message_source)), customerId, text, eventId: `freshchat:${m.id}` };
  }
}

function checkedId(id: string): string {
  if (!ID.test(id)) throw new PermanentSendError('the conversation id is not a Freshchat conversation id', 'freshchat-bad-conversation');
  return id;
}
