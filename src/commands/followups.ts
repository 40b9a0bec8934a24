/**
 * `nps-bot followups [--status open|contacted|closed|all] [--overdue] [--format table|json]`
 * lists detractor follow-ups (open ones by default); `nps-bot followups --set ID [--status
 * contacted] [--outcome recovered|not-recovered|no-answer] [--owner NAME] [--note TEXT]`
 * updates one; `nps-bot followups --summary [--from YYYY-MM-DD] [--to YYYY-MM-DD]
 * [--format table|json|csv]` prints the closed-loop figures.
 */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { ConfigError } from '../env-readers.ts';
import { validate, ValidationError } from '../validation.ts';
import { FOLLOWUP_OUTCOMES, closedLoopCsv, closedLoopParamsSchema, closedLoopSummary, type ClosedLoopSummary, followupPatchSchema, type FollowupView } from '../reports/followups/index.ts';
import { catchUp, openReportCli, ReportRangeError, EVERYTHING } from '../reports/index.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';
import { forTerminal } from './terminal-output.ts';
import { stripControlCharsOneLine } from '../control-chars.ts';

const schema = z.object({
  set: z.string().regex(/^[0-9a-f]{24}$/i, 'expected a follow-up id (24 hex characters)').optional(),
  status: z.enum(['open', 'contacted', 'closed', 'all']).optional(),
  outcome: z.enum(FOLLOWUP_OUTCOMES).optional(),
  owner: z.string().max(200).optional(),
  note: z.string().max(2000).optional(),
  overdue: z.boolean().optional(),
  summary: z.boolean().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  format: z.enum(['table', 'json', 'csv']).default('table'),
}).extend(closedLoopParamsSchema.shape);

export const optionSchemas = () => [schema];

function line(f: FollowupView): string {
  const who = f.agentName ? `${f.agentName} (${f.agentId})` : f.agentId;
  const parts = [
    f.id, f.status.padEnd(9), f.outcome ? `outcome ${f.outcome} by ${f.outcomeBy ?? '?'}` : '', f.overdue ? `OVERDUE since ${f.dueAt}` : '',
    `score ${f.score}`, f.channel, `agent ${who}`, f.link ?? f.conversationId,
    f.owner ? `owner ${f.owner}` : '', f.note ? `note "${f.note}"` : '', f.comment ? `comment "${f.comment.replace(/\s+/g, ' ').slice(0, 120)}"` : '',
  ];
  // Customer comments (and notes stored before they were cleaned) must not drive the terminal.
  return stripControlCharsOneLine(parts.filter(Boolean).join('  '));
}

const pct = (v: number | null): string => (v === null ? '–' : `${v}%`);

function summaryTable(s: ClosedLoopSummary): string {
  return [
    `Detractor follow-ups opened ${s.from} to ${s.to} (${s.timeZone}), due within ${s.dueHours} h:`,
    `  opened ${s.opened} · open ${s.open} · contacted ${s.contacted} · closed ${s.closed} · overdue now ${s.overdue}`,
    `  closed-loop rate ${pct(s.closedLoopRate)} · outcomes: recovered ${s.recovered}, not recovered ${s.notRecovered}, no answer ${s.noAnswer} (recovery rate ${pct(s.recoveryRate)})`,
    `  median time to first contact ${s.medianHoursToFirstContact === null ? '–' : `${s.medianHoursToFirstContact} h`} (${s.firstContacts} contacted)`,
  ].join('\n');
}

export const command: Command = {
  describe: 'detractor follow-ups: nps-bot followups [--status open] [--overdue] | --set ID [--status contacted|closed] [--outcome recovered|not-recovered|no-answer] [--owner X] [--note "..."] | --summary [--from D] [--to D]',
  options: {
    '--status open|contacted|closed|all': 'list follow-ups in this status (default open); with --set, the new status',
    '--overdue': 'list only overdue follow-ups',
    '--limit N': 'at most this many (1–1000, default 100)',
    '--set ID': 'change the follow-up with this id (24 hex characters)',
    '--outcome recovered|not-recovered|no-answer': 'with --set: how the loop ended',
    '--owner NAME': 'with --set: who owns it',
    '--note TEXT': 'with --set: a note',
    '--summary': 'the closed-loop figures instead of a list',
    '--from YYYY-MM-DD': 'with --summary: first day',
    '--to YYYY-MM-DD': 'with --summary: last day',
    '--format table|json|csv': 'output format (default table; csv only with --summary)',
  },
  async run(args) {
    const { options } = parseOptions(args, schema, ['overdue', 'summary']);
    const out = (s: string): void => { process.stdout.write(`${s}\n`); };
    if (!options.set && (options.owner !== undefined || options.note !== undefined || options.outcome !== undefined)) throw new ConfigError('--owner/--note/--outcome: give the follow-up with --set ID');
    if (!options.summary && (options.from !== undefined || options.to !== undefined)) throw new ConfigError('--from/--to: only with --summary');
    if (options.format === 'csv' && !options.summary) throw new ConfigError('--format: csv only with --summary');
    const cli = await openReportCli(loadConfig());
    try {
      await catchUp(cli);
      if (options.summary) {
        let summary: ClosedLoopSummary;
        try {
          summary = await closedLoopSummary(cli.followups, { timeZone: cli.settings.timeZone, now: new Date() }, { from: options.from, to: options.to }, EVERYTHING);
        } catch (err) {
          if (err instanceof ReportRangeError) throw new ConfigError(`--${err.message}`);
          throw err;
        }
        if (options.format === 'json') out(JSON.stringify(summary));
        else if (options.format === 'csv') process.stdout.write(forTerminal(closedLoopCsv(summary)));
        else out(summaryTable(summary));
        return 0;
      }
      if (options.set) {
        if (options.status === 'all') throw new ConfigError('--status: expected open, contacted or closed with --set');
        let patch;
        try {
          patch = validate(followupPatchSchema, {
            ...(options.status ? { status: options.status } : {}),
            ...(options.outcome ? { outcome: options.outcome } : {}),
            ...(options.owner !== undefined ? { owner: options.owner } : {}),
            ...(options.note !== undefined ? { note: options.note } : {}),
          });
        } catch (err) {
          if (err instanceof ValidationError) throw new ConfigError(err.field === 'body' ? `--set: ${err.message.replace(/^body: /, '')}` : `--${err.message}`);
          throw err;
        }
        const updated = await cli.followups.update(options.set, patch, EVERYTHING, new Date(), 'cli');
        if (!updated) {
          process.stderr.write(`nps-bot: no follow-up with id ${options.set}\n`);
          return 1;
        }
        out(options.format === 'json' ? JSON.stringify(updated) : line(updated));
        return 0;
      }
      const status = options.status ?? 'open';
      const page = await cli.followups.list({ status: status === 'all' ? undefined : status, overdue: options.overdue, scope: EVERYTHING, page: 1, limit: options.limit });
      if (options.format === 'json') {
        out(JSON.stringify(page));
      } else {
        const what = `${options.overdue ? 'overdue ' : ''}${status === 'all' ? '' : `${status} `}`;
        out(`${page.total} ${what}detractor follow-up(s)${page.total > page.followups.length ? `, newest ${page.followups.length} shown` : ''}`);
        for (const f of page.followups) out(line(f));
      }
      return 0;
    } finally {
      await cli.close();
    }
  },
};
