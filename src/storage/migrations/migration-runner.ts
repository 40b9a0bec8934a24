/**
 * Runs pending migrations once across every process that shares the database. A lock
 * document with a fixed _id is taken by one atomic upsert (a second taker gets a
 * duplicate-key error, so two processes can never both hold it) and held as a lease
 * that the holder renews; a holder that died loses it when the lease runs out. Others
 * wait (bounded) until the holder has finished, then find nothing pending.
 * Applied migrations are recorded in `migrations` as { _id: id, name, appliedAt, changed, ms }.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Logger } from '../../logger.ts';
import { isDuplicateKey } from '../mongo-errors.ts';
import type { Migration, MigrationSettings } from './migration.ts';

export const MIGRATIONS_COLLECTION = 'migrations';
export const MIGRATION_LOCK_COLLECTION = 'migration_lock';
const LOCK_ID = 'migrations';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface MigrationStatus {
  id: number;
  name: string;
  describe: string;
  /** When it was applied to this database, or null while pending. */
  appliedAt: Date | null;
  changed?: number;
}

export interface RunnerOptions {
  conn: Connection;
  /** What migrations' new values depend on (FOLLOWUP_DUE_HOURS, …), parsed at start-up. */
  settings: MigrationSettings;
  logger: Logger;
  migrations: readonly Migration[];
  /** How long a lock is held without renewal (a crashed holder blocks others this long). */
  leaseMs?: number;
  /** How long to wait for another process's migrations before giving up. */
  waitMs?: number;
  pollMs?: number;
  /** Who holds the lock (for the record); a random id by default. */
  owner?: string;
}

interface AppliedDoc { _id: number; name: string; appliedAt: Date; changed: number; ms: number; by: string }
interface LockDoc { _id: string; owner: string; until: Date }

export class MigrationRunner {
  private readonly owner: string;
  private readonly leaseMs: number;

  constructor(private readonly opts: RunnerOptions) {
    checkOrder(opts.migrations);
    this.owner = opts.owner ?? randomUUID();
    this.leaseMs = opts.leaseMs ?? 60_000;
  }

  async status(): Promise<MigrationStatus[]> {
    const applied = new Map((await this.applied().find({}).toArray()).map((d) => [d._id, d]));
    return this.opts.migrations.map((m) => {
      const done = applied.get(m.id);
      return { id: m.id, name: m.name, describe: m.describe, appliedAt: done?.appliedAt ?? null, ...(done ? { changed: done.changed } : {}) };
    });
  }

  /** Apply what is pending; resolves with the ids this process applied (none if another did). */
  async run(): Promise<number[]> {
    if ((await this.pending()).length === 0) return [];
    const deadline = Date.now() + (this.opts.waitMs ?? 5 * 60_000);
    let told = false;
    while (!(await this.lock())) {
      if ((await this.pending()).length === 0) return [];
      if (Date.now() > deadline) {
        throw new MigrationError(`another process has held the migration lock for over ${Math.round((this.opts.waitMs ?? 300_000) / 1000)} s; if none is running, it frees itself within ${Math.round(this.leaseMs / 1000)} s`);
      }
      if (!told) this.opts.logger.info('another process is migrating the database: waiting for it');
      told = true;
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 500));
    }
    const renew = setInterval(() => { void this.lock().catch(() => undefined); }, Math.max(1000, Math.floor(this.leaseMs / 3)));
    renew.unref();
    const done: number[] = [];
    try {
      // Read again under the lock: another process may have finished in between.
      for (const m of await this.pending()) {
        if (!(await this.lock())) throw new MigrationError('the migration lock was lost (its lease ran out); nothing more applied');
        const started = Date.now();
        const { changed } = await m.up({ conn: this.opts.conn, settings: this.opts.settings, logger: this.opts.logger, now: new Date() });
        const ms = Date.now() - started;
        await this.applied().updateOne({ _id: m.id }, { $setOnInsert: { name: m.name, appliedAt: new Date(), changed, ms, by: this.owner } }, { upsert: true });
        this.opts.logger.info({ migration: `${m.id}-${m.name}`, changed, ms }, 'migration applied');
        done.push(m.id);
      }
      return done;
    } finally {
      clearInterval(renew);
      await this.locks().deleteOne({ _id: LOCK_ID, owner: this.owner }).catch(() => undefined);
    }
  }

  private async pending(): Promise<Migration[]> {
    const ids = new Set((await this.applied().find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
    return this.opts.migrations.filter((m) => !ids.has(m.id));
  }

  /** Take or renew the lease; false while another process holds it. */
  private async lock(): Promise<boolean> {
    const now = new Date();
    try {
      await this.locks().findOneAndUpdate(
        { _id: LOCK_ID, $or: [{ until: { $lte: now } }, { owner: this.owner }] },
        { $set: { owner: this.owner, until: new Date(now.getTime() + this.leaseMs) } },
        { upsert: true },
      );
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  private applied() {
    return this.opts.conn.collection<AppliedDoc>(MIGRATIONS_COLLECTION);
  }

  private locks() {
    return this.opts.conn.collection<LockDoc>(MIGRATION_LOCK_COLLECTION);
  }
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new MigrationError(`migration "${m.name}" is number ${m.id}, expected ${i + 1}: numbers run 1, 2, 3 ... without gaps`);
  });
}
