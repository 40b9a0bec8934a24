/**
 * The Intercom bridge, over a small client of Intercom's REST API (why not the
 * `intercom-client` SDK: docs/intercom.md).
 *
 * 1. A teammate closes a conversation: webhook topic `conversation.admin.closed`. The
 *    bridge reads the whole conversation (`GET /conversations/{id}`): the **closing
 *    admin** (author of the last `close` part) is the agent, the conversation's contact
 *    the customer, `source.type` the channel (`intercom:messenger`, …), and every admin
 *    who wrote a comment is counted in `participants`; the contact's language
 *    (`GET /contacts/{id}`) picks the question's.
 * 2. The question is an admin reply (`POST /conversations/{id}/reply`) as
 *    INTERCOM_ADMIN_ID: `message_type: quick_reply` with 11 `reply_options` in the
 *    Messenger (a workspace that refuses them gets the same text as a comment), a
 *    comment elsewhere.
 * 3. Answers: topic `conversation.user.replied`; each customer part once (its id is the
 *    event id). A tapped quick reply comes back as the option's text and its uuid, which
 *    names the survey and the score.
 * 4. A customer's reply reopens the conversation in Intercom; with
 *    INTERCOM_CLOSE_AFTER_THANKS the bot closes it again after the thanks (the close is
 *    the bot admin's, and its webhook finds the survey already there: no second survey).
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
import { intercomChannelName, intercomKind, kindOfIntercomChannel, type IntercomChannelKind } from './intercom-channel-names.ts';
import { intercomConversationSchema, notificationSchema, partsOf, type IntercomConversation, type IntercomPart } from './intercom-payload.ts';
import { quickReplyUuid, readQuickReplyUuid } from './intercom-quick-reply.ts';
import type { IntercomSettings } from './intercom-settings.ts';
import { mountIntercomWebhook } from './intercom-webhook-routes.ts';

export const INTERCOM_UNASSIGNED_AGENT_ID = 'intercom-unassigned';

/** What each channel behind Intercom accepts (Intercom passes replies on to it). */
export const INTERCOM_TEXT_LIMITS: Partial<Record<IntercomChannelKind, TextLimit>> = {
  instagram: { bytes: 1000 }, facebook: { chars: 2000 }, whatsapp: { chars: 4096 }, sms: { chars: 1600 }, twitter: { chars: 10_000 },
};
/** Intercom documents no body limit for replies; the bot keeps its own texts well under this. */
export const INTERCOM_DEFAULT_LIMIT: TextLimit = { chars: 10_000 };

const CUSTOMER_AUTHORS = new Set(['user', 'lead', 'contact']);
const CONVERSATION_ID = /^\d{1,30}$/;

export class IntercomBridge implements HelpdeskBridge {
  readonly http: HttpJsonClient;
  readonly ratePerSecond: number;
  private sink: EngineSink | null = null;
  private started = false;
  private stopping: Promise<void> | null = null;

  constructor(readonly settings: IntercomSettings, private readonly log: Logger) {
    this.http = new HttpJsonClient({
      platform: 'intercom', baseUrl: settings.url, ratePerSecond: settings.ratePerSecond,
      headers: { authorization: `Bearer ${settings.accessToken}`, 'intercom-version': settings.apiVersion },
    });
    this.ratePerSecond = settings.ratePerSecond;
  }

  start(sink: EngineSink, http: Router): void {
    if (this.started) return;
    this.started = true;
    this.sink = sink;
    mountIntercomWebhook(http, { clientSecret: this.settings.clientSecret, bodyLimitBytes: this.settings.bodyLimitBytes, logger: this.log, onPayload: (json) => this.onPayload(json) });
    this.log.info({ webhook: '/intercom/webhook', closeAfterThanks: this.settings.closeAfterThanks }, 'intercom bridge on');
  }

  stop(): Promise<void> {
    this.stopping ??= this.http.stop();
    return this.stopping;
  }

  async send(channel: string, to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    const kind = kindOfIntercomChannel(channel);
    if (!kind) throw new PermanentSendError(`the channel "${channel}" only posts notices; resolve Intercom conversations as "intercom:<kind>" (see docs/intercom.md)`, 'intercom-no-kind');
    const id = checkedId(to.address?.conversationId ?? conversationOfKey(to.conversationId));
    const body = fitText(message.text, INTERCOM_TEXT_LIMITS[kind] ?? INTERCOM_DEFAULT_LIMIT);
    const comment = { message_type: 'comment', type: 'admin', admin_id: this.settings.adminId, body };
    let answer: unknown;
    if (message.choices && message.choices.length > 0 && kind === 'messenger' && this.settings.quickReplies) {
      const quick = { ...comment, message_type: 'quick_reply', reply_options: message.choices.map((n) => ({ text: String(n), uuid: quickReplyUuid(to.surveyId, n) })) };
      try {
        answer = await this.reply(id, quick);
      } catch (err) {
        // A workspace or API version without quick replies: the same question as text (typed answers are read too).
        if (!(err instanceof HttpRefusal) || ![400, 422].includes(err.status)) throw err;
        this.log.warn({ surveyId: to.surveyId, err: err.message }, 'intercom: quick replies refused, the question went as text');
        answer = await this.reply(id, comment);
      }
    } else {
      answer = await this.reply(id, comment);
    }
    if (message.kind === 'thanks' && this.settings.closeAfterThanks) await this.closeAgain(id, to.surveyId);
    const partId = lastPartId(answer);
    return partId ? { messageId: partId } : {};
  }

  /** A notice is an internal note in the conversation given as `channelId` (ALERT_TARGET=intercom:<conversation id>). */
  async post(channelId: string, notice: Notice): Promise<void> {
    const id = checkedId(channelId.slice(channelId.lastIndexOf(':') + 1));
    const fields = Object.entries(notice.fields ?? {}).map(([k, v]) => `${k}: ${v}`);
    await this.reply(id, { message_type: 'note', type: 'admin', admin_id: this.settings.adminId, body: [notice.text, ...fields].join('\n') });
  }

  private async reply(id: string, body: unknown): Promise<unknown> {
    try {
      return await this.http.post(`/conversations/${id}/reply`, body);
    } catch (err) {
      if (err instanceof HttpRefusal && (err.status === 404 || err.status === 410)) {
        throw new PermanentSendError(`intercom: the conversation no longer exists (Intercom answered ${err.status})`, 'intercom-conversation-gone');
      }
      throw err;
    }
  }

  private async closeAgain(id: string, surveyId: string): Promise<void> {
    await this.http.post(`/conversations/${id}/parts`, { message_type: 'close', type: 'admin', admin_id: this.settings.adminId }).catch((err: Error) => {
      this.log.warn({ surveyId, err: err.message }, 'intercom: the conversation could not be closed again after the thanks');
    });
  }

  // ── webhooks ────────────────────────────────────────────────────────────────

  private async onPayload(json: unknown): Promise<void> {
    const n = parsePayload(notificationSchema, json);
    if (this.settings.appId && n.app_id && n.app_id !== this.settings.appId) {
      this.log.warn('intercom webhook: a notification of another workspace than INTERCOM_APP_ID, ignored');
      return;
    }
    if (n.topic === 'conversation.admin.closed') return this.onClosed(parsePayload(intercomConversationSchema, n.data?.item));
    if (n.topic === 'conversation.user.replied') return this.onReplied(parsePayload(intercomConversationSchema, n.data?.item));
    this.log.debug({ topic: n.topic }, 'intercom webhook: topic not used');
  }

  private async onClosed(item: IntercomConversation): Promise<void> {
    let full: IntercomConversation = item;
    try {
      full = parsePayload(intercomConversationSchema, await this.http.get(`/conversations/${checkedId(item.id)}?display_as=plaintext`));
    } catch (err) {
      // Deleted since: the webhook's own copy still says who and where. Anything else (429, 5xx) → 500, Intercom retries.
      if (!(err instanceof HttpRefusal && err.status === 404)) throw err;
    }
    const event = this.resolutionOf(full, partsOf(item));
    if (!event) return;
    event.customer.locale = await this.contactLocale(event.customer.id);
    const outcome = await this.sink!.resolved(event);
    this.log.info({ surveyId: outcome.surveyId, status: outcome.status, channel: event.channel }, 'intercom: conversation closed');
  }

  /** The contact's language (`language_override`, else `browser_language`), so the question is in it; a nicety, never a reason to fail. */
  private async contactLocale(contactId: string): Promise<string | undefined> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(contactId)) return undefined;
    try {
      const c = await this.http.get<{ language_override?: unknown; browser_language?: unknown }>(`/contacts/${contactId}`);
      const locale = [c?.language_override, c?.browser_language].find((v): v is string => typeof v === 'string' && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/.test(v));
      return locale;
    } catch {
      return undefined;
    }
  }

  private resolutionOf(c: IntercomConversation, notified: IntercomPart[]): ResolvedEvent | null {
    const customerId = c.contacts?.contacts[0]?.id ?? (CUSTOMER_AUTHORS.has(c.source?.author?.type ?? '') ? c.source?.author?.id : undefined);
    if (!customerId) {
      this.log.warn('intercom: a closed conversation without a contact, not surveyed');
      return null;
    }
    const parts = partsOf(c);
    const closing = [...parts, ...notified].reverse().find((p) => p.part_type === 'close' && p.author?.type === 'admin' && p.author.id);
    // The bot's own close after the thanks (INTERCOM_CLOSE_AFTER_THANKS) resolves nothing new.
    if (closing?.author?.id === this.settings.adminId) return null;
    const admins = new Map<string, { id: string; name?: string; replies: number }>();
    for (const p of parts) {
      if (p.author?.type !== 'admin' || !p.author.id || !['comment', 'quick_reply'].includes(p.part_type ?? '')) continue;
      const a = admins.get(p.author.id) ?? { id: p.author.id, name: cleanName(p.author.name), replies: 0 };
      a.replies++;
      admins.set(p.author.id, a);
    }
    // Teammates Intercom lists as having taken part, whose parts this copy does not hold.
    for (const t of c.teammates?.admins ?? []) if (!admins.has(t.id)) admins.set(t.id, { id: t.id, replies: 0 });
    admins.delete(this.settings.adminId);
    const agentId = closing?.author?.id ?? c.admin_assignee_id ?? undefined;
    const agent = agentId
      ? { id: agentId, name: cleanName(closing?.author?.name) ?? admins.get(agentId)?.name }
      : { id: INTERCOM_UNASSIGNED_AGENT_ID };
    const customerName = CUSTOMER_AUTHORS.has(c.source?.author?.type ?? '') ? cleanName(c.source?.author?.name) : undefined;
    return {
      channel: intercomChannelName(intercomKind(c.source?.type)),
      // One survey per close: the conversation lives on after it (see resolution-key.ts).
      conversationId: resolutionKey(c.id, closing?.id ?? 'closed'),
      customer: { id: customerId, name: customerName },
      address: { conversationId: c.id },
      agent,
      participants: admins.size > 0 ? [...admins.values()] : undefined,
      link: `https://app.intercom.com/a/inbox/_/inbox/conversation/${c.id}`,
    };
  }

  private async onReplied(c: IntercomConversation): Promise<void> {
    const channel = intercomChannelName(intercomKind(c.source?.type));
    for (const p of partsOf(c)) {
      const inbound = this.inbound(c, channel, p);
      if (!inbound) continue;
      const outcome = await this.sink!.message(inbound);
      this.log.debug({ eventId: inbound.eventId, status: outcome.status }, 'intercom: customer reply handled');
    }
  }

  private inbound(c: IntercomConversation, channel: string, p: IntercomPart): InboundMessage | null {
    if (!CUSTOMER_AUTHORS.has(p.author?.type ?? '')) return null;
    if (!['comment', 'quick_reply', 'open'].includes(p.part_type ?? '') && p.part_type) return null;
    const customerId = c.contacts?.contacts[0]?.id ?? p.author?.id;
    if (!customerId) return null;
    const picked = Object.values(p.metadata ?? {}).map(readQuickReplyUuid).find((x) => x !== null);
    const text = plainText(p.body ?? '');
    if (!picked && !text) return null;
    const eventId = `intercom:part:${p.id}`;
    return picked ? { channel, customerId, text: '', choice: picked.choice, surveyId: picked.surveyId, eventId } : { channel, customerId, text, eventId };
  }
}

function checkedId(id: string): string {
  if (!CONVERSATION_ID.test(id)) throw new PermanentSendError('the conversation id is not an Intercom conversation id', 'intercom-bad-conversation');
  return id;
}

function cleanName(name: string | null | undefined): string | undefined {
  return name?.trim().slice(0, 200) || undefined;
}

/** Intercom part bodies are HTML (`<p>9</p>`): the text the customer typed. */
export function plainText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>\s*<p>/gi, '\n').replace(/<[^>]{0,2000}>/g, '')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .trim();
}

function lastPartId(answer: unknown): string | undefined {
  const parts = (answer as { conversation_parts?: { conversation_parts?: Array<{ id?: unknown }> } } | undefined)?.conversation_parts?.conversation_parts;
  const id = parts?.[parts.length - 1]?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
