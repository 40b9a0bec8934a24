/**
 * The reports side of the bot, wired by app.ts: report tokens, report routes and the
 * dashboard, rollups kept current from the engine's transitions, detractor alerts and
 * scheduled digests. It never imports a channel: notices leave through `post`.
 */
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import type { Principal, TokenAuth } from '../auth.ts';
import type { Config } from '../config.ts';
import type { SurveyEngine } from '../conversation/engine.ts';
import type { Logger } from '../logger.ts';

/** A notice for managers; the app hands it to the target channel's adapter. */
export interface ReportNotice { text: string; fields?: Record<string, string> }

/** Where a notice goes: a channel name and a channel id on that platform (`slack:C0123`). */
export interface NoticeTarget { channel: string; channelId: string }

export interface ReportsDeps {
  config: Config;
  conn: Connection;
  engine: Pick<SurveyEngine, 'on' | 'off'>;
  post: (target: NoticeTarget, notice: ReportNotice) => Promise<void>;
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

export function createReports(_deps: ReportsDeps): ReportsModule {
  return {
    tokens: [],
    mount() {},
    async start() {},
    async stop() {},
  };
}
