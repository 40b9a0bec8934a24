/**
 * The Messenger and Instagram channels (one class, two products: their Send API and
 * webhook payloads are the same shape). Customers' messages and taps arrive on
 * `/meta/messenger` or `/meta/instagram` and go to the engine; the question goes out
 * as text with quick replies 0–10 (or, on Messenger when enabled, the customer feedback
 * template), the follow-up and thanks as plain text. The page's own messages come back
 * as echoes and are never answers. A closed 24-hour window is reported as a
 * WindowClosedError, so the engine skips the survey instead of failing it.
 */
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter, ChannelContext, ChannelRate, InboundMessage, Notice, OutgoingMessage, Recipient, SendReceipt } from '../../conversation/channel-contract/channel.ts';
import { META_MESSAGING_WINDOW_MS, messagingRate } from './meta-rates.ts';
import { PermanentSendError, WindowClosedError } from '../../conversation/channel-contract/send-errors.ts';
import { readChoicePayload } from './choice-payload.ts';
import { GraphClient } from './graph-client.ts';
import { messagingEvents, messagingPayloadSchema, type MessagingEvent } from './messaging-payload.ts';
import { feedbackTemplate, messagingText, quickReplies, readFeedbackAnswer } from './messenger-question.ts';
import type { InstagramSettings, MessengerSettings } from './meta-settings.ts';
import { mountMetaWebhook } from './meta-webhook-routes.ts';
import { canonicalMetaUserId } from './meta-ids.ts';
import { isFreshEvent } from '../event-age.ts';
import { parsePayload, PayloadError } from '../webhook-json.ts';

export type MessagingProduct = 'messenger' | 'instagram';

export const MESSENGER_WEBHOOK_PATH = '/meta/messenger';
export const INSTAGRAM_WEBHOOK_PATH = '/meta/instagram';

export interface MessagingChannelOptions {
  /** How many days the feedback template stays answerable (the engine's EXPIRE_HOURS, rounded up). */
  expireDays?: number;
  /** The clock event ages are measured against (ms since the epoch). */
  now?: () => number;
}

/** Permanent errors about the recipient or the credentials (see graph-errors.ts), whatever was sent. */
const NOT_ABOUT_THE_TEMPLATE = /^(meta-(551|190)(-\d+)?|meta-100-2018001|meta-200-2018108|meta-bad-recipient|http-\d+)$/;

/** Page-scoped (Messenger) and Instagram-scoped user ids are decimal strings. */
const USER_ID = /^\d{1,40}$/;

export class MessagingChannel implements ChannelAdapter {
  readonly rate: ChannelRate;
  private readonly client: GraphClient;
  private readonly accountId: string;
  private readonly path: string;
  private ctx: ChannelContext | null = null;
  private log: Logger;
  /** Meta refused the feedback template for this page (not available to it): quick replies from then on. */
  private templateRefused = false;
  private warnedOtherAccount = false;
  private readonly now: () => number;

  constructor(readonly name: MessagingProduct, private readonly settings: MessengerSettings | InstagramSettings, logger: Logger, private readonly options: MessagingChannelOptions = {}) {
    this.log = logger;
    this.now = options.now ?? Date.now;
    this.rate = messagingRate(settings.ratePerSecond);
    this.accountId = 'pageId' in settings ? settings.pageId : settings.accountId;
    this.path = name === 'messenger' ? MESSENGER_WEBHOOK_PATH : INSTAGRAM_WEBHOOK_PATH;
    this.client = new GraphClient({ product: name, baseUrl: settings.graphUrl, version: settings.graphVersion, accessToken: settings.accessToken });
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
    this.log = ctx.logger;
    mountMetaWebhook(ctx.http, {
      path: this.path,
      product: this.name,
      settings: this.settings,
      logger: ctx.logger,
      onPayload: (json) => this.onPayload(json),
    });
    this.log.info({ webhook: this.path }, `${this.name} channel on`);
  }

  async stop(): Promise<void> {}

  canonicalCustomerId(id: string): string | null {
    return canonicalMetaUserId(id);
  }

  /** Meta's standard messaging window: 24 hours after the person's last message (Messenger Platform policy). */
  messagingWindowMs(): number {
    return META_MESSAGING_WINDOW_MS;
  }

  async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    this.checkRecipient(to.customerId);
    if (!message.choices) return this.deliver(to.customerId, { text: messagingText(this.name, message.text) });
    if (this.useFeedbackTemplate()) {
      try {
        const s = this.settings as MessengerSettings;
        return await this.deliver(to.customerId, feedbackTemplate(to.surveyId, message.text, s.privacyUrl!, this.options.expireDays ?? 3));
      } catch (err) {
        // A closed window, a rate limit, a customer who cannot be reached or a bad token is
        // not about the template: only Meta refusing the request itself is.
        if (!(err instanceof PermanentSendError) || NOT_ABOUT_THE_TEMPLATE.test(err.code ?? '')) throw err;
        this.templateRefused = true;
        this.log.warn({ err: err.message }, 'messenger: the customer feedback template was refused; asking with quick replies from now on');
      }
    }
    let replies;
    try {
      replies = quickReplies(to.surveyId, message.choices);
    } catch (err) {
      throw new PermanentSendError(`cannot offer these choices as quick replies: ${(err as Error).message}`, 'meta-quick-reply');
    }
    return this.deliver(to.customerId, { text: messagingText(this.name, message.text), quick_replies: replies });
  }

  /** Meta has no team channels: a notice is a message to the user id given as `channelId` (within their window). */
  async post(channelId: string, notice: Notice): Promise<void> {
    this.checkRecipient(channelId);
    const fields = Object.entries(notice.fields ?? {}).map(([k, v]) => `${k}: ${v}`);
    try {
      await this.deliver(channelId, { text: messagingText(this.name, [notice.text, ...fields].join('\n')) });
    } catch (err) {
      if (err instanceof WindowClosedError) throw new PermanentSendError(`${this.name}: cannot post to that user: ${err.message}`, 'window-closed');
      throw err;
    }
  }

  private useFeedbackTemplate(): boolean {
    return 'feedbackTemplate' in this.settings && this.settings.feedbackTemplate && !this.templateRefused;
  }

  private checkRecipient(id: string): void {
    if (!USER_ID.test(id)) {
      throw new PermanentSendError(`the id is not a ${this.name} user id (expected the numeric id Meta gives the customer)`, 'meta-bad-recipient');
    }
  }

  private async deliver(recipientId: string, message: Record<string, unknown>): Promise<SendReceipt> {
    // `me` is the page (Messenger, Instagram with Facebook Login) or the Instagram account the token belongs to.
    const answer = await this.client.post('me/messages', { recipient: { id: recipientId }, messaging_type: 'RESPONSE', message });
    const id = (answer as { message_id?: unknown } | undefined)?.message_id;
    return typeof id === 'string' && id.length <= 500 ? { messageId: id } : {};
  }

  private async onPayload(json: unknown): Promise<void> {
    const payload = parsePayload(messagingPayloadSchema, json);
    const expected = this.name === 'messenger' ? 'page' : 'instagram';
    if (payload.object !== expected) throw new PayloadError('object', `expected "${expected}" on this route, got "${payload.object}"`);
    const { events, dropped } = messagingEvents(payload);
    if (dropped > 0) this.log.warn({ dropped }, `${this.name} webhook: events we cannot read were skipped`);
    const now = this.now();
    let stale = 0;
    for (const event of events) {
      // A signed body stays valid forever: an event older than the window is a replay or too late to act on.
      if (!isFreshEvent(event.timestamp, now, this.settings.maxEventAgeMs)) {
        stale++;
        continue;
      }
      if (event.accountId !== this.accountId) {
        if (!this.warnedOtherAccount) this.log.warn({ accountId: event.accountId }, `${this.name} webhook: events for another account than the configured one, ignored`);
        this.warnedOtherAccount = true;
        continue;
      }
      const inbound = this.inbound(event);
      if (!inbound) continue;
      const outcome = await this.ctx!.sink.message(inbound);
      this.log.debug({ eventId: inbound.eventId, status: outcome.status }, `${this.name}: customer message handled`);
    }
    if (stale > 0) this.log.warn({ stale, maxAgeSeconds: this.settings.maxEventAgeMs / 1000 }, `${this.name} webhook: events older than META_MAX_EVENT_AGE_MINUTES (or without a timestamp) ignored`);
  }

  /** The engine event for a webhook event, or null when it is not a customer speaking. */
  private inbound(event: MessagingEvent): InboundMessage | null {
    // The page's own messages (the bot's and the agents') come back as echoes: never answers.
    if (event.senderId === this.accountId) return null;
    const base = { channel: this.name, customerId: event.senderId };
    switch (event.kind) {
      case 'message': {
        if (event.isEcho) return null;
        const tapped = readChoicePayload(event.quickReplyPayload);
        // A sticker, a like or a photo alone is not a reply to read (nor a comment).
        if (!tapped && event.text.trim() === '') return null;
        return { ...base, text: event.text, ...(tapped ? { choice: tapped.choice, surveyId: tapped.surveyId } : {}), eventId: event.mid };
      }
      case 'postback': {
        const tapped = readChoicePayload(event.payload);
        const eventId = event.mid ?? `postback:${event.senderId}:${event.timestamp ?? ''}:${event.payload ?? ''}`;
        return tapped ? { ...base, text: '', choice: tapped.choice, surveyId: tapped.surveyId, eventId } : { ...base, text: event.title, eventId };
      }
      case 'feedback': {
        const answer = event.answers.map(readFeedbackAnswer).find((a) => a !== null);
        if (!answer) return null;
        // One answer per survey: the survey id makes the event id, so a redelivery is dropped.
        return { ...base, text: '', choice: answer.choice, surveyId: answer.surveyId, eventId: `feedback:${answer.surveyId}` };
      }
    }
  }
}
