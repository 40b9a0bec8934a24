/**
 * What the report CLI commands (`report`, `rollup`, `followups`, `digest`) share: the
 * database from MONGODB_URI, the report settings, and a catch-up sweep so figures read
 * from the terminal include answers a stopped bot had not yet rolled up.
 */
import { ConfigError } from '../env-readers.ts';
import { connectDatabase, type Database, type DatabaseConfig } from '../storage/connection.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { FollowupSettings } from './followups/followup-config.ts';
import { Followups } from './followups/followup-workflow.ts';
import type { ReportSettings } from './report-config.ts';
import { rollupMetaModel } from './rollups/rollup-model.ts';
import { ensureRollupZone } from './rollups/rollup-rebuild.ts';
import { RollupStore } from './rollups/rollup-store.ts';
import { SurveySync } from './survey-sync.ts';

/** The settings a report command needs, read and checked by the caller (the command's `loadConfig()`). */
export type ReportCliConfig = DatabaseConfig & { logLevel: string; reports: ReportSettings; followups: FollowupSettings };

export interface ReportCli<C extends ReportCliConfig = ReportCliConfig> {
  config: C;
  settings: ReportSettings;
  db: Database;
  logger: Logger;
  followups: Followups;
  close(): Promise<void>;
}

export async function openReportCli<C extends ReportCliConfig>(config: C): Promise<ReportCli<C>> {
  const settings = config.reports;
  // The terminal shows results; only warnings and errors are logged (to stdout as JSON, like the bot).
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await connectDatabase(config, logger);
  const followups = new Followups(db.conn, config.followups);
  return { config, settings, db, logger, followups, close: () => db.close() };
}

/**
 * Refuse to read rollups counted in another time zone (the running bot rebuilds them on
 * start); build them if they were never built (surveys from before reports existed).
 */
export async function checkRollupZone(cli: ReportCli): Promise<void> {
  const meta = await rollupMetaModel(cli.db.conn).findById('rollups').lean().exec();
  if (!meta || (meta.timeZone === cli.settings.timeZone && !meta.months)) {
    await ensureRollupZone(cli.db.conn, cli.settings.timeZone, cli.logger, cli.settings.attribution);
  } else if ((meta.attribution ?? 'resolver') !== cli.settings.attribution) {
    throw new ConfigError(`ATTRIBUTION_RULE: the rollups credit agents by "${meta.attribution ?? 'resolver'}" but ATTRIBUTION_RULE is "${cli.settings.attribution}"; set the same rule as the bot, or run \`nps-bot rollup --rebuild\``);
  } else if (meta.timeZone !== cli.settings.timeZone) {
    throw new ConfigError(`REPORT_TZ: the rollups are counted in ${meta.timeZone} but REPORT_TZ is ${cli.settings.timeZone}; set the same REPORT_TZ as the bot, or run \`nps-bot rollup --rebuild\``);
  }
}

/** Process every dirty survey once (rollups and follow-ups), as the bot would. */
export async function catchUp(cli: ReportCli): Promise<number> {
  await cli.followups.init();
  const sync = new SurveySync({
    conn: cli.db.conn,
    rollups: new RollupStore(cli.db.conn, cli.settings.timeZone, () => new Date(), cli.settings.attribution),
    followups: cli.followups,
    logger: cli.logger,
    now: () => new Date(),
  });
  return sync.sweep();
}
