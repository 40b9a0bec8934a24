/**
 * The Discord adapter: a discord.js gateway client for events (thread updates, /resolve,
 * button presses, DMs) and its REST client for sends. Resolved support threads become
 * `resolved` events; answers become `message` events; `send` asks by DM (falling back
 * to the support thread when the customer's DMs are closed) and `post` writes notices.
 * A look-back (discord-resolution-sweep.ts) finds resolutions a lost or failed gateway
 * event would otherwise drop: on every READY and every few minutes.
 *
 * Several processes may run this adapter (sharding): every decision is either made
 * from one gateway event, which only one shard receives, or kept by the engine in the
 * database, where (channel, conversation id) is unique and event ids are deduplicated.
 */
import { once } from 'node:events';
import { Events, type Client, type Interaction } from 'discord.js';
import type { ChannelAdapter, ChannelContext, ChannelRate, Notice, OutgoingMessage, Recipient, SendReceipt } from '../../conversation/channel-contract/channel.ts';
import { discordRate } from './discord-rate.ts';
import { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';
import type { Logger } from '../../logger.ts';
import { AnswerHandler } from './discord-answer-handler.ts';
import { DmCatchUp } from './discord-dm-catch-up.ts';
import { createDiscordClient } from './discord-client.ts';
import { DiscordCode, discordCode, discordStartUpFailure, GatewayNotReadyError, isTransientDiscordError, toSendError } from './discord-errors.ts';
import { DiscordRest } from './discord-rest.ts';
import { backoffMs } from '../../backoff.ts';
import { READ_RETRY } from './discord-retry.ts';
import { sleep } from '../abortable-sleep.ts';
import { SNOWFLAKE, type DiscordSettings } from './discord-settings.ts';
import { FallbackThreads } from './discord-fallback-threads.ts';
import { inviteUrl } from './discord-invite-url.ts';
import { ResolutionSweep } from './discord-resolution-sweep.ts';
import { ResolutionWatcher } from './discord-resolution-watcher.ts';
import { ResolveCommand } from './discord-resolve-command.ts';
import { StaffDirectory } from './discord-staff-directory.ts';
import { surveyMessageBody, messageNonce, truncate } from './discord-survey-message.ts';
import { ThreadAudit } from './discord-thread-audit.ts';
import { escapeDiscordText } from './discord-markdown.ts';
import { retryStartUp, type StartUpBackoff } from '../start-up-retry.ts';
import { BackgroundStartUp } from '../background-start-up.ts';
import { canonicalDiscordUserId } from './discord-ids.ts';

const READY_TIMEOUT_MS = 60_000;
const STOP_DRAIN_MS = 5_000;
/** /resolve registration after a transient failure: tries, first wait, longest wait. */
const REGISTER_ATTEMPTS = 10;
const REGISTER_FIRST_MS = 2_000;
const REGISTER_MAX_MS = 5 * 60_000;

export interface DiscordChannelOptions {
  /** Waits between connect tries at start-up (tests make them short). */
  startUpBackoff?: Partial<StartUpBackoff>;
  /** How long start-up waits for the first connect try before going on without it (default 15 s). */
  startUpForegroundMs?: number;
  /** How long one try waits for READY once logged in (default 60 s). */
  readyTimeoutMs?: number;
}

interface Running {
  client: Client;
  rest: DiscordRest;
  fallback: FallbackThreads;
  sweep: ResolutionSweep;
  catchUp: DmCatchUp;
}

export class DiscordChannel implements ChannelAdapter {
  readonly name = 'discord';
  readonly rate: ChannelRate;
  private running: Running | null = null;
  private accepting = false;
  private readonly inFlight = new Set<Promise<void>>();

  private readonly startUp: BackgroundStartUp;

  constructor(private readonly settings: DiscordSettings, private readonly logger: Logger, private readonly options: DiscordChannelOptions = {}) {
    this.rate = discordRate(settings.ratePerSecond);
    this.startUp = new BackgroundStartUp({ channel: 'discord', logger, backoff: options.startUpBackoff, foregroundMs: options.startUpForegroundMs });
  }

  /**
   * Connects (gateway lookup, login, READY), trying again while Discord fails in a way that
   * passes (start-up-retry.ts): the first try in the foreground, so a refused token fails
   * start-up at once; after a failure that passes, start() returns and the tries go on in
   * the background (background-start-up.ts) while sends wait. Each try builds a fresh
   * client: discord.js's client cannot log in again once a failed login destroyed it.
   */
  async start(ctx: ChannelContext): Promise<void> {
    if (this.running) throw new Error('discord: the channel is already started');
    await this.startUp.run(async (tries) => {
      const stopping = tries.signal;
      const connected = await retryStartUp(() => this.connect(ctx, stopping), {
        what: 'discord: connecting', classify: discordStartUpFailure, logger: this.logger, ...tries,
      });
      await this.connected(ctx.logger, connected, stopping);
    });
  }

  /** Once READY: /resolve registered, the look-back started (unless the channel was stopped meanwhile). */
  private async connected(logger: Logger, connected: { client: Client; command: ResolveCommand; sweep: ResolutionSweep }, stopping: AbortSignal): Promise<void> {
    const { client, command, sweep } = connected;
    const applicationId = client.application?.id ?? this.settings.applicationId;
    if (this.settings.applicationId && applicationId !== this.settings.applicationId) {
      logger.warn({ configured: this.settings.applicationId, actual: applicationId }, 'DISCORD_APPLICATION_ID does not match the token\'s application');
    }
    if (applicationId) {
      await this.registerCommands(client, command, applicationId, logger, stopping);
      logger.info({ invite: inviteUrl(applicationId), guilds: client.guilds.cache.size }, 'discord bot is connected');
    }
    if (!stopping.aborted) sweep.start();
  }

  /** One try: a new client with every handler, logged in and READY; on failure it is destroyed and nothing is left running. */
  private async connect(ctx: ChannelContext, stopping: AbortSignal): Promise<{ client: Client; command: ResolveCommand; sweep: ResolutionSweep }> {
    const logger = ctx.logger;
    const client = createDiscordClient(this.settings);
    const rest = new DiscordRest(client.rest);
    // Resolution checks read with retries: a 5xx while asking who closed a thread must not drop it.
    const reads = rest.retryingReads({ ...READ_RETRY, signal: stopping });
    const staff = new StaffDirectory(client, reads, this.settings.agentRole);
    const audit = new ThreadAudit(reads);
    const watcher = new ResolutionWatcher({ client, settings: this.settings, staff, audit, sink: ctx.sink, logger });
    const sweep = new ResolutionSweep({
      client, rest: reads, audit, watcher, state: ctx.state, careChannelIds: this.settings.careChannelIds, logger, signal: stopping,
      options: { windowMs: this.settings.recheckHours * 3_600_000, intervalMs: this.settings.recheckMinutes * 60_000 },
    });
    watcher.attach(sweep);
    const fallback = new FallbackThreads(rest, () => client.user?.id);
    // DMs arrive on shard 0 only: its process re-reads open surveys' DMs after it (re)connects.
    const catchUp: DmCatchUp = new DmCatchUp({
      rest: reads, state: ctx.state, forward: (typed) => answers.fromLookBack(typed), botId: () => client.user?.id, logger, signal: stopping,
    });
    const answers = new AnswerHandler({ client, sink: ctx.sink, fallback, watcher, threadFallback: this.settings.threadFallback, logger, catchUp, signal: stopping });
    const command = new ResolveCommand({ client, rest, watcher, staff, logger });

    client.on(Events.ThreadUpdate, (before, after) => this.track(logger, 'thread update', () => watcher.onThreadUpdate(before, after)));
    client.on(Events.MessageCreate, (message) => this.track(logger, 'message', () => answers.onMessage(message)));
    client.on(Events.InteractionCreate, (interaction) => this.track(logger, 'interaction', () => this.onInteraction(interaction, answers, command)));
    client.on(Events.GuildCreate, (guild) => {
      // A server that invited the bot while it runs gets /resolve too.
      if (watcher.isServedGuild(guild.id) && client.application) {
        const applicationId = client.application.id;
        this.track(logger, 'command registration', () => this.registerIn(command, applicationId, guild.id, logger, stopping));
      }
    });
    // A new session (after an invalid session or a long outage) may have missed thread updates.
    client.on(Events.ShardReady, (shardId) => {
      sweep.onShardReady();
      if (shardId === 0 && this.accepting) catchUp.request();
    });
    client.on(Events.ShardReconnecting, (shardId) => {
      if (this.accepting) logger.info({ shardId }, 'discord gateway reconnecting');
    });
    client.on(Events.ShardResume, (shardId, replayed) => logger.info({ shardId, replayed }, 'discord gateway resumed'));
    client.on(Events.ShardDisconnect, (event, shardId) => logger.error({ shardId, code: event.code }, 'discord gateway closed for good'));
    client.on(Events.ShardError, (err, shardId) => logger.warn({ shardId, err: err.message }, 'discord gateway error'));
    client.on(Events.Error, (err) => logger.error({ err: err.message }, 'discord client error'));
    client.on(Events.Warn, (message) => logger.warn({ message }, 'discord client warning'));

    this.running = { client, rest, fallback, sweep, catchUp };
    this.accepting = true;
    const readyTimeoutMs = this.options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const waiting = new AbortController();
    const timer = setTimeout(() => waiting.abort(), readyTimeoutMs);
    const onStop = () => waiting.abort();
    stopping.addEventListener('abort', onStop, { once: true });
    try {
      // Both watched at once: a READY that never comes must not leave an unhandled rejection while login is pending.
      const ready = once(client, Events.ClientReady, { signal: waiting.signal }).catch((err: unknown) => {
        throw waiting.signal.aborted && !stopping.aborted ? new GatewayNotReadyError(`the gateway did not become ready within ${Math.round(readyTimeoutMs / 1000)} s`) : err;
      });
      await Promise.all([client.login(this.settings.token), ready]);
      return { client, command, sweep };
    } catch (err) {
      this.accepting = false;
      this.running = null;
      waiting.abort();
      await client.destroy().catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
      stopping.removeEventListener('abort', onStop);
    }
  }

  canonicalCustomerId(id: string): string | null {
    return canonicalDiscordUserId(id);
  }

  /** Started, but still connecting in the background (the platform was down at start-up). */
  connecting(): boolean {
    return this.startUp.connection === 'connecting';
  }

  async stop(): Promise<void> {
    // Still connecting: no more tries (a start() still waiting then rejects with StartUpStoppedError).
    const wasConnected = this.startUp.connected;
    if (!wasConnected) await this.startUp.stop(STOP_DRAIN_MS);
    const running = this.running;
    if (!running) return;
    this.accepting = false;
    // Let answers already being handled reach the engine before the connection goes.
    await Promise.race([this.drain(), new Promise((r) => setTimeout(r, STOP_DRAIN_MS).unref())]);
    // Then stop retrying and looking back: the next start's look-back picks up what is left.
    if (wasConnected) await this.startUp.stop(STOP_DRAIN_MS);
    await Promise.race([Promise.all([running.sweep.stop(), running.catchUp.idle()]), new Promise((r) => setTimeout(r, STOP_DRAIN_MS).unref())]);
    this.running = null;
    await running.client.destroy();
  }

  /** Resolves once the running look-back and re-checks are done (tests). */
  async lookBackIdle(): Promise<void> {
    await this.running?.sweep.idle();
  }

  /** Resolves once the DM look-back (after a restart, or a hold that ran out) is done (tests). */
  async dmLookBackIdle(): Promise<void> {
    await this.running?.catchUp.idle();
  }

  /** Resolves once every gateway event received so far has been handled (stop, tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    const { rest, fallback, catchUp } = this.require();
    if (!SNOWFLAKE.test(to.customerId)) throw new PermanentSendError('discord: the customer id is not a Discord user id', 'bad-recipient');
    const address = to.address ?? {};
    const threadId = address.threadId && SNOWFLAKE.test(address.threadId) ? address.threadId : undefined;
    if (address.mode === 'thread' && threadId) {
      const messageId = await this.inThread(rest, fallback, threadId, to, message);
      return { messageId };
    }
    try {
      const dmChannelId = address.dmChannelId && SNOWFLAKE.test(address.dmChannelId) ? address.dmChannelId : await rest.openDm(to.customerId);
      if (message.kind === 'question') await this.rememberDm(catchUp, to, dmChannelId);
      const messageId = await rest.createMessage(dmChannelId, surveyMessageBody(to, message, false));
      return { messageId, address: { ...address, mode: 'dm', dmChannelId } };
    } catch (err) {
      if (discordCode(err) !== DiscordCode.CannotMessageUser) throw toSendError(err, 'discord DM');
      if (!this.settings.threadFallback || !threadId) {
        throw new PermanentSendError('discord: the customer does not accept DMs from the bot (Discord error 50007)', String(DiscordCode.CannotMessageUser));
      }
      this.logger.info({ surveyId: to.surveyId }, 'discord DMs closed: asking in the support thread');
      const messageId = await this.inThread(rest, fallback, threadId, to, message);
      return { messageId, address: { ...address, mode: 'thread' } };
    }
  }

  async post(channelId: string, notice: Notice): Promise<void> {
    const { rest } = this.require();
    if (!SNOWFLAKE.test(channelId)) throw new PermanentSendError('discord: the notice target is not a Discord channel id', 'bad-channel');
    // Notices quote customers: their text is escaped, only our own field labels are bold.
    const lines = [escapeDiscordText(notice.text), ...Object.entries(notice.fields ?? {}).map(([k, v]) => `**${escapeDiscordText(k)}:** ${escapeDiscordText(v)}`)];
    const content = truncate(lines.join('\n'));
    try {
      // Alerts may quote customers: never let them ping anyone (@everyone included).
      await rest.createMessage(channelId, {
        content, allowed_mentions: { parse: [] }, nonce: messageNonce('notice', channelId, content), enforce_nonce: true,
      });
    } catch (err) {
      throw toSendError(err, 'discord notice');
    }
  }

  /** Before the question goes: its DM is re-read for answers no process handled. Not remembered, not sent. */
  private async rememberDm(catchUp: DmCatchUp, to: Recipient, dmChannelId: string): Promise<void> {
    try {
      await catchUp.remember(to.customerId, to.surveyId, dmChannelId);
    } catch (err) {
      throw new TransientSendError(`discord: could not remember the DM for the look-back (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private async inThread(rest: DiscordRest, fallback: FallbackThreads, threadId: string, to: Recipient, message: OutgoingMessage): Promise<string> {
    try {
      const messageId = await rest.createMessage(threadId, surveyMessageBody(to, message, true));
      if (message.choices) fallback.remember(threadId, { customerId: to.customerId, surveyId: to.surveyId });
      return messageId;
    } catch (err) {
      throw toSendError(err, 'discord thread message');
    }
  }

  private async onInteraction(interaction: Interaction, answers: AnswerHandler, command: ResolveCommand): Promise<void> {
    if (interaction.isButton()) await answers.onButton(interaction);
    else if (interaction.isChatInputCommand()) await command.handle(interaction);
  }

  private async registerCommands(client: Client, command: ResolveCommand, applicationId: string, logger: Logger, signal: AbortSignal): Promise<void> {
    const wanted = this.settings.guildIds.length > 0 ? this.settings.guildIds : [...client.guilds.cache.keys()];
    const shards = client.options.shards;
    const myShards = new Set<number>(typeof shards === 'number' ? [shards] : Array.isArray(shards) ? shards : []);
    const shardCount = client.options.shardCount ?? 1;
    for (const guildId of wanted) {
      if (!client.guilds.cache.has(guildId)) {
        // With shards, another process may hold this server; only warn about our own shards.
        const shard = Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
        if (myShards.size === 0 || myShards.has(shard)) logger.warn({ guildId }, 'the bot is not in this server (DISCORD_GUILD_IDS): invite it');
        continue;
      }
      await this.registerIn(command, applicationId, guildId, logger, signal);
    }
  }

  /**
   * Register /resolve in one server. When Discord fails (5xx, network; discord.js has
   * already retried at once) it is tried again in the background with a growing delay,
   * so start-up is not held up and the command still appears once Discord is back.
   */
  private async registerIn(command: ResolveCommand, applicationId: string, guildId: string, logger: Logger, signal: AbortSignal): Promise<void> {
    try {
      await command.register(applicationId, guildId);
      return;
    } catch (err) {
      if (!isTransientDiscordError(err)) {
        logger.error({ guildId, code: discordCode(err), err: err instanceof Error ? err.message : String(err) },
          'could not register /resolve (was the bot invited with the applications.commands scope?)');
        return;
      }
      logger.warn({ guildId, err: err instanceof Error ? err.message : String(err) }, 'could not register /resolve: Discord is failing, trying again in the background');
    }
    void this.registerLater(command, applicationId, guildId, logger, signal);
  }

  private async registerLater(command: ResolveCommand, applicationId: string, guildId: string, logger: Logger, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; attempt <= REGISTER_ATTEMPTS; attempt++) {
      if (!await sleep(backoffMs(attempt, REGISTER_FIRST_MS, REGISTER_MAX_MS), signal)) return;
      try {
        await command.register(applicationId, guildId);
        logger.info({ guildId, attempt }, '/resolve registered after retrying');
        return;
      } catch (err) {
        if (signal.aborted) return;
        if (!isTransientDiscordError(err)) {
          logger.error({ guildId, code: discordCode(err), err: err instanceof Error ? err.message : String(err) },
            'could not register /resolve (was the bot invited with the applications.commands scope?)');
          return;
        }
      }
    }
    logger.error({ guildId, attempts: REGISTER_ATTEMPTS }, 'gave up registering /resolve: Discord kept failing; restart the bot to try again');
  }

  private track(logger: Logger, what: string, job: () => Promise<unknown>): void {
    if (!this.accepting) return;
    const p = job().then(() => undefined, (err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err), what }, 'discord event handling failed');
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private require(): Running {
    // Not connected (yet, or any more): a wait with a retry-after, never a reason to fail a survey.
    if (!this.running || !this.startUp.connected) throw this.startUp.notConnected();
    return this.running;
  }
}
