/**
 * `nps-bot report --by channel|agent|channel,agent|type|total --period day|week|month
 *  --from YYYY-MM-DD --to YYYY-MM-DD --format table|json|csv [--type ...] [--channel C] [--agent A]`:
 * the figures from the rollups, in REPORT_TZ.
 */
import { z } from 'zod';
import { ConfigError } from '../env-readers.ts';
import { catchUp, checkRollupZone, openReportCli } from '../reports/report-cli.ts';
import { reportParamsSchema, ReportRangeError, runReport } from '../reports/report-query.ts';
import { reportCsv, reportTable } from '../reports/report-render.ts';
import { EVERYTHING } from '../reports/scope.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';

const schema = reportParamsSchema.extend({ format: z.enum(['table', 'json', 'csv']).default('table') });

export const command: Command = {
  describe: 'NPS figures: nps-bot report --by channel|agent|channel,agent|type --period day|week|month --from YYYY-MM-DD --to YYYY-MM-DD --format table|json|csv',
  async run(args) {
    const { options } = parseOptions(args, schema);
    const { format, ...params } = options;
    const cli = await openReportCli();
    try {
      await checkRollupZone(cli);
      await catchUp(cli);
      const report = await runReport(
        { conn: cli.db.conn, timeZone: cli.settings.timeZone, minSample: cli.settings.minSample, now: new Date() },
        params,
        EVERYTHING,
      ).catch((err: unknown) => {
        if (err instanceof ReportRangeError) throw new ConfigError(`--${err.message}`);
        throw err;
      });
      if (format === 'json') process.stdout.write(`${JSON.stringify(report)}\n`);
      else if (format === 'csv') process.stdout.write(reportCsv(report));
      else process.stdout.write(reportTable(report));
      return 0;
    } finally {
      await cli.close();
    }
  },
};
