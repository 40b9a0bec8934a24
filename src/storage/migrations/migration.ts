/**
 * A schema migration: numbered, named, and idempotent (its filter selects only documents
 * still in the old layout, so running it twice, or after a crash half-way, is harmless).
 * Migrations bring documents written by older versions forward; they never delete data.
 */
import type { Connection } from 'mongoose';
import type { Logger } from '../../logger.ts';

/** The settings migrations use (config.ts fills them in from the parsed settings). */
export interface MigrationSettings {
  /** FOLLOWUP_DUE_HOURS in ms: a follow-up is due this long after it was opened. */
  followupDueMs: number;
}

export interface MigrationContext {
  conn: Connection;
  /** The settings a migration's new value depends on, parsed at start-up. */
  settings: MigrationSettings;
  logger: Logger;
  now: Date;
}

export interface Migration {
  /** 1, 2, 3, ...: applied in this order, once per database. */
  id: number;
  /** A short kebab-case name, as listed by `nps-bot migrate --status`. */
  name: string;
  /** One line: what it changes and why. */
  describe: string;
  up(ctx: MigrationContext): Promise<{ changed: number }>;
}
