/**
 * `nps-bot rollup`: bring the stored rollups up to date (process dirty surveys);
 * `--rebuild` recomputes every bucket from the surveys; `--verify` compares the stored
 * rollups with a full recount, prints every difference and exits 1 if there is any.
 */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { ConfigError } from '../env-readers.ts';
import { catchUp, openReportCli } from '../reports/index.ts';
import { rebuildRollups, verifyRollups } from '../reports/rollups/index.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';

const schema = z.object({
  rebuild: z.boolean().optional(),
  verify: z.boolean().optional(),
  format: z.enum(['text', 'json']).default('text'),
});

export const optionSchemas = () => [schema];

const MAX_PRINTED = 200;

export const command: Command = {
  describe: 'rollups: nps-bot rollup (catch up) | --rebuild (recompute all) | --verify (compare with a recount; exit 1 on a difference)',
  options: {
    '--rebuild': 'recompute every rollup bucket from the surveys',
    '--verify': 'compare the stored rollups with a recount; exit 1 on a difference',
    '--format text|json': 'output format (default text)',
  },
  async run(args) {
    const { options } = parseOptions(args, schema, ['rebuild', 'verify']);
    if (options.rebuild && options.verify) throw new ConfigError('--rebuild and --verify: choose one');
    const out = (line: string): void => { process.stdout.write(`${line}\n`); };
    const cli = await openReportCli(loadConfig());
    try {
      const tz = cli.settings.timeZone;
      if (options.rebuild) {
        const r = await rebuildRollups(cli.db.conn, tz, undefined, cli.settings.attribution);
        // Surveys changed during the rebuild were marked dirty: count them in now.
        await catchUp(cli);
        if (options.format === 'json') out(JSON.stringify({ rebuilt: true, timeZone: tz, ...r }));
        else out(`rebuilt ${r.buckets} rollup buckets from ${r.surveys} surveys in ${(r.ms / 1000).toFixed(1)} s (days in ${tz}), and ${r.months} month buckets; ${r.zeroed} stale buckets zeroed`);
        return 0;
      }
      if (options.verify) {
        const v = await verifyRollups(cli.db.conn, tz, cli.settings.attribution);
        if (options.format === 'json') {
          out(JSON.stringify({ ok: v.differences.length === 0, ...v }));
        } else {
          if (v.storedTimeZone && v.storedTimeZone !== tz) out(`note: the rollups were built in ${v.storedTimeZone}, REPORT_TZ is ${tz}`);
          for (const d of v.differences.slice(0, MAX_PRINTED)) {
            out(`DIFF ${d.grain === 'month' ? 'month ' : ''}${d.bucket.day} ${d.bucket.channel} agent=${d.bucket.agentId} ${d.bucket.type} ${d.field}: stored ${d.stored}, recount ${d.recount}`);
          }
          if (v.differences.length > MAX_PRINTED) out(`… and ${v.differences.length - MAX_PRINTED} more differences`);
          out(v.differences.length === 0
            ? `ok: ${v.buckets} day and ${v.months} month buckets from ${v.surveys} surveys match a full recount`
            : `${v.differences.length} difference(s) in the rollups${v.dirty > 0 ? ` (${v.dirty} survey(s) are still waiting to be rolled up: a running bot catches up within seconds, or run \`nps-bot rollup\`)` : ''}; \`nps-bot rollup --rebuild\` recomputes them`);
        }
        return v.differences.length === 0 ? 0 : 1;
      }
      const n = await catchUp(cli);
      if (options.format === 'json') out(JSON.stringify({ caughtUp: n }));
      else out(`rolled up ${n} changed survey(s)`);
      return 0;
    } finally {
      await cli.close();
    }
  },
};
