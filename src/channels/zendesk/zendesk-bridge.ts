/**
 * The Zendesk bridge: Zendesk (tickets) for the resolution, Sunshine Conversations
 * (Zendesk's messaging platform) for the question and the answers.
 *
 * 1. A ticket goes to `solved`: Zendesk's webhook (`zen:event-type:ticket.status_changed`).
 *    The bridge reads the ticket's conversation log: the messaging user (their Sunshine
 *    id is the customer) and every agent who replied (`participants`); the assignee is
 *    the agent. No messaging user means an e-mail (or web form) ticket: the survey is
 *    stored on `zendesk:email` and skipped with reason `no-messaging-conversation`.
 * 2. The customer's messaging conversation is their most recently active Sunshine
 *    conversation; the channel they wrote through (`source.type` of their last message)
 *    names the survey's channel, `zendesk:<kind>`. One survey per ticket: the ticket id
 *    is the conversation id (Zendesk keeps one messaging conversation across tickets).
 * 3. The question goes into that conversation as the business, with 0–10 `reply`
 *    actions; answers come back on Sunshine's webhook as `conversation:message` (a typed
 *    answer, or a tapped reply carrying its payload) or `conversation:postback`, each with
 *    its event id so a redelivery is handled once.
 */
import type { Router } from 'express';
import type { Logger } from '../../logger.ts';
import type { HelpdeskBridge } from '../bridged-channel.ts';
import type { EngineSink, InboundMessage, Notice, OutgoingMessage, Recipient, ResolvedEvent, SendReceipt } from '../../conversation/channel-contract/channel.ts';
import { HttpRefusal } from '../http-json-client.ts';
import { decodeScoreButton } from '../button-codec.ts';
import { PermanentSendError, WindowClosedError } from '../../conversation/channel-contract/send-errors.ts';
import { parsePayload } from '../webhook-json.ts';
import { SunshineClient, ZendeskSupportClient } from './zendesk-clients.ts';
import { kindOfZendeskChannel, zendeskChannelName, zendeskKind, type ZendeskChannelKind } from './zendesk-channel-names.ts';
import {
  sunshineMessagePayload, sunshinePostbackPayload, sunshineWebhookSchema, ticketStatusChangedSchema, zendeskEventSchema,
  type ConversationLog, type TicketStatusChanged,
} from './zendesk-payload.ts';
import { questionMessages, textMessage } from './zendesk-question.ts';
import type { ZendeskSettings } from './zendesk-settings.ts';
import { mountZendeskWebhooks } from './zendesk-webhook-routes.ts';

export const ZENDESK_UNASSIGNED_AGENT_ID = 'zendesk-unassigned';
export const NO_MESSAGING_REASON = 'no-messaging-conversation';

export class ZendeskBridge implements HelpdeskBridge {
  readonly support: ZendeskSupportClient;
  readonly sunshine: SunshineClient;
  readonly ratePerSecond: number;
  private sink: EngineSink | null = null;
  private started = false;
  private stopping: Promise<void> | null = null;

  constructor(readonly settings: ZendeskSettings, private readonly log: Logger, private readonly now: () => number = Date.now) {
    this.support = new ZendeskSupportClient(settings);
    this.sunshine = new SunshineClient(settings);
    this.ratePerSecond = settings.ratePerSecond;
  }

  start(sink: EngineSink, http: Router): void {
    if (this.started) return;
    this.started = true;
    this.sink = sink;
    mountZendeskWebhooks(http, {
      webhookSecret: this.settings.webhookSecret,
      sunshineWebhookSecret: this.settings.sunshineWebhookSecret,
      sunshineBasicAuth: this.settings.sunshineBasicAuth,
      signatureMaxAgeMs: this.settings.signatureMaxAgeMs,
      bodyLimitBytes: this.settings.bodyLimitBytes,
      logger: this.log,
      now: this.now,
      onZendesk: (json) => this.onZendesk(json),
      onSunshine: (json) => this.onSunshine(json),
    });
    this.log.info({ webhooks: ['/zendesk/webhook', '/zendesk/sunshine/webhook'] }, 'zendesk bridge on');
  }

  stop(): Promise<void> {
    this.stopping ??= Promise.all([this.support.http.stop(), this.sunshine.stop()]).then(() => undefined);
    return this.stopping;
  }

  async send(channel: string, to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    const kind = kindOfZendeskChannel(channel);
    if (!kind) {
      throw new PermanentSendError(`the channel "${channel}" only posts notices; resolve Zendesk tickets as "zendesk:<kind>" (e.g. zendesk:whatsapp, see docs/zendesk.md)`, 'zendesk-no-kind');
    }
    const conversationId = to.address?.conversationId;
    if (kind === 'email' || !conversationId) {
      throw new WindowClosedError('zendesk: the ticket has no messaging conversation to ask in (e-mail only)');
    }
    const messages = message.choices ? questionMessages(kind, to.surveyId, message.text, message.choices) : [textMessage(kind, message.text)];
    const [first, ...rest] = messages;
    const id = await this.postOrGone(conversationId, first!);
    for (const m of rest) {
      await this.sunshine.postMessage(conversationId, m).catch((err: Error) => {
        this.log.warn({ surveyId: to.surveyId, err: err.message }, 'zendesk: the second half of the scale was not posted; the customer can still type the score');
      });
    }
    return id ? { messageId: id } : {};
  }

  /** A notice is a private note on the ticket given as `channelId` (ALERT_TARGET=zendesk:<ticket id>). */
  async post(channelId: string, notice: Notice): Promise<void> {
    const ticketId = channelId.slice(channelId.lastIndexOf(':') + 1);
    const fields = Object.entries(notice.fields ?? {}).map(([k, v]) => `${k}: ${v}`);
    await this.support.privateNote(ticketId, [notice.text, ...fields].join('\n'));
  }

  private async postOrGone(conversationId: string, content: Parameters<SunshineClient['postMessage']>[1]): Promise<string | undefined> {
    try {
      return await this.sunshine.postMessage(conversationId, content);
    } catch (err) {
      if (err instanceof HttpRefusal && (err.status === 404 || err.status === 410)) {
        throw new PermanentSendError(`zendesk: the messaging conversation of the ticket no longer exists (Sunshine answered ${err.status})`, 'zendesk-conversation-gone');
      }
      throw err;
    }
  }

  // ── resolution ──────────────────────────────────────────────────────────────

  private async onZendesk(json: unknown): Promise<void> {
    const { type } = parsePayload(zendeskEventSchema, json);
    if (type !== 'zen:event-type:ticket.status_changed') {
      this.log.debug({ type }, 'zendesk webhook: event not used');
      return;
    }
    const e = parsePayload(ticketStatusChangedSchema, json);
    const status = (e.event.current ?? e.detail.status ?? '').toLowerCase();
    if (status !== 'solved') return;
    const event = await this.resolutionOf(e);
    if (!event) return;
    const outcome = await this.sink!.resolved(event);
    this.log.info({ surveyId: outcome.surveyId, status: outcome.status, channel: event.channel, skipped: event.skipReason }, 'zendesk: ticket solved');
  }

  private async resolutionOf(e: TicketStatusChanged): Promise<ResolvedEvent | null> {
    const ticketId = e.detail.id;
    let log: ConversationLog['events'];
    try {
      log = await this.support.conversationLog(ticketId);
    } catch (err) {
      // A ticket deleted since: nothing to ask about. Anything else (a 429, Zendesk down) is thrown: 500, Zendesk retries.
      if (err instanceof HttpRefusal && err.status === 404) {
        this.log.warn('zendesk: a solved ticket is gone, not surveyed');
        return null;
      }
      throw err;
    }
    const { user, participants } = readLog(log);
    const assignee = e.detail.assignee_id ?? undefined;
    const agent = assignee
      ? { id: assignee, name: participants.find((p) => p.id === assignee)?.name }
      : { id: ZENDESK_UNASSIGNED_AGENT_ID };
    const base = {
      conversationId: ticketId,
      agent,
      participants: participants.length > 0 ? participants : undefined,
      resolvedAt: e.time && Number.isFinite(Date.parse(e.time)) ? new Date(e.time) : undefined,
      link: `${this.settings.url}/agent/tickets/${ticketId}`,
    };
    const conversation = user ? await this.messagingConversationOf(user.id) : null;
    if (!user || !conversation) {
      return {
        ...base, channel: zendeskChannelName('email'),
        customer: { id: user?.id ?? e.detail.requester_id ?? `ticket-${ticketId}`, name: user?.name },
        skipReason: NO_MESSAGING_REASON,
      };
    }
    // The language is a nicety: a profile Sunshine will not show is no reason to miss the survey.
    const locale = await this.sunshine.userLocale(user.id).catch(() => undefined);
    return {
      ...base, channel: zendeskChannelName(conversation.kind),
      customer: { id: user.id, name: user.name, locale },
      address: { conversationId: conversation.id },
    };
  }

  /** The customer's latest Sunshine conversation and the channel of their last message there. */
  private async messagingConversationOf(userId: string): Promise<{ id: string; kind: ZendeskChannelKind } | null> {
    const [id] = await this.sunshine.conversationsOf(userId);
    if (!id) return null;
    const mine = (await this.sunshine.messages(id)).filter((m) => m.author.type === 'user');
    const last = mine.sort((a, b) => Date.parse(b.received ?? '') - Date.parse(a.received ?? '') || 0)[0];
    return { id, kind: zendeskKind(last?.source?.type) };
  }

  // ── answers ─────────────────────────────────────────────────────────────────

  private async onSunshine(json: unknown): Promise<void> {
    const body = parsePayload(sunshineWebhookSchema, json);
    if (body.app?.id && body.app.id !== this.settings.appId) {
      this.log.warn('sunshine webhook: events of another app than ZENDESK_APP_ID, ignored');
      return;
    }
    for (const event of body.events) {
      const inbound = this.inbound(event.type, event.id, event.payload);
      if (!inbound) continue;
      const outcome = await this.sink!.message(inbound);
      this.log.debug({ eventId: inbound.eventId, status: outcome.status }, 'zendesk: customer message handled');
    }
  }

  private inbound(type: string, eventId: string, payload: unknown): InboundMessage | null {
    if (type === 'conversation:message') {
      const { message } = parsePayload(sunshineMessagePayload, payload);
      // Business messages are the bot's own, an agent's or a Zendesk bot's: never answers.
      if (message.author.type !== 'user') return null;
      const customerId = message.author.userId ?? message.author.user?.id;
      if (!customerId || message.content.type !== 'text') return null;
      const picked = decodeScoreButton('sunshine', message.content.payload);
      const text = message.content.text ?? '';
      if (!picked && !text.trim()) return null;
      const channel = zendeskChannelName(zendeskKind(message.source?.type));
      return picked
        ? { channel, customerId, text: '', choice: picked.score, surveyId: picked.surveyId, eventId: `sunshine:${eventId}` }
        : { channel, customerId, text, eventId: `sunshine:${eventId}` };
    }
    if (type === 'conversation:postback') {
      const p = parsePayload(sunshinePostbackPayload, payload);
      const picked = decodeScoreButton('sunshine', p.postback.payload);
      if (!picked || !p.user?.id) return null;
      return { channel: zendeskChannelName(zendeskKind(p.source?.type)), customerId: p.user.id, text: '', choice: picked.score, surveyId: picked.surveyId, eventId: `sunshine:${eventId}` };
    }
    return null;
  }
}

/** The messaging user and every agent who replied, from a ticket's conversation log. */
export function readLog(events: ConversationLog['events']): { user: { id: string; name?: string } | null; participants: Array<{ id: string; name?: string; replies: number }> } {
  let user: { id: string; name?: string } | null = null;
  const agents = new Map<string, { id: string; name?: string; replies: number }>();
  for (const e of events) {
    const a = e.author;
    if (!a) continue;
    const name = (a.display_name ?? a.name)?.trim().slice(0, 200) || undefined;
    if (a.type === 'user' && a['zen:sunco:user_id'] && !user) user = { id: a['zen:sunco:user_id'], name };
    const agentId = a['zen:support:user_id'];
    if (a.type === 'agent' && agentId) {
      const seen = agents.get(agentId) ?? { id: agentId, name, replies: 0 };
      seen.replies++;
      seen.name ??= name;
      agents.set(agentId, seen);
    }
  }
  return { user, participants: [...agents.values()] };
}
