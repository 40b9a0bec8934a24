/**
 * `nps-bot migrate`: apply pending schema migrations now (the bot also does at start);
 * `--status`: list every migration and when it was applied to this database.
 */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { connectDatabase } from '../storage/connection.ts';
import { MIGRATIONS } from '../storage/migrations/migration-list.ts';
import { MigrationRunner } from '../storage/migrations/migration-runner.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';

const schema = z.object({
  status: z.boolean().optional(),
  format: z.enum(['text', 'json']).default('text'),
});

export const optionSchemas = () => [schema];

export const command: Command = {
  describe: 'schema migrations: nps-bot migrate (apply pending now) | --status (list them) [--format text|json]',
  options: {
    '--status': 'list every migration and when it was applied; change nothing',
    '--format text|json': 'output format (default text)',
  },
  async run(args) {
    const { options } = parseOptions(args, schema, ['status']);
    const config = loadConfig();
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
    const db = await connectDatabase(config, logger);
    const out = (line: string): void => { process.stdout.write(`${line}\n`); };
    try {
      const runner = new MigrationRunner({ conn: db.conn, settings: { followupDueMs: config.followups.dueMs }, logger, migrations: MIGRATIONS });
      const applied = options.status ? [] : await runner.run();
      const status = await runner.status();
      if (options.format === 'json') {
        out(JSON.stringify({ applied, migrations: status.map((s) => ({ ...s, appliedAt: s.appliedAt?.toISOString() ?? null })) }));
        return 0;
      }
      for (const s of status) {
        const when = s.appliedAt ? `applied ${s.appliedAt.toISOString()}${s.changed !== undefined ? ` (${s.changed} changed)` : ''}` : 'pending';
        out(`${String(s.id).padStart(3, '0')} ${s.name.padEnd(28)} ${when.padEnd(48)} ${s.describe}`);
      }
      if (!options.status) out(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply');
      return 0;
    } finally {
      await db.close();
    }
  },
};
