/**
 * The Slack channel adapter: a Bolt app (HTTP on the bot's port, or Socket Mode) whose
 * listeners turn resolutions and answers into engine events, and the Web API calls
 * that ask the customer — in a DM, or in the care thread when Slack refuses the DM.
 *
 * @example
 * const slack = new SlackChannel(readSlackSettings(process.env)!, logger);
 * await slack.start({ sink: engine, logger, http: router, state }); // POST /slack/events
 */
import { App } from '@slack/bolt';
import type { Request, Response, NextFunction } from 'express';
import type { ChannelAdapter, ChannelContext, ChannelRate, Notice, OutgoingMessage, Recipient, SendReceipt } from '../../conversation/channel-contract/channel.ts';
import { slackRate } from './slack-rate.ts';
import { PermanentSendError } from '../../conversation/channel-contract/send-errors.ts';
import type { Logger } from '../../logger.ts';
import { ValidationError } from '../../validation.ts';
import { readAddress, threadOf, type SlackAddress } from './slack-address.ts';
import { SlackAnswers } from './slack-answers.ts';
import { clientOptions, SlackApi } from './slack-api.ts';
import { messageText, noticeBlocks, noticeText, questionBlocks, SCORE_ACTION } from './slack-blocks.ts';
import { isDmRefusal, slackErrorCode, slackStartUpFailure, toSendError } from './slack-errors.ts';
import { retryStartUp, type StartUpBackoff } from '../start-up-retry.ts';
import { BackgroundStartUp, type StartUpTries } from '../background-start-up.ts';
import { FallbackThreads, surveyMetadata } from './slack-fallback-threads.ts';
import { slackLogger } from './slack-logger.ts';
import { canonicalSlackUserId } from './slack-ids.ts';
import { blockActionsSchema, eventEnvelopeSchema, messageEventSchema, messageShortcutSchema, reactionAddedSchema } from './slack-payloads.ts';
import { createReceiver, EVENTS_PATH, NotConnectedYet } from './slack-receiver.ts';
import { SlackResolution, type NotResolved, type ResolutionResult } from './slack-resolution.ts';
import type { SlackSettings } from './slack-settings.ts';

/** How long `stop` waits for button presses and shortcuts still being handled. */
const STOP_DRAIN_MS = 5_000;

export interface SlackChannelOptions {
  /** Waits between tries of auth.test and apps.connections.open at start-up (tests make them short). */
  startUpBackoff?: Partial<StartUpBackoff>;
  /** How long start-up waits for the first connect try before going on without it (default 15 s). */
  startUpForegroundMs?: number;
}

export class SlackChannel implements ChannelAdapter {
  readonly name = 'slack';
  readonly rate: ChannelRate;
  private readonly api: SlackApi;
  private readonly threads: FallbackThreads;
  private app?: App;
  private mode?: 'http' | 'socket';
  private running = false;
  private identity?: { userId: string; botId?: string };
  /** Interactions acknowledged at once and handled after (Slack never redelivers them). */
  private readonly inFlight = new Set<Promise<void>>();

  private readonly startUp: BackgroundStartUp;

  constructor(private readonly settings: SlackSettings, private readonly logger: Logger, private readonly options: SlackChannelOptions = {}) {
    // chat.postMessage allows about one message per second per channel; the outbox paces to this.
    this.rate = slackRate(settings.ratePerSecond);
    this.api = new SlackApi({ token: settings.botToken, apiUrl: settings.apiUrl, logger });
    this.threads = new FallbackThreads(this.api, logger, () => this.identity?.botId);
    this.startUp = new BackgroundStartUp({ channel: 'slack', logger, backoff: options.startUpBackoff, foregroundMs: options.startUpForegroundMs });
  }

  /**
   * auth.test, then (Socket Mode) apps.connections.open, each tried again while Slack fails
   * in a way that passes (start-up-retry.ts): the first try in the foreground, so a refused
   * token fails start-up at once; after a failure that passes, start() returns and the tries
   * go on in the background (background-start-up.ts) while sends wait.
   *
   * In HTTP mode the Bolt app is built first, since checking a request's signature needs
   * only the signing secret: a score button pressed meanwhile (Slack never delivers an
   * interaction again) is taken as when connected — the score stored before the
   * acknowledgement, its follow-up owed and sent once Slack is connected. Events API
   * deliveries are answered 503 until then (Slack delivers them again), and a shortcut
   * 503 too (resolving reads the thread from Slack; Slack shows the person it failed).
   */
  async start(ctx: ChannelContext): Promise<void> {
    if (this.app) throw new Error('slack: the channel is already started');
    if (!this.settings.appToken) {
      // Registered before Bolt's route: while still connecting only interactions go on to
      // Bolt (a press is taken, a shortcut refused there); Events API deliveries, and every
      // request once the channel stopped or was refused, are answered 503.
      ctx.http.post(EVENTS_PATH, (req: Request, res: Response, next: NextFunction) => {
        if (this.running || (this.startUp.connection === 'connecting' && isInteraction(req))) next();
        else res.status(503).json({ error: 'the slack channel is not connected' });
      });
      this.build(ctx);
    }
    await this.startUp.run((tries) => this.startWith(ctx, tries));
  }

  /** The Bolt app, its receiver and listeners (HTTP mode: before auth.test; Socket Mode: after it). */
  private build(ctx: ChannelContext): App {
    const boltLogger = slackLogger(ctx.logger);
    const { receiver, mode } = createReceiver(this.settings, ctx.http, boltLogger, clientOptions(this.settings.apiUrl, ctx.logger));
    const app = new App({
      receiver,
      // The bot's own ids come from auth.test, which may answer only after the first press.
      authorize: async () => ({ botToken: this.settings.botToken, botId: this.identity?.botId, botUserId: this.identity?.userId }),
      clientOptions: clientOptions(this.settings.apiUrl, ctx.logger),
      logger: boltLogger,
      ignoreSelf: true,
      convoStore: false,
    });
    this.listen(app, ctx);
    this.app = app;
    this.mode = mode;
    return app;
  }

  private async startWith(ctx: ChannelContext, tries: StartUpTries): Promise<void> {
    const retry = { logger: this.logger, ...tries };
    this.identity = await retryStartUp(() => this.api.authTest(), { ...retry, what: 'slack: auth.test', classify: slackStartUpFailure('SLACK_BOT_TOKEN') });
    const app = this.app ?? this.build(ctx);
    // Bolt's Socket Mode client retries apps.connections.open itself only for some failures (not a 5xx or no answer).
    if (this.mode === 'socket') {
      await retryStartUp(() => app.start(), { ...retry, what: 'slack: opening Socket Mode', classify: slackStartUpFailure('SLACK_APP_TOKEN') });
      // Stopped while that last try was under way: close what it opened.
      if (tries.signal.aborted) {
        await app.stop().catch(() => undefined);
        return;
      }
    }
    if (tries.signal.aborted) return;
    this.running = true;
    ctx.logger.info({ mode: this.mode, careChannels: this.settings.careChannels.size, staff: this.settings.staffIds.size }, 'slack channel started');
  }

  canonicalCustomerId(id: string): string | null {
    return canonicalSlackUserId(id);
  }

  /** Started, but still connecting in the background (the platform was down at start-up). */
  connecting(): boolean {
    return this.startUp.connection === 'connecting';
  }

  async stop(): Promise<void> {
    // Still connecting: no more tries (a start() still waiting then rejects with StartUpStoppedError).
    const wasConnected = this.startUp.connected;
    await this.startUp.stop(STOP_DRAIN_MS);
    this.running = false;
    await Promise.race([this.drain(), new Promise((r) => setTimeout(r, STOP_DRAIN_MS).unref())]);
    if (this.app && this.mode === 'socket') {
      if (wasConnected) await this.app.stop();
      else await this.app.stop().catch(() => undefined); // it never opened: nothing to report
    }
  }

  /** Resolves once every interaction received so far has been handled (stop, tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    // Not connected yet (Slack down at start-up): a wait with a retry-after, not a failed attempt.
    if (!this.startUp.connected) throw this.startUp.notConnected();
    // The id goes into `<@…>`: one that is not a Slack user id could carry mrkdwn (`<!channel>`, links).
    if (!canonicalSlackUserId(to.customerId) || to.customerId !== to.customerId.trim()) {
      throw new PermanentSendError('slack: the customer id is not a Slack user id (U… or W…)', 'slack-bad-recipient');
    }
    const address = readAddress(to.address);
    if (address?.mode === 'thread') {
      // The bot asks in public only inside the care channels, wherever the address came from.
      if (!this.settings.careChannels.has(address.channel)) throw new PermanentSendError('slack: a thread outside SLACK_CARE_CHANNELS is never asked in', 'slack-not-care-channel');
      return this.sendInThread(to, message, address.channel, address.thread_ts);
    }
    let method = 'conversations.open';
    try {
      const dm = address?.mode === 'dm' ? address.channel : await this.api.openDm(to.customerId);
      method = 'chat.postMessage';
      const posted = await this.api.post({
        channel: dm,
        text: messageText(message.text),
        ...(message.choices?.length ? { blocks: questionBlocks(message.text, message.choices, to.surveyId, to.customerId) } : {}),
      });
      const receipt: SlackAddress = { mode: 'dm', channel: dm };
      return { messageId: posted.ts, address: receipt };
    } catch (err) {
      const failure = toSendError(err, method);
      const thread = threadOf(to.conversationId);
      const inCare = thread !== null && this.settings.careChannels.has(thread.channel);
      if (failure instanceof PermanentSendError && failure.code && isDmRefusal(failure.code) && this.settings.threadFallback && thread && inCare) {
        this.logger.info({ surveyId: to.surveyId, code: failure.code }, 'slack refused the DM; asking in the care thread');
        return this.sendInThread(to, message, thread.channel, thread.threadTs, failure.code);
      }
      throw failure;
    }
  }

  async post(channelId: string, notice: Notice): Promise<void> {
    if (!this.startUp.connected) throw this.startUp.notConnected();
    try {
      await this.api.post({ channel: channelId, text: noticeText(notice), blocks: noticeBlocks(notice) });
    } catch (err) {
      throw toSendError(err, 'chat.postMessage');
    }
  }

  /** Ask (or go on asking) in the care thread, mentioning the customer. */
  private async sendInThread(to: Recipient, message: OutgoingMessage, channel: string, threadTs: string, dmCode?: string): Promise<SendReceipt> {
    const mention = `<@${to.customerId}>`;
    try {
      const posted = await this.api.post({
        channel,
        threadTs,
        text: `${mention} ${messageText(message.text)}`,
        ...(message.choices?.length ? { blocks: questionBlocks(message.text, message.choices, to.surveyId, to.customerId, mention) } : {}),
        metadata: surveyMetadata(to.surveyId, to.customerId),
      });
      this.threads.remember(channel, threadTs, to.customerId, to.surveyId);
      const receipt: SlackAddress = { mode: 'thread', channel, thread_ts: threadTs };
      return { messageId: posted.ts, address: receipt };
    } catch (err) {
      const failure = toSendError(err, 'chat.postMessage');
      if (dmCode && failure instanceof PermanentSendError) {
        throw new PermanentSendError(`slack: the DM was refused (${dmCode}) and asking in the thread failed (${failure.code ?? failure.message})`, dmCode);
      }
      throw failure;
    }
  }

  private listen(app: App, ctx: ChannelContext): void {
    const log = ctx.logger;
    const botUserId = (): string | undefined => this.identity?.userId;
    const resolution = new SlackResolution({ api: this.api, settings: this.settings, sink: ctx.sink, logger: log, botUserId });
    const answers = new SlackAnswers({ api: this.api, settings: this.settings, sink: ctx.sink, logger: log, threads: this.threads, botUserId });

    app.event('reaction_added', async ({ event, body }) => {
      const parsed = reactionAddedSchema.safeParse(event);
      if (!parsed.success) return void log.debug({ eventId: envelopeId(body) }, 'slack reaction_added not understood');
      const result = await retriable(log, 'reaction_added', () => resolution.fromReaction(parsed.data));
      if (result && !result.resolved && result.reason !== 'wrong-emoji') log.debug({ reason: result.reason }, 'slack reaction did not resolve');
    });

    // Interactions are never redelivered by Slack: acknowledge within its 3 seconds (after
    // handling when it is quick), and tell the person what became of it (the answered
    // question, or an apology).
    app.shortcut({ type: 'message_action', callback_id: this.settings.shortcutCallbackId }, async ({ ack, shortcut }) => {
      // Resolving reads the thread from Slack: before auth.test answered, refuse (503) rather than acknowledge and fail unseen.
      if (this.mode === 'http' && !this.running) throw new NotConnectedYet('a message shortcut');
      await ack();
      const parsed = messageShortcutSchema.safeParse(shortcut);
      if (!parsed.success) return void log.warn('slack message shortcut payload not understood');
      const s = parsed.data;
      this.afterAck(async () => {
        const result = await guarded(log, 'shortcut', () => resolution.fromShortcut(s));
        await this.api.postEphemeral(s.channel.id, s.user.id, shortcutReply(result), s.message.thread_ts ?? s.message.ts)
          .catch((err) => log.debug({ err: slackErrorCode(err) }, 'slack ephemeral reply failed'));
      });
    });

    app.action(SCORE_ACTION, async ({ ack, body }) => {
      const parsed = blockActionsSchema.safeParse(body);
      if (!parsed.success) {
        await ack();
        return void log.warn('slack block_actions payload not understood');
      }
      // Stored first when that fits in Slack's 3 seconds (the follow-up need not have gone):
      // a process that dies before storing then never acknowledged the press, and Slack shows
      // the customer it did not go through. Slower, the acknowledgement comes only with the
      // request to press again, so a process dying after it loses nothing the customer was
      // told was taken; a score stored late is still shown on the question.
      let toldAgain = false;
      let onStored: () => void = () => undefined;
      const storedFirst = new Promise<void>((resolve) => { onStored = resolve; });
      const work = answers.fromButton(parsed.data, { onStored: () => onStored(), toldAgain: () => toldAgain }).then(() => undefined, () => undefined);
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        storedFirst.then(() => true), work.then(() => true),
        new Promise<boolean>((r) => { timer = setTimeout(() => r(false), PRESS_ACK_WITHIN_MS); timer.unref(); }),
      ]);
      clearTimeout(timer);
      if (!inTime) {
        toldAgain = true;
        await answers.askToPressAgain(parsed.data);
      }
      await ack();
      this.afterAck(() => work);
    });

    app.event('message', async ({ event, body }) => {
      const parsed = messageEventSchema.safeParse(event);
      if (!parsed.success) return void log.debug({ eventId: envelopeId(body) }, 'slack message event not understood');
      await retriable(log, 'message', () => answers.fromMessage(parsed.data));
    });

    // A listener's failure goes back to the receiver, which then does not acknowledge the
    // event (500 in HTTP mode, no ack in Socket Mode), so Slack delivers it again.
    app.error(async (err) => {
      throw err;
    });
  }

  /** Handle an interaction after its acknowledgement went out; `stop` waits for it. */
  private afterAck(work: () => Promise<unknown>): void {
    const p = work().then(() => undefined, () => undefined);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}

/** Interactions (button presses, shortcuts) come as a form with one `payload` field; Events API deliveries as JSON. */
function isInteraction(req: Request): boolean {
  return req.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded';
}

/** How long a button press may wait for its answer to be stored before it is acknowledged anyway (Slack allows 3 s). */
const PRESS_ACK_WITHIN_MS = 2_000;

/**
 * Handle an event whose failure Slack should retry: anything but a refusal of the event
 * itself (a ValidationError, which would fail the same way every time) is thrown on.
 */
async function retriable<T>(log: Logger, what: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (err instanceof ValidationError) {
      log.error({ err: text, what }, 'slack event refused by the engine; not retried');
      return undefined;
    }
    log.warn({ err: text, code: slackErrorCode(err), what }, 'slack event not handled; Slack will deliver it again');
    throw err;
  }
}

async function guarded<T>(log: Logger, what: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    log.error({ err: err instanceof Error ? `${err.name}: ${err.message}` : String(err), code: slackErrorCode(err), what }, 'slack event handling failed');
    return undefined;
  }
}

function envelopeId(body: unknown): string | undefined {
  const parsed = eventEnvelopeSchema.safeParse(body);
  return parsed.success ? parsed.data.event_id : undefined;
}

const NOT_RESOLVED_TEXT: Record<NotResolved, string> = {
  'not-staff': 'Only care staff can mark a thread resolved (SLACK_STAFF_IDS).',
  'not-care-channel': 'This channel is not a care channel (SLACK_CARE_CHANNELS), so nothing was marked resolved.',
  'wrong-emoji': 'Nothing was marked resolved.',
  'not-a-message': 'Nothing was marked resolved.',
  'not-root': 'Mark the first message of the thread to resolve it.',
  'no-customer': 'There is no customer to ask in this thread.',
  'customer-is-staff': 'This thread was started by a staff member, so there is no customer to ask.',
  'customer-is-this-bot': 'There is no customer to ask in this thread.',
  'thread-not-found': 'I could not read this thread. Is the bot a member of this channel?',
};

function shortcutReply(result: ResolutionResult | undefined): string {
  if (!result) return 'Something went wrong marking this thread resolved; please try again.';
  if (!result.resolved) return NOT_RESOLVED_TEXT[result.reason];
  return result.outcome.status === 'duplicate'
    ? 'This thread was already marked resolved.'
    : `Marked resolved. <@${result.customerId}> will be asked how likely they are to recommend us.`;
}
