/**
 * The Chatwoot bridge: one webhook and one API client shared by every `chatwoot:<kind>`
 * channel. A conversation resolved in Chatwoot becomes an engine `resolved` event (the
 * assignee is the agent, the contact the customer, the inbox type the channel); a
 * customer's incoming message (or a pick in the web widget's options) becomes an engine
 * `message`. The bot asks and thanks by posting into the same Chatwoot conversation, so
 * the question reaches the customer on whatever platform Chatwoot fronts.
 *
 * Messages the bot (or an agent) sent come back on the webhook as `outgoing` and are
 * never taken for answers; private notes neither. Before asking, the bridge reads the
 * conversation's `can_reply`: false means the platform's messaging window has closed,
 * which the engine records as a skip (`window-closed`), not a failure.
 */
import type { Router } from 'express';
import type { Logger } from '../../logger.ts';
import type { EngineSink, InboundMessage, Notice, OutgoingMessage, Recipient, ResolvedEvent, SendReceipt } from '../../conversation/channel-contract/channel.ts';
import { PermanentSendError, WindowClosedError } from '../../conversation/channel-contract/send-errors.ts';
import { decodeScoreButton } from '../button-codec.ts';
import { parsePayload, PayloadError } from '../webhook-json.ts';
import { ChatwootClient } from './chatwoot-client.ts';
import { chatwootChannelName, chatwootKind, kindOfChannel } from './chatwoot-channel-names.ts';
import {
  accountOf, createdAtMs, eventNameSchema, messageEventSchema, statusChangedSchema, type ChatwootConversation, type ChatwootMessageEvent, type ChatwootStatusChanged,
} from './chatwoot-payload.ts';
import { chatwootText, questionMessages } from './chatwoot-question.ts';
import type { ChatwootSettings } from './chatwoot-settings.ts';
import { CHATWOOT_WEBHOOK_PATH, mountChatwootWebhook } from './chatwoot-webhook-routes.ts';
import { isFreshEvent } from '../event-age.ts';

/** Who a resolution is credited to when nobody is assigned. */
export const UNASSIGNED_AGENT_ID = 'chatwoot-unassigned';

export class ChatwootBridge {
  readonly client: ChatwootClient;
  private sink: EngineSink | null = null;
  private started = false;
  private stopping: Promise<void> | null = null;
  private warnedOtherAccount = false;

  constructor(readonly settings: ChatwootSettings, private log: Logger, private readonly now: () => number = Date.now) {
    this.client = new ChatwootClient({ url: settings.url, apiToken: settings.apiToken, accountId: settings.accountId, ratePerSecond: settings.ratePerSecond });
  }

  /** Mount the webhook once, whichever of the chatwoot channels starts first. */
  start(sink: EngineSink, http: Router): void {
    if (this.started) return;
    this.started = true;
    this.sink = sink;
    mountChatwootWebhook(http, {
      webhookSecret: this.settings.webhookSecret,
      webhookToken: this.settings.webhookToken,
      signatureMaxAgeMs: this.settings.signatureMaxAgeMs,
      bodyLimitBytes: this.settings.bodyLimitBytes,
      logger: this.log,
      now: this.now,
      onPayload: (json) => this.onPayload(json),
    });
    this.log.info({
      webhook: this.settings.webhookToken ? `${CHATWOOT_WEBHOOK_PATH}/<CHATWOOT_WEBHOOK_TOKEN>` : CHATWOOT_WEBHOOK_PATH,
      signed: Boolean(this.settings.webhookSecret),
    }, 'chatwoot bridge on');
    if (!this.settings.webhookSecret) {
      // The URL token is a bearer secret: anyone who sees the URL (a proxy or access log) can post any event, at any age.
      this.log.warn('chatwoot webhook in URL-token mode: deliveries are not signed, so a leaked URL lets anyone forge or replay events; set CHATWOOT_WEBHOOK_SECRET (Chatwoot 4.11.2 and later sign webhooks)');
    }
  }

  stop(): Promise<void> {
    this.stopping ??= this.client.stop();
    return this.stopping;
  }

  async send(channel: string, to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    const kind = kindOfChannel(channel);
    if (!kind) {
      // The customer's answer arrives as `chatwoot:<kind>`, so a survey on plain `chatwoot` could never be answered.
      throw new PermanentSendError(`the channel "${channel}" only posts notices; resolve Chatwoot conversations as "chatwoot:<kind>" (e.g. chatwoot:whatsapp, see docs/chatwoot.md)`, 'chatwoot-no-kind');
    }
    const conversationId = to.address?.conversationId ?? to.conversationId;
    if (!message.choices) return receipt(await this.client.createMessage(conversationId, { content: chatwootText(kind, message.text) }));
    const info = await this.client.conversation(conversationId);
    if (info.canReply === false) {
      throw new WindowClosedError('chatwoot: the conversation can no longer be replied to (the platform\'s messaging window has closed)');
    }
    let messages;
    try {
      messages = questionMessages({ surveyId: to.surveyId, text: message.text, choices: message.choices, kind, channelType: info.channelType, inputSelect: this.settings.inputSelect });
    } catch (err) {
      throw new PermanentSendError(`cannot offer these choices in Chatwoot: ${(err as Error).message}`, 'chatwoot-input-select');
    }
    const [first, ...rest] = messages;
    const id = await this.client.createMessage(conversationId, first!);
    for (const m of rest) {
      await this.client.createMessage(conversationId, m).catch((err: Error) => {
        this.log.warn({ surveyId: to.surveyId, err: err.message }, 'chatwoot: the second half of the scale was not posted; the customer can still type the score');
      });
    }
    return receipt(id);
  }

  /** A notice is a private note in the Chatwoot conversation given as `channelId` (e.g. ALERT_TARGET=chatwoot:123). */
  async post(channelId: string, notice: Notice): Promise<void> {
    const conversationId = channelId.slice(channelId.lastIndexOf(':') + 1);
    const fields = Object.entries(notice.fields ?? {}).map(([k, v]) => `${k}: ${v}`);
    await this.client.createMessage(conversationId, { content: chatwootText(null, [notice.text, ...fields].join('\n')), private: true });
  }

  private async onPayload(json: unknown): Promise<void> {
    const { event } = parsePayload(eventNameSchema, json);
    switch (event) {
      case 'conversation_status_changed':
        return this.onStatusChanged(parsePayload(statusChangedSchema, json));
      case 'message_created':
      case 'message_updated':
        return this.onMessage(parsePayload(messageEventSchema, json));
      default:
        this.log.debug({ event }, 'chatwoot webhook: event not used');
    }
  }

  private fromOurAccount(conversation: ChatwootConversation, account?: { id: string } | null): boolean {
    const id = accountOf(conversation, account);
    if (id === undefined || id === this.settings.accountId) return true;
    if (!this.warnedOtherAccount) this.log.warn({ accountId: id }, 'chatwoot webhook: events from another account than CHATWOOT_ACCOUNT_ID, ignored');
    this.warnedOtherAccount = true;
    return false;
  }

  private channelOf(c: ChatwootConversation): string {
    return chatwootChannelName(chatwootKind({
      channelType: c.channel, conversationType: c.additional_attributes?.type, sourceId: c.contact_inbox?.source_id,
    }));
  }

  private async onStatusChanged(c: ChatwootStatusChanged): Promise<void> {
    if (c.status !== 'resolved' || !this.fromOurAccount(c)) return;
    const contact = c.meta?.sender;
    if (!contact) throw new PayloadError('meta.sender', 'a resolved conversation without its contact');
    const event: ResolvedEvent = {
      channel: this.channelOf(c),
      conversationId: c.id,
      customer: { id: contact.id, name: contact.name?.trim().slice(0, 200) || undefined, locale: locale(c.additional_attributes?.browser_language) },
      agent: agentOf(c),
      link: `${this.settings.url}/app/accounts/${this.settings.accountId}/conversations/${c.id}`,
    };
    const outcome = await this.sink!.resolved(event);
    // The conversation id is a platform id: the survey id is enough to find it.
    this.log.info({ surveyId: outcome.surveyId, status: outcome.status, channel: event.channel }, 'chatwoot: conversation resolved');
  }

  private async onMessage(m: ChatwootMessageEvent): Promise<void> {
    if (!this.fromOurAccount(m.conversation, m.account)) return;
    const inbound = this.inbound(m);
    if (!inbound) return;
    // A URL token or a signature stays valid for whoever saw the body: a message older than
    // the window is a replay or too late to act on. (A widget pick is `message_updated` on
    // the question, whose `created_at` is the question's; its survey id binds it instead.)
    if (m.event === 'message_created' && !isFreshEvent(createdAtMs(m.created_at), this.now(), this.settings.maxEventAgeMs)) {
      this.log.warn({ maxAgeSeconds: this.settings.maxEventAgeMs / 1000 }, 'chatwoot webhook: a message older than CHATWOOT_MAX_EVENT_AGE_MINUTES (or without created_at) ignored');
      return;
    }
    const outcome = await this.sink!.message(inbound);
    this.log.debug({ eventId: inbound.eventId, status: outcome.status }, 'chatwoot: customer message handled');
  }

  /** The engine event for a message event, or null when it is not the customer answering. */
  private inbound(m: ChatwootMessageEvent): InboundMessage | null {
    if (m.private) return null;
    const channel = this.channelOf(m.conversation);
    const contactId = m.conversation.meta?.sender?.id;
    if (m.event === 'message_created') {
      // Outgoing messages are the bot's own or an agent's; activity and template messages are Chatwoot's.
      if (m.message_type !== 'incoming') return null;
      if (m.sender?.type && m.sender.type !== 'contact') return null;
      const customerId = m.sender?.id ?? contactId;
      // An attachment alone (a photo, a sticker) is not a reply to read.
      if (!customerId || !m.content?.trim()) return null;
      return { channel, customerId, text: m.content ?? '', eventId: `message:${m.id}` };
    }
    // message_updated: the web widget records a pick among the question's options on the question itself.
    if (m.content_type !== 'input_select' || !contactId) return null;
    const picked = (m.content_attributes?.submitted_values ?? []).map((v) => decodeScoreButton('chatwoot', v.value)).find((v) => v !== null);
    if (!picked) return null;
    return { channel, customerId: contactId, text: '', choice: picked.score, surveyId: picked.surveyId, eventId: `submitted:${m.id}` };
  }
}

function agentOf(c: ChatwootConversation): { id: string; name?: string } {
  const a = c.meta?.assignee;
  if (!a) return { id: UNASSIGNED_AGENT_ID };
  const bot = c.meta?.assignee_type === 'AgentBot' || a.type === 'agent_bot';
  return { id: bot ? `bot:${a.id}` : a.id, name: a.name?.trim().slice(0, 200) || undefined };
}

function locale(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/.test(value) ? value : undefined;
}

const receipt = (id: string | undefined): SendReceipt => (id ? { messageId: id } : {});
