/**
 * The WhatsApp channel (Cloud API). Customers' messages and taps arrive on
 * `/meta/whatsapp` and go to the engine; the question goes out as two list messages
 * (scores 0–5 and 6–10, see whatsapp-question.ts), the follow-up and thanks as text.
 *
 * The 24-hour window: WhatsApp refuses free-form messages to a customer who has not
 * written for 24 hours with error 131047, either at once or — usually — as a `failed`
 * status on the webhook shortly after accepting the message. So the question waits
 * (`WHATSAPP_STATUS_WAIT_SECONDS`) for its first status. A closed window then sends the
 * approved template named in `WHATSAPP_TEMPLATE_NAME`, when there is one (the survey is
 * asked), or reports a WindowClosedError (the engine skips the survey, reason
 * `window-closed`). The business's own messages never come back as customer messages;
 * statuses are never answers.
 */
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter, ChannelContext, ChannelRate, Notice, OutgoingMessage, Recipient, SendReceipt } from '../../conversation/channel-contract/channel.ts';
import { META_MESSAGING_WINDOW_MS, whatsappRate } from './meta-rates.ts';
import type { ChannelStateStore } from '../../conversation/channel-contract/channel-state.ts';
import { PermanentSendError, WindowClosedError } from '../../conversation/channel-contract/send-errors.ts';
import { readChoicePayload } from './choice-payload.ts';
import { graphSendError } from './graph-errors.ts';
import { GraphClient } from './graph-client.ts';
import type { WhatsAppSettings } from './meta-settings.ts';
import { mountMetaWebhook } from './meta-webhook-routes.ts';
import { canonicalWhatsAppId } from './meta-ids.ts';
import { isFreshEvent } from '../event-age.ts';
import { parsePayload } from '../webhook-json.ts';
import { whatsappEvents, whatsappPayloadSchema } from './whatsapp-payload.ts';
import { questionLists, templateMessage, textMessage } from './whatsapp-question.ts';
import { StatusWaiter, type DeliveryStatus } from './whatsapp-status-waiter.ts';

export const WHATSAPP_WEBHOOK_PATH = '/meta/whatsapp';

/** How often a waiting question looks for a failure another process received. */
const SHARED_POLL_MS = 400;
/** How long a failure another process may be waiting for is kept. */
const SHARED_KEEP_MS = 5 * 60_000;
const failedKey = (wamid: string) => `failed:${wamid}`;

export class WhatsAppChannel implements ChannelAdapter {
  readonly name = 'whatsapp';
  readonly rate: ChannelRate;
  private readonly client: GraphClient;
  private readonly statuses = new StatusWaiter();
  private ctx: ChannelContext | null = null;
  private state: ChannelStateStore | null = null;
  private log: Logger;
  private warnedOtherNumber = false;
  private readonly now: () => number;

  constructor(private readonly settings: WhatsAppSettings, logger: Logger, options: { now?: () => number } = {}) {
    this.log = logger;
    this.now = options.now ?? Date.now;
    this.rate = whatsappRate(settings.ratePerSecond);
    this.client = new GraphClient({ product: 'whatsapp', baseUrl: settings.graphUrl, version: settings.graphVersion, accessToken: settings.accessToken });
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
    this.state = ctx.state;
    this.log = ctx.logger;
    mountMetaWebhook(ctx.http, {
      path: WHATSAPP_WEBHOOK_PATH,
      product: this.name,
      settings: this.settings,
      logger: ctx.logger,
      onPayload: (json) => this.onPayload(json),
    });
    this.log.info({ webhook: WHATSAPP_WEBHOOK_PATH, template: this.settings.templateName ?? null }, 'whatsapp channel on');
  }

  async stop(): Promise<void> {
    this.statuses.close();
  }

  canonicalCustomerId(id: string): string | null {
    return canonicalWhatsAppId(id);
  }

  /** WhatsApp's customer service window: free-form messages only within 24 hours of the customer's last message. */
  messagingWindowMs(): number {
    return META_MESSAGING_WINDOW_MS;
  }

  async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    const waId = this.waId(to.customerId);
    if (!message.choices) return receipt(await this.sendMessage(waId, textMessage(message.text)));

    let lists: Array<Record<string, unknown>>;
    try {
      lists = questionLists(to.surveyId, message.text, message.choices);
    } catch (err) {
      throw new PermanentSendError(`cannot offer these choices as a WhatsApp list: ${(err as Error).message}`, 'whatsapp-list');
    }
    const [first, ...rest] = lists;
    if (!first) return receipt(await this.sendMessage(waId, textMessage(message.text)));
    let wamid: string;
    try {
      wamid = await this.sendAndConfirm(waId, first);
    } catch (err) {
      if (err instanceof WindowClosedError) return this.sendTemplate(to, waId, err);
      throw err;
    }
    // The question is out; the other half of the scale is a convenience: typing works without it.
    for (const part of rest) {
      await this.sendMessage(waId, part).catch((err: Error) => {
        this.log.warn({ surveyId: to.surveyId, err: err.message }, 'whatsapp: the second list of scores was not sent; the customer can still type the score');
      });
    }
    return receipt(wamid);
  }

  /** WhatsApp has no team channels: a notice is a text to the WhatsApp number given as `channelId` (within its window). */
  async post(channelId: string, notice: Notice): Promise<void> {
    const fields = Object.entries(notice.fields ?? {}).map(([k, v]) => `${k}: ${v}`);
    try {
      await this.sendMessage(this.waId(channelId), textMessage([notice.text, ...fields].join('\n')));
    } catch (err) {
      if (err instanceof WindowClosedError) throw new PermanentSendError(`whatsapp: cannot post to that number: ${err.message}`, 'window-closed');
      throw err;
    }
  }

  private waId(id: string): string {
    const waId = canonicalWhatsAppId(id);
    if (!waId) throw new PermanentSendError('the id is not a WhatsApp number (expected the customer\'s number in digits, e.g. 46701234567)', 'whatsapp-bad-recipient');
    return waId;
  }

  /** The window has closed: the approved template when one is set (the customer is asked), else the closed window itself. */
  private async sendTemplate(to: Recipient, waId: string, closed: WindowClosedError): Promise<SendReceipt> {
    const name = this.settings.templateName;
    if (!name) throw closed;
    const language = this.settings.templateLanguage ?? to.locale;
    const wamid = await this.sendAndConfirm(waId, templateMessage(name, language));
    this.log.info({ surveyId: to.surveyId, template: name, language }, 'whatsapp: the 24-hour window had closed; asked with the approved template');
    return receipt(wamid);
  }

  /** Send, then wait (briefly) for the message's first status; a `failed` status throws like a refused send. */
  private async sendAndConfirm(waId: string, message: Record<string, unknown>): Promise<string> {
    const wamid = await this.sendMessage(waId, message);
    if (!wamid) return wamid;
    const status = await this.awaitStatus(wamid);
    if (status?.status === 'failed') throw this.statusError(status);
    return wamid;
  }

  /**
   * The first status of `wamid`: from this process's webhook, or — when several bot
   * processes share the webhook — a failure another process received and left in the
   * channel's shared state. Null after the wait (the message counts as sent).
   */
  private async awaitStatus(wamid: string): Promise<DeliveryStatus | null> {
    const timeoutMs = this.settings.statusWaitMs;
    const local = this.statuses.wait(wamid, timeoutMs);
    if (timeoutMs <= 0 || !this.state) return local;
    let settled = false;
    const shared = (async (): Promise<DeliveryStatus | null> => {
      const deadline = Date.now() + timeoutMs;
      while (!settled && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, SHARED_POLL_MS));
        if (settled) return null;
        const stored = await this.state!.get(failedKey(wamid)).catch(() => null);
        if (stored) return { status: 'failed', errors: readSharedErrors(stored) };
      }
      return null;
    })();
    const first = await Promise.race([local, shared.then((found) => found ?? local)]);
    settled = true;
    this.statuses.cancel(wamid);
    return first;
  }

  private statusError(status: DeliveryStatus): Error {
    const e = status.errors[0];
    return graphSendError({ product: 'whatsapp', status: 200, code: e?.code, message: `message failed after it was accepted: ${e?.message || 'no reason given'}` });
  }

  private async sendMessage(waId: string, message: Record<string, unknown>): Promise<string> {
    const answer = await this.client.post(`${this.settings.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp', recipient_type: 'individual', to: waId, ...message,
    });
    const id = (answer as { messages?: Array<{ id?: unknown }> } | undefined)?.messages?.[0]?.id;
    if (typeof id !== 'string' || id.length === 0 || id.length > 500) {
      // Accepted without an id: nothing to wait for, but the message went out.
      this.log.warn('whatsapp: the Cloud API accepted a message without returning its id');
      return '';
    }
    return id;
  }

  private async onPayload(json: unknown): Promise<void> {
    const payload = parsePayload(whatsappPayloadSchema, json);
    const { messages, statuses, dropped } = whatsappEvents(payload);
    if (dropped > 0) this.log.warn({ dropped }, 'whatsapp webhook: messages or statuses we cannot read were skipped');
    for (const s of statuses) {
      if (!this.ours(s.phoneNumberId)) continue;
      const waited = this.statuses.report(s.id, { status: s.status, errors: s.errors });
      if (s.status !== 'failed' || waited) continue;
      // The wamid and the error details name the customer's message: only at debug.
      this.log.warn({ codes: s.errors.map((e) => e.code) }, 'whatsapp: a message failed after it was accepted');
      this.log.debug({ wamid: s.id, errors: s.errors }, 'whatsapp: the failed message');
      // Another bot process may be waiting for this very message: leave the failure where it looks.
      await this.state?.compareAndSet(failedKey(s.id), null, JSON.stringify(s.errors.slice(0, 5)), { expiresAt: new Date(Date.now() + SHARED_KEEP_MS) });
    }
    const now = this.now();
    let stale = 0;
    let notNumbers = 0;
    for (const m of messages) {
      if (!this.ours(m.phoneNumberId)) continue;
      // A signed body stays valid forever: a message older than the window is a replay or too late to act on.
      if (!isFreshEvent(m.sentAt, now, this.settings.maxEventAgeMs)) {
        stale++;
        continue;
      }
      // The same digits-only form a resolution's customer id is stored in, or the answer would match nothing.
      const customerId = canonicalWhatsAppId(m.from);
      if (!customerId) {
        notNumbers++;
        continue;
      }
      const tapped = readChoicePayload(m.tappedId, 'whatsapp');
      const outcome = await this.ctx!.sink.message({
        channel: this.name,
        customerId,
        text: m.text,
        ...(tapped ? { choice: tapped.choice, surveyId: tapped.surveyId } : {}),
        eventId: m.id,
      });
      this.log.debug({ eventId: m.id, status: outcome.status }, 'whatsapp: customer message handled');
    }
    if (stale > 0) this.log.warn({ stale, maxAgeSeconds: this.settings.maxEventAgeMs / 1000 }, 'whatsapp webhook: messages older than META_MAX_EVENT_AGE_MINUTES (or without a timestamp) ignored');
    if (notNumbers > 0) this.log.warn({ skipped: notNumbers }, 'whatsapp webhook: messages from a sender id that is not a phone number skipped');
  }

  private ours(phoneNumberId: string): boolean {
    if (phoneNumberId === this.settings.phoneNumberId) return true;
    if (!this.warnedOtherNumber) this.log.warn({ phoneNumberId }, 'whatsapp webhook: events for another phone number than WHATSAPP_PHONE_NUMBER_ID, ignored');
    this.warnedOtherNumber = true;
    return false;
  }
}

const receipt = (wamid: string): SendReceipt => (wamid ? { messageId: wamid } : {});

function readSharedErrors(stored: string): DeliveryStatus['errors'] {
  try {
    const parsed: unknown = JSON.parse(stored);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((e: { code?: unknown; message?: unknown }) => (typeof e?.code === 'number'
      ? [{ code: e.code, message: typeof e.message === 'string' ? e.message.slice(0, 1000) : '' }] : []));
  } catch {
    return [];
  }
}
