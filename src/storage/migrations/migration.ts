/**
 * A schema migration: numbered, named, and idempotent (its filter selects only documents
 * still in the old layout, so running it twice, or after a crash half-way, is harmless).
 * Migrations bring documents written by older versions forward; they never delete data.
 */
import type { Connection } from 'mongoose';
import type { Env } from '../../env-readers.ts';
import type { Logger } from '../../logger.ts';

export interface MigrationContext {
  conn: Connection;
  /** The settings, for migrations whose new value depends on one (e.g. FOLLOWUP_DUE_HOURS). */
  env: Env;
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
