/**
 * Wires the three seams from one validated config: channels (adapters), the
 * conversation engine, and reports. Nothing else knows about all three.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import type { Connection } from 'mongoose';
import { tokenAuthFrom } from './http/token-auth.ts';
import { apiTokens } from './http/api-tokens.ts';
import { useOptOutKeySecret } from './conversation/opt-out-model.ts';
import type { ChannelAdapter, EngineSink } from './conversation/channel-contract/channel.ts';
import { createChannels } from './channels/registry.ts';
import { customerIdCanonicaliser } from './channels/customer-ids.ts';
import type { Config } from './config.ts';
import { SurveyEngine } from './conversation/engine.ts';
import { Outbox } from './conversation/outbox.ts';
import { ResilientRateBudget } from './conversation/rate-budget.ts';
import { Scheduler } from './conversation/scheduler.ts';
import { SurveyEvents } from './survey-events/survey-events.ts';
import { InFlight, ShuttingDownError } from './in-flight.ts';
import { RelationshipSchedule } from './conversation/relationship-schedule.ts';
import { Templates } from './conversation/templates.ts';
import { connectDatabase, type Database } from './storage/connection.ts';
import { untilDatabaseAnswers } from './storage/wait-for-database.ts';
import { DatabaseWatchdog } from './storage/database-watchdog.ts';
import { MongoChannelStateStore } from './shared-state/channel-state-store.ts';
import { SurveyReader } from './storage/surveys/index.ts';
import { AppliedEventStore } from './storage/applied-event-store.ts';
import { guardReplays } from './conversation/replay-guard.ts';
import { MongoRateBudget } from './shared-state/rate-budget-store.ts';
import { createHttpApp } from './http/server.ts';
import { createLogger, type Logger } from './logger.ts';
import { createReports } from './reports/index.ts';
import { BotMetrics } from './metrics/bot-metrics.ts';
import { meteredAdapters } from './metrics/metered-adapters.ts';
import { MeteredOutbox } from './metrics/metered-outbox.ts';
import { observeApp } from './metrics/app-metrics.ts';
import { Readiness } from './http/readiness.ts';
import { MigrationRunner } from './storage/migrations/migration-runner.ts';
import { MIGRATIONS } from './storage/migrations/migration-list.ts';

export interface AppOptions {
  config: Config;
  logger?: Logger;
  /** Channels to run instead of those the config turns on (tests, demo). */
  channels?: ChannelAdapter[];
  /** An open database instead of connecting from the config. */
  database?: Database;
  /** Start the scheduler loop (default true). */
  schedule?: boolean;
  now?: () => Date;
}

export interface RunningApp {
  config: Config;
  logger: Logger;
  conn: Connection;
  engine: SurveyEngine;
  /** Surveys as stored (read only), for commands such as `demo`. */
  surveys: SurveyReader;
  outbox: Outbox;
  scheduler: Scheduler;
  relationship: RelationshipSchedule;
  channels: ReadonlyMap<string, ChannelAdapter>;
  sink: EngineSink;
  server: Server;
  /** `http://host:port` the server listens on. */
  url: string;
  stop(): Promise<void>;
}

export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const channelList = options.channels ?? createChannels(config, logger);
  const channels = new Map(channelList.map((c) => [c.name, c]));
  if (channels.size === 0) {
    logger.warn('no channel is configured: set the credentials of a channel (Slack, Discord, X, Messenger, Instagram, WhatsApp, Chatwoot, Zendesk, Intercom, Freshchat, Telegram or the webhook channel: see README); try `nps-bot demo` to see a survey in the terminal');
  }
  // Every setting was read and checked by loadConfig, before this connect.
  const database = options.database ?? await connectDatabase(config, logger);
  try {
    return await startOn(database, channels, options, logger);
  } catch (err) {
    // A start-up failure after connecting (a port in use, a duplicate token) must not
    // leave the database connection holding the process open.
    if (!options.database) await database.close().catch(() => undefined);
    throw err;
  }
}

async function startOn(database: Database, channels: Map<string, ChannelAdapter>, options: AppOptions, logger: Logger): Promise<RunningApp> {
  const { config } = options;
  const conn = database.conn;
  useOptOutKeySecret(config.optOutKeySecret);
  // Documents from older versions are brought forward first, by one process at a time.
  // Each step that needs the database waits for it while it restarts (storage/wait-for-database.ts).
  const whenAnswering = <T>(what: string, step: () => Promise<T>): Promise<T> => untilDatabaseAnswers(what, step, { logger });
  // One runner for every try: its lock, if a failed try took it, is still its own.
  const migrations = new MigrationRunner({ conn, settings: { followupDueMs: config.followups.dueMs }, logger, migrations: MIGRATIONS });
  await whenAnswering('schema migrations', () => migrations.run());
  if (!config.optOutKeySecret) logger.warn('OPT_OUT_KEY_SECRET is not set: forgotten customers\' opt-outs are keyed with the public development key (set it in production, and never change it)');

  // A send waits out short rate limits itself, well inside the lease; longer ones go back to the engine.
  // Every process draws on the same send budget per platform limit (shared-state/rate-budget-store.ts).
  const shared = new MongoRateBudget(conn);
  await whenAnswering('the shared send budget', () => shared.init());
  const budget = new ResilientRateBudget(shared, (err) => logger.warn({ err }, 'the shared send budget is unavailable: pacing this process alone'));
  // Survey events (SURVEY_EVENTS_URL): on before the engine's first write, so every step stages its event.
  const surveyEvents = config.surveyEvents
    ? new SurveyEvents({ conn, url: config.surveyEvents.url, secret: config.surveyEvents.secret, logger: logger.child({ module: 'survey-events' }), now: options.now })
    : null;
  if (surveyEvents) await whenAnswering('survey events', () => surveyEvents.init());
  const metrics = new BotMetrics();
  const outbox: Outbox = new MeteredOutbox(meteredAdapters(channels, metrics), { logger, maxWaitMs: Math.floor(config.leaseMs / 4), budget }, metrics);
  const engine = new SurveyEngine({
    conn,
    outbox,
    templates: new Templates(config.templates, config.companyName),
    settings: {
      fatigueMs: config.fatigueMs,
      askDelayMs: config.askDelayMs,
      askWithinMs: config.askWithinMs,
      askTestimonialConsent: config.testimonialConsent,
      expireMs: config.expireMs,
      maxReprompts: config.maxReprompts,
      staffIds: config.staffIds,
      botIds: config.botIds,
      leaseMs: config.leaseMs,
      defaultLocale: config.defaultLocale,
      maxCommentChars: config.maxCommentChars,
      ...(config.reminderAfterMs ? { reminderAfterMs: config.reminderAfterMs } : {}),
    },
    logger,
    now: options.now,
  });
  await whenAnswering('the survey engine', () => engine.init());
  const scheduler = new Scheduler(engine, config.schedulerIntervalMs, logger);
  const observed = observeApp({ conn, engine, metrics, settings: config.metrics, now: options.now, channels });
  const readiness = new Readiness(conn);
  // The driver can stop looking for a server that went away; this starts it looking again.
  const watchdog = new DatabaseWatchdog(conn, logger, { uri: database.uri, onRestart: (why) => metrics.dbWatchdogRestarts.inc({ why }) }).start();

  // A platform event already applied (on any survey) never reaches the engine again: replays.
  const appliedEvents = new AppliedEventStore(conn, options.now);
  await whenAnswering('applied platform events', () => appliedEvents.init());
  const guarded = guardReplays(engine, appliedEvents);

  // Every engine call is tracked, so a shutdown can refuse new work and wait for the rest.
  const inFlight = new InFlight();
  const sink: EngineSink = {
    resolved: (event) => inFlight.run(async () => {
      const outcome = await engine.resolved(event);
      // Ask at once when no delay is set; the scheduler covers anything this misses.
      if (outcome.status === 'scheduled' && config.askDelayMs === 0) {
        void inFlight.run(() => engine.askNow(outcome.surveyId)).catch((err) => {
          if (!(err instanceof ShuttingDownError)) logger.error({ err }, 'asking failed');
        });
      }
      return outcome;
    }),
    message: (event) => inFlight.run(() => guarded.message(event)),
  };
  const relationship = new RelationshipSchedule({ surveys: new SurveyReader(conn), sink, settings: config.relationship, logger, now: options.now });

  const reports = createReports({
    config, conn, engine, logger, now: options.now,
    post: (target, notice) => outbox.post(target.channel, target.channelId, notice),
    replyToCustomer: (request) => inFlight.run(() => engine.messageCustomer(request)),
  });
  const alertTarget = reports.settings.alertTarget;
  if (alertTarget && !channels.has(alertTarget.channel)) {
    logger.warn({ channel: alertTarget.channel }, 'ALERT_TARGET names a channel that is not configured: detractor alerts will wait until it is');
  }
  const auth = tokenAuthFrom(apiTokens(config, reports.tokens));
  if (!auth.configured) logger.warn('API_TOKEN is not set: the HTTP API refuses every request until it is');

  const channelRoutes = Router();
  const app = createHttpApp({
    sink, conn, auth, logger, channelRoutes,
    bodyLimitBytes: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    authFailuresPer15Min: config.authFailuresPer15Min,
    webhookEnabled: channels.has('webhook'),
    // A resolution without an agent: the channel may know who it was (X: DM signatures).
    findAgent: async (channel, conversationId, customerId) => {
      const adapter = channels.get(channel);
      return adapter?.findAgent ? adapter.findAgent(conversationId, customerId) : undefined;
    },
    // Each channel owns the canonical form of its customer ids (WhatsApp: digits only).
    canonicalCustomerId: (channel, id) => {
      const adapter = channels.get(channel);
      if (adapter?.canonicalCustomerId) return adapter.canonicalCustomerId(id);
      // A channel not running here still has its platform's id form (as `nps-bot forget` uses it).
      return customerIdCanonicaliser(channel)?.(id);
    },
    extend: (http) => reports.mount(http, auth),
    readiness,
    metrics: observed.http,
  });
  // Channels mount their webhook routes first: a platform delivery must never find the
  // port open and its route missing (a 404 some platforms do not retry).
  // A platform that is down does not hold start-up: its adapter goes on connecting in the
  // background (channels/background-start-up.ts); only a refusal (a bad token) ends it here.
  const begun: ChannelAdapter[] = [];
  for (const channel of channels.values()) {
    // Each channel's shared state lives in the database under its own name.
    const state = new MongoChannelStateStore(conn, channel.name);
    await whenAnswering(`${channel.name}: channel state`, () => state.init());
    begun.push(channel);
    try {
      await channel.start({ sink, logger: logger.child({ channel: channel.name }), http: channelRoutes, state });
    } catch (err) {
      // Channels still connecting in the background must not outlive a failed start-up.
      for (const started of begun) await started.stop().catch(() => undefined);
      throw err;
    }
  }
  await whenAnswering('reports', () => reports.start());
  readiness.markStarted();
  const server = createServer(app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    await watchdog.stop();
    observed.stop();
    await reports.stop();
    for (const channel of channels.values()) await channel.stop().catch(() => undefined);
    throw err;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  if (options.schedule !== false) {
    scheduler.start();
    relationship.start();
    surveyEvents?.start();
  }
  logger.info({ url, channels: [...channels.keys()] }, 'nps-bot is running');

  let stopped = false;
  return {
    config, logger, conn, engine, surveys: new SurveyReader(conn), outbox, scheduler, relationship, channels, sink, server, url,
    async stop() {
      if (stopped) return;
      stopped = true;
      readiness.markDraining();
      // 1. Take no new requests; idle keep-alive connections go now, busy ones when answered.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // 2. Let running requests, engine calls, sends and the scheduler's tick finish, within the deadline.
      const deadline = Date.now() + config.shutdownMs;
      const drained = await inFlight.drain(config.shutdownMs);
      await until(deadline, relationship.stop());
      await until(deadline, scheduler.stop());
      await until(deadline, surveyEvents?.stop() ?? Promise.resolve());
      if (!drained) logger.warn({ unfinished: inFlight.size }, 'shutdown deadline passed with work unfinished; leases let another process take it over');
      server.closeAllConnections();
      await closed;
      // 3. Then the parts that work needed: reports, channels, the outbox, the database.
      await reports.stop();
      for (const channel of channels.values()) await channel.stop().catch((err) => logger.warn({ err, channel: channel.name }, 'channel stop failed'));
      // A send still running past the deadline is abandoned: its survey's lease lets another process retry it.
      await until(deadline, outbox.stop());
      await watchdog.stop();
      observed.stop();
      if (!options.database) await database.close();
    },
  };
}

/** Wait for `work`, but not past `deadline` (ms since the epoch). */
async function until(deadline: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, Math.max(0, deadline - Date.now())); });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
