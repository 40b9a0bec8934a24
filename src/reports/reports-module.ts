/**
 * The reports side of the bot, wired by app.ts: report tokens, report routes and the
 * dashboard, rollups kept current from the engine's transitions, detractor alerts,
 * overdue follow-up reminders and scheduled digests. It never imports a channel:
 * notices leave through `post`, messages back to customers through `replyToCustomer`.
 */
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import type { Principal, TokenAuth } from '../http/token-auth.ts';
import type { TransitionEvent } from '../conversation/engine.ts';
import { requireAuth } from '../http/auth-middleware.ts';
import type { Logger } from '../logger.ts';
import { dashboardRoutes } from './dashboard/dashboard-routes.ts';
import { DetractorAlerts } from './followups/detractor-alerts.ts';
import { Digests } from './digest/weekly-digest.ts';
import type { ReplyToCustomer } from './followups/customer-reply.ts';
import type { FollowupSettings } from './followups/followup-config.ts';
import { OverdueReminders } from './followups/followup-reminders.ts';
import { followupRoutes } from './followups/followup-routes.ts';
import { Followups } from './followups/followup-workflow.ts';
import type { PostNotice } from './notice-target.ts';
import type { ReportSettings } from './report-config.ts';
import { surveyListRoutes } from './survey-list-routes.ts';
import { reportRoutes } from './report-routes.ts';
import { ensureRollupZone } from './rollups/rollup-rebuild.ts';
import { monthRollupModel, rollupModel } from './rollups/rollup-model.ts';
import { RollupStore } from './rollups/rollup-store.ts';
import { SurveySync } from './survey-sync.ts';
import { ThemeTagging } from './themes/survey-theme-sync.ts';
import type { ThemeOverride } from './themes/theme-list.ts';
import { SingleFlightLoop } from '../single-flight-loop.ts';

/** What reports need from the engine: its `transition` events. */
export interface TransitionSource {
  on(event: 'transition', listener: (e: TransitionEvent) => void): unknown;
  off(event: 'transition', listener: (e: TransitionEvent) => void): unknown;
}

/** The settings reports are built from, parsed at start-up (the app's Config has these fields). */
export interface ReportsConfig {
  reports: ReportSettings;
  followups: FollowupSettings;
  themeOverrides: ThemeOverride[];
  sessionCookieSecure: 'true' | 'auto' | 'false';
}

export interface ReportsDeps {
  config: ReportsConfig;
  conn: Connection;
  engine: TransitionSource;
  post: PostNotice;
  /** The engine's entry point for a manager's message back to a customer; without it, replies answer 501. */
  replyToCustomer?: ReplyToCustomer;
  logger: Logger;
  now?: () => Date;
}

export interface ReportsModule {
  /** Extra tokens (REPORT_TOKENS) besides API_TOKEN. */
  tokens: Array<[string, Principal]>;
  /** Mount report routes and the dashboard. */
  mount(app: Express, auth: TokenAuth): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The module's parts, for the CLI commands and tests. */
export interface Reports extends ReportsModule {
  settings: ReportSettings;
  sync: SurveySync;
  followups: Followups;
  alerts: DetractorAlerts;
  reminders: OverdueReminders;
  digests: Digests;
  themes: ThemeTagging;
  /** One sweep now: dirty surveys, then due alerts and overdue reminders. */
  sweep(): Promise<void>;
}

export function createReports(deps: ReportsDeps): Reports {
  const settings = deps.config.reports;
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger.child({ module: 'reports' });
  const rollups = new RollupStore(deps.conn, settings.timeZone, now, settings.attribution);
  const followups = new Followups(deps.conn, deps.config.followups);
  const alerts = new DetractorAlerts({ conn: deps.conn, followups, target: settings.alertTarget, post: deps.post, logger, now, locale: settings.locale });
  const reminders = new OverdueReminders({ followups, target: settings.alertTarget, post: deps.post, logger, now });
  const kickAlerts = (): void => { void alerts.sendDue(); }; // a failed pass is logged by the alerts
  const sync = new SurveySync({ conn: deps.conn, rollups, followups, logger, now, onFollowupOpened: kickAlerts });
  const themes = ThemeTagging.forConfig(deps.conn, deps.config, logger, now);
  const digests = new Digests({ conn: deps.conn, settings, followups, post: deps.post, logger, now, themes: themes.tagger.themes });
  const flush = (): Promise<void> => sync.flush(2000);

  const onTransition = (e: TransitionEvent): void => {
    sync.enqueue(e.survey);
    themes.onTransition(e.survey);
  };
  let started = false;

  /** `quietForMs`: the periodic sweep leaves surveys that just moved to the event path (survey-sync.ts). */
  const sweep = async (quietForMs = 0): Promise<void> => {
    await sync.sweep(200, quietForMs);
    await alerts.sendDue();
    await reminders.sendDue();
    await themes.sweep();
  };
  /** The first sweep catches up on whatever a previous run left undone. */
  let quietForMs = 0;
  /** One sweep at a time; a tick during one is dropped. */
  const sweeps = new SingleFlightLoop({
    pass: async () => {
      await sweep(quietForMs);
      // From then on, surveys changed within two intervals are the event path's (a crash is caught up that much later).
      quietForMs = 2 * settings.syncIntervalMs;
    },
    onError: (err) => logger.error({ err }, 'report sweep failed; will retry'),
    whileRunning: 'join',
    intervalMs: settings.syncIntervalMs,
  });

  return {
    tokens: settings.tokens,
    settings,
    sync,
    followups,
    alerts,
    reminders,
    digests,
    themes,
    sweep,

    mount(app, auth) {
      const api = requireAuth(auth);
      app.use('/api/reports', api, reportRoutes(deps.conn, { settings, now, flush, themes }));
      app.use('/api/surveys', api, surveyListRoutes(deps.conn, flush));
      app.use('/api/followups', api, followupRoutes({ followups, timeZone: settings.timeZone, now, flush, reply: deps.replyToCustomer }));
      app.use('/dashboard', dashboardRoutes({ conn: deps.conn, auth, settings, followups, now, flush, themes, cookieSecurity: deps.config.sessionCookieSecure }));
    },

    async start() {
      if (started) return;
      // Indexes and the rollup zone first: a start that failed on them (the database went
      // away) may be called again, and only then does anything begin.
      await Promise.all([followups.init(), digests.init(), rollupModel(deps.conn).init(), monthRollupModel(deps.conn).init()]);
      await ensureRollupZone(deps.conn, settings.timeZone, logger, settings.attribution);
      started = true;
      deps.engine.on('transition', onTransition);
      // Catch up on whatever a previous run left undone, then keep sweeping.
      quietForMs = 0;
      await sweeps.start();
      digests.start();
      if (!settings.alertTarget) logger.info('ALERT_TARGET is not set: detractor follow-ups are tracked but no alert is posted');
    },

    async stop() {
      if (!started) return;
      started = false;
      deps.engine.off('transition', onTransition);
      const sweepsStopped = sweeps.stop(); // no tick from here on; the running sweep is awaited below
      await digests.stop();
      await sync.flush(5000);
      await sweepsStopped;
      await alerts.stop();
      await reminders.stop();
    },
  };
}
