/**
 * `nps-bot themes` lists the comment themes in use (the defaults merged with
 * CONFIG_FILE's `themes`); `--retag` re-tags every stored comment with them, which is
 * what to run after changing the list; `--try "text" [--locale sv]` shows how one
 * comment is tagged, without touching the database.
 */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { openReportCli } from '../reports/index.ts';
import { resolveThemes, createThemeTagger, ThemeTagging } from '../reports/themes/index.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';

const schema = z.object({
  retag: z.boolean().optional(),
  try: z.string().max(5000, 'must be at most 5000 characters').optional(),
  locale: z.string().regex(/^[a-z]{2}(-[A-Za-z]{2})?$/, 'expected a locale such as en, sv, de, fi or pl').default('en'),
  format: z.enum(['table', 'json']).default('table'),
});

export const optionSchemas = () => [schema];

export const command: Command = {
  describe: 'comment themes: nps-bot themes [--format json] | --retag (after changing the list) | --try "text" [--locale sv]',
  options: {
    '--retag': 'tag every stored comment again (after changing the theme list)',
    '--try TEXT': 'show the themes found in TEXT',
    '--locale en|sv|da|nb': 'with --try: the language of TEXT (default en)',
    '--format table|json': 'output format (default table)',
  },
  async run(args) {
    const { options } = parseOptions(args, schema, ['retag']);
    const out = (s: string): void => { process.stdout.write(`${s}\n`); };
    if (options.try !== undefined) {
      const tagger = createThemeTagger(resolveThemes(loadConfig().themeOverrides));
      out(JSON.stringify({ locale: options.locale, themes: tagger.tag(options.try, options.locale) }));
      return 0;
    }
    if (!options.retag) {
      const themes = resolveThemes(loadConfig().themeOverrides);
      if (options.format === 'json') out(JSON.stringify(themes));
      else for (const t of themes) out(`${t.id.padEnd(14)} ${t.label}\n${Object.entries(t.words).map(([lang, words]) => `  ${lang}: ${words.join(', ')}`).join('\n')}`);
      return 0;
    }
    const cli = await openReportCli(loadConfig());
    try {
      const tagging = ThemeTagging.forConfig(cli.db.conn, cli.config, cli.logger);
      const result = await tagging.retag((r) => { if (r.read % 5000 === 0) process.stderr.write(`… ${r.read} comments read\n`); });
      out(options.format === 'json' ? JSON.stringify(result) : `re-tagged: ${result.read} comments read, ${result.changed} changed`);
      return 0;
    } finally {
      await cli.close();
    }
  },
};
