/**
 * `nps-bot report --by channel|agent|channel,agent|type|total --period day|week|month
 *  --from YYYY-MM-DD --to YYYY-MM-DD --format table|json|csv [--type ...] [--channel C] [--agent A]`:
 * the figures from the rollups, in REPORT_TZ.
 *
 * `nps-bot report themes|drivers|agents|segments|value [--from] [--to] [--type transactional|relational]
 *  [--channel C] [--agent A] [--format table|json|csv]`: comment themes, what detractors
 * mention, agents against the rest of the team, NPS by segment, value at risk.
 */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { ConfigError } from '../env-readers.ts';
import { catchUp, checkRollupZone, openReportCli, reportParamsSchema, ReportRangeError, runReport, reportCsv, reportTable, EVERYTHING } from '../reports/index.ts';
import { insightParamsSchema, INSIGHT_VIEWS, type InsightView, runInsight } from '../reports/insights/index.ts';
import { ThemeTagging } from '../reports/themes/index.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';
import { forTerminal, jsonForTerminal } from './terminal-output.ts';

const schema = reportParamsSchema.extend({ format: z.enum(['table', 'json', 'csv']).default('table') });
const insightSchema = insightParamsSchema.extend({ format: z.enum(['table', 'json', 'csv']).default('table') });

export const optionSchemas = () => [schema, insightSchema];

const isView = (s: string | undefined): s is InsightView => (INSIGHT_VIEWS as readonly string[]).includes(s ?? '');

async function runView(view: InsightView, args: string[]): Promise<number> {
  const { options } = parseOptions(args, insightSchema);
  const { format, ...params } = options;
  const cli = await openReportCli(loadConfig());
  try {
    await checkRollupZone(cli);
    await catchUp(cli);
    const themes = ThemeTagging.forConfig(cli.db.conn, cli.config, cli.logger);
    await themes.sweep(true);
    const out = await runInsight(
      view,
      { conn: cli.db.conn, timeZone: cli.settings.timeZone, minSample: cli.settings.minSample, attribution: cli.settings.attribution, now: new Date() },
      params,
      EVERYTHING,
      themes.tagger.themes,
    ).catch((err: unknown) => {
      if (err instanceof ReportRangeError) throw new ConfigError(`--${err.message}`);
      throw err;
    });
    if (format === 'json') process.stdout.write(`${jsonForTerminal(out.json)}\n`);
    else if (format === 'csv') process.stdout.write(forTerminal(out.csv()));
    else process.stdout.write(forTerminal(out.table()));
    return 0;
  } finally {
    await cli.close();
  }
}

export const command: Command = {
  describe: 'NPS figures: nps-bot report --by channel|agent|channel,agent|type --period day|week|month --from YYYY-MM-DD --to YYYY-MM-DD --format table|json|csv; nps-bot report themes|drivers|agents|segments|value [--from] [--to] [--format]',
  options: {
    'themes|drivers|agents|segments|value': 'an insight view instead of the NPS figures (first argument)',
    '--by channel|agent|channel,agent|type|total': 'how rows are grouped (default channel)',
    '--period day|week|month': 'one row per period as well',
    '--from YYYY-MM-DD': 'first day (REPORT_TZ; default 30 days ago)',
    '--to YYYY-MM-DD': 'last day (default today)',
    '--type transactional|relational|all': 'which surveys (views: transactional|relational)',
    '--channel NAME': 'only this channel',
    '--agent ID': 'only this agent',
    '--format table|json|csv': 'output format (default table)',
  },
  async run(args) {
    if (isView(args[0])) return runView(args[0], args.slice(1));
    if (args[0] !== undefined && !args[0].startsWith('-')) throw new ConfigError(`report: unknown view "${args[0].slice(0, 40)}" (expected ${INSIGHT_VIEWS.join(', ')}, or --by ...)`);
    const { options } = parseOptions(args, schema);
    const { format, ...params } = options;
    const cli = await openReportCli(loadConfig());
    try {
      await checkRollupZone(cli);
      await catchUp(cli);
      const report = await runReport(
        { conn: cli.db.conn, timeZone: cli.settings.timeZone, minSample: cli.settings.minSample, attribution: cli.settings.attribution, now: new Date() },
        params,
        EVERYTHING,
      ).catch((err: unknown) => {
        if (err instanceof ReportRangeError) throw new ConfigError(`--${err.message}`);
        throw err;
      });
      if (format === 'json') process.stdout.write(`${jsonForTerminal(report)}\n`);
      else if (format === 'csv') process.stdout.write(forTerminal(reportCsv(report)));
      else process.stdout.write(forTerminal(reportTable(report)));
      return 0;
    } finally {
      await cli.close();
    }
  },
};
