/**
 * The X (Twitter) direct-message channel. Customers' DMs arrive on the Account
 * Activity webhook and go to the engine; the NPS question goes out as a DM with 0–10
 * quick replies, the follow-up and thanks as plain DMs. The brand's own DMs (agents'
 * and the bot's) are seen on the same webhook but are never customer answers: they
 * only feed the optional inactivity rule and the agent-from-signature lookup.
 */
import type { Logger } from '../../logger.ts';
import type {
  AgentRef, ChannelAdapter, ChannelContext, ChannelRate, Notice, OutgoingMessage, Recipient, ResolveOutcome, SendReceipt,
} from '../../conversation/channel-contract/channel.ts';
import { X_RATE } from './x-rate.ts';
import { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';
import { directMessages, type ActivityPayload, type DirectMessageEvent } from './x-activity-payload.ts';
import { AgentSignatures, UNKNOWN_AGENT_ID } from './x-agent-signature.ts';
import { DailyDmCaps, DAY_MS } from './x-daily-caps.ts';
import { TwitDirectMessages, type XDirectMessages } from './x-direct-messages.ts';
import { forgetInactivity, InactivityTracker } from './x-inactivity-tracker.ts';
import { quickReplyOptions, readQuickReply, type QuickReplyOption } from './x-quick-reply.ts';
import { xUserId, type XSettings } from './x-settings.ts';
import { mountXWebhook } from './x-webhook-routes.ts';
import { RecentIds } from './x-recent-ids.ts';
import { forgetSignedAgent, SignedAgents } from './x-signed-agents.ts';
import { canonicalXUserId } from './x-ids.ts';
import type { ChannelStateStore } from '../../conversation/channel-contract/channel-state.ts';

export interface XChannelOptions {
  /** Another DM client (twit is the default). */
  directMessages?: XDirectMessages;
  /** The clock the inactivity rule reads; tests move it. */
  now?: () => Date;
  /** How often the inactivity rule looks for quiet conversations (default one minute). */
  inactivityCheckMs?: number;
  /** The daily caps' window (default 24 h). */
  capWindowMs?: number;
}

export class XChannel implements ChannelAdapter {
  readonly name = 'x';
  /**
   * X's per-15-minute DM limit, and a few per second so a backlog after a restart does
   * not arrive as a burst; the daily limits (X_DM_PER_DAY_*) are the caps' (x-daily-caps.ts).
   */
  readonly rate: ChannelRate = X_RATE;

  private readonly api: XDirectMessages;
  private readonly signatures: AgentSignatures;
  /** Kept in the channel's shared state, so every process counts and sees the same; set by start. */
  private shared: { caps: DailyDmCaps; tracker: InactivityTracker | null; signed: SignedAgents } | null = null;
  /** DMs this bot sent: when X echoes them on the webhook they are not an agent talking. */
  private readonly botSent = new RecentIds(10_000);
  private readonly unknownInitials = new RecentIds(100);
  private readonly now: () => Date;
  private ctx: ChannelContext | null = null;
  private log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private checks: Promise<unknown> = Promise.resolve();

  constructor(private readonly settings: XSettings, logger: Logger, private readonly options: XChannelOptions = {}) {
    this.log = logger;
    this.now = options.now ?? (() => new Date());
    this.api = options.directMessages ?? new TwitDirectMessages(settings, settings.apiUrl);
    this.signatures = new AgentSignatures(settings.signaturePattern, settings.agentSignatures);
  }

  private get tracker(): InactivityTracker | null {
    return this.shared?.tracker ?? null;
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
    this.log = ctx.logger;
    this.shared = {
      caps: new DailyDmCaps(ctx.state, { perApp: this.settings.dmPerDayApp, perUser: this.settings.dmPerDayUser }, this.options.capWindowMs ?? DAY_MS),
      tracker: this.settings.inactivityMs > 0 ? new InactivityTracker(ctx.state, this.settings.inactivityMs) : null,
      signed: new SignedAgents(ctx.state),
    };
    mountXWebhook(ctx.http, {
      consumerSecret: this.settings.consumerSecret,
      bodyLimitBytes: this.settings.bodyLimitBytes,
      maxEventAgeMs: this.settings.maxEventAgeMs,
      now: this.now,
      logger: ctx.logger,
      onPayload: (payload) => this.onPayload(payload),
    });
    if (this.tracker) {
      const every = this.options.inactivityCheckMs ?? Math.min(60_000, this.settings.inactivityMs);
      this.timer = setInterval(() => { void this.checkInactivity(); }, every);
      this.timer.unref();
    }
    this.log.info({ inactivityHours: this.settings.inactivityMs / 3_600_000 || 'off' }, 'x channel on: webhook at /x/webhook');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checks;
  }

  canonicalCustomerId(id: string): string | null {
    return canonicalXUserId(id);
  }

  /** The agent who last signed a brand DM to this customer ("… ^AB"), for a resolution that names none. */
  /** `nps-bot forget`: the customer's open-conversation entry and last signing agent; the daily caps hold no customer. */
  async forget(customerId: string, state: ChannelStateStore): Promise<void> {
    await forgetInactivity(state, customerId);
    await forgetSignedAgent(state, customerId);
  }

  async findAgent(_conversationId: string, customerId: string): Promise<AgentRef | null> {
    if (!this.shared) throw new Error('x: the channel is not started');
    return this.shared.signed.lastFor(customerId);
  }

  async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    let quickReply: QuickReplyOption[] | undefined;
    try {
      quickReply = message.choices ? quickReplyOptions(to.surveyId, message.choices) : undefined;
    } catch (err) {
      throw new PermanentSendError(`cannot offer these choices as X quick replies: ${(err as Error).message}`, 'x-quick-reply');
    }
    const id = await this.directMessage(to.customerId, message.text, quickReply);
    // The bot is now talking to this customer: an open care conversation is over. The DM
    // went out whatever happens here, so a failure must not make the outbox send it again.
    await this.tracker?.forget(to.customerId).catch((err: unknown) => this.log.warn({ err }, 'x: could not close the conversation for the inactivity rule'));
    return id ? { messageId: id } : {};
  }

  /** X has no team channels: a notice is a DM to the X user id given as `channelId`. */
  async post(channelId: string, notice: Notice): Promise<void> {
    const fields = Object.entries(notice.fields ?? {}).map(([k, v]) => `${k}: ${v}`);
    await this.directMessage(channelId, [notice.text, ...fields].join('\n'));
  }

  /**
   * Resolve every conversation the inactivity rule finds due. The timer calls this;
   * calls queue behind each other, so two checks never race over the same conversation.
   */
  checkInactivity(): Promise<ResolveOutcome[]> {
    const run = this.checks.then(() => this.resolveInactive());
    this.checks = run.catch(() => undefined);
    return run;
  }

  private async resolveInactive(): Promise<ResolveOutcome[]> {
    const sink = this.ctx?.sink;
    if (!this.tracker || !sink) return [];
    const outcomes: ResolveOutcome[] = [];
    for (const c of await this.tracker.due(this.now().getTime())) {
      try {
        const outcome = await sink.resolved({
          channel: this.name,
          conversationId: c.conversationId,
          customer: { id: c.customerId, name: c.customerName },
          agent: { id: c.agentId ?? UNKNOWN_AGENT_ID },
          resolvedAt: c.resolvedAt,
        });
        await this.tracker.resolved(c.customerId, c.lastBrandDmId);
        outcomes.push(outcome);
        this.log.info({ surveyId: outcome.surveyId, status: outcome.status }, 'x: conversation resolved by inactivity');
      } catch (err) {
        // Kept in the shared state: the next check (of any process) tries again.
        this.log.warn({ err }, 'x: inactivity resolution failed'); // no conversation id: it contains the customer's X id
      }
    }
    return outcomes;
  }

  private async directMessage(recipientId: string, text: string, quickReply?: QuickReplyOption[]): Promise<string | undefined> {
    if (!xUserId.safeParse(recipientId).success) {
      throw new PermanentSendError('the customer id is not an X user id (expected digits)', 'x-bad-recipient');
    }
    // Not started (yet, or any more): worth retrying, never a reason to fail a survey.
    if (!this.shared) throw new TransientSendError('x: the channel is not started');
    const { caps } = this.shared;
    const ticket = await caps.take();
    try {
      const { id } = await this.api.send({ recipientId, text, quickReply });
      if (id) this.botSent.add(id);
      return id;
    } catch (err) {
      await caps.giveBack(ticket).catch(() => undefined); // X counts only DMs that went out
      throw err;
    }
  }

  private async onPayload(payload: ActivityPayload): Promise<void> {
    const brand = this.settings.brandUserId;
    if (payload.for_user_id !== brand) {
      this.log.warn({ forUserId: payload.for_user_id }, 'x webhook: events for another account than X_BRAND_USER_ID, ignored');
      return;
    }
    for (const dm of directMessages(payload)) {
      if (dm.senderId === brand) await this.onBrandDm(dm);
      else if (dm.recipientId === brand) await this.onCustomerDm(dm);
    }
  }

  private async onBrandDm(dm: DirectMessageEvent): Promise<void> {
    if (this.botSent.has(dm.id) || !this.shared) return;
    const signed = this.signatures.find(dm.text);
    if (signed && !signed.known && !this.unknownInitials.has(signed.initials)) {
      this.unknownInitials.add(signed.initials);
      this.log.warn({ initials: signed.initials }, `x: DM signed with initials not in X_AGENT_SIGNATURES; credited to "${UNKNOWN_AGENT_ID}"`);
    }
    // A throw answers X with a 500 and X delivers the event again.
    if (signed) await this.shared.signed.remember(dm.recipientId, signed.agentId);
    await this.tracker?.brandWrote(dm.recipientId, { id: dm.id, at: this.eventTime(dm), agentId: signed?.agentId });
  }

  private async onCustomerDm(dm: DirectMessageEvent): Promise<void> {
    await this.tracker?.customerWrote(dm.senderId, this.eventTime(dm), dm.senderName);
    const tapped = readQuickReply(dm.quickReplyMetadata);
    const outcome = await this.ctx!.sink.message({
      channel: this.name,
      customerId: dm.senderId,
      text: dm.text,
      ...(tapped ? { choice: tapped.choice, surveyId: tapped.surveyId } : {}),
      eventId: dm.id,
    });
    this.log.debug({ eventId: dm.id, status: outcome.status }, 'x: customer DM handled');
  }

  /** X's timestamp, but never in our future (a skewed clock must not postpone a resolution). */
  private eventTime(dm: DirectMessageEvent): number {
    const now = this.now().getTime();
    return dm.createdAt !== undefined && Number.isFinite(dm.createdAt) ? Math.min(dm.createdAt, now) : now;
  }
}
