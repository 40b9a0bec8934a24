/**
 * `nps-bot followups [--status open|contacted|closed|all] [--format table|json]` lists
 * detractor follow-ups (open ones by default); `nps-bot followups --set ID [--status
 * contacted] [--owner NAME] [--note TEXT]` updates one.
 */
import { z } from 'zod';
import { ConfigError } from '../env-readers.ts';
import { validate, ValidationError } from '../validation.ts';
import { followupPatchSchema, type FollowupView } from '../reports/followups.ts';
import { catchUp, openReportCli } from '../reports/report-cli.ts';
import { EVERYTHING } from '../reports/scope.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';
import { stripControlCharsOneLine } from '../control-chars.ts';

const schema = z.object({
  set: z.string().regex(/^[0-9a-f]{24}$/i, 'expected a follow-up id (24 hex characters)').optional(),
  status: z.enum(['open', 'contacted', 'closed', 'all']).optional(),
  owner: z.string().max(200).optional(),
  note: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  format: z.enum(['table', 'json']).default('table'),
});

function line(f: FollowupView): string {
  const who = f.agentName ? `${f.agentName} (${f.agentId})` : f.agentId;
  const parts = [
    f.id, f.status.padEnd(9), `score ${f.score}`, f.channel, `agent ${who}`, f.link ?? f.conversationId,
    f.owner ? `owner ${f.owner}` : '', f.note ? `note "${f.note}"` : '', f.comment ? `comment "${f.comment.replace(/\s+/g, ' ').slice(0, 120)}"` : '',
  ];
  // Customer comments (and notes stored before they were cleaned) must not drive the terminal.
  return stripControlCharsOneLine(parts.filter(Boolean).join('  '));
}

export const command: Command = {
  describe: 'detractor follow-ups: nps-bot followups [--status open] | --set ID --status contacted|closed [--owner X] [--note "..."]',
  async run(args) {
    const { options } = parseOptions(args, schema);
    const out = (s: string): void => { process.stdout.write(`${s}\n`); };
    if (!options.set && (options.owner !== undefined || options.note !== undefined)) throw new ConfigError('--owner/--note: give the follow-up with --set ID');
    const cli = await openReportCli();
    try {
      await catchUp(cli);
      if (options.set) {
        if (options.status === 'all') throw new ConfigError('--status: expected open, contacted or closed with --set');
        let patch;
        try {
          patch = validate(followupPatchSchema, {
            ...(options.status ? { status: options.status } : {}),
            ...(options.owner !== undefined ? { owner: options.owner } : {}),
            ...(options.note !== undefined ? { note: options.note } : {}),
          });
        } catch (err) {
          if (err instanceof ValidationError) throw new ConfigError(err.field === 'body' ? `--set: ${err.message.replace(/^body: /, '')}` : `--${err.message}`);
          throw err;
        }
        const updated = await cli.followups.update(options.set, patch, EVERYTHING, new Date());
        if (!updated) {
          process.stderr.write(`nps-bot: no follow-up with id ${options.set}\n`);
          return 1;
        }
        out(options.format === 'json' ? JSON.stringify(updated) : line(updated));
        return 0;
      }
      const status = options.status ?? 'open';
      const page = await cli.followups.list({ status: status === 'all' ? undefined : status, scope: EVERYTHING, page: 1, limit: options.limit });
      if (options.format === 'json') {
        out(JSON.stringify(page));
      } else {
        out(`${page.total} ${status === 'all' ? '' : `${status} `}detractor follow-up(s)${page.total > page.followups.length ? `, newest ${page.followups.length} shown` : ''}`);
        for (const f of page.followups) out(line(f));
      }
      return 0;
    } finally {
      await cli.close();
    }
  },
};
