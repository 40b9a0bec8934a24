/**
 * `nps-bot <command> --help` prints the command's options (it used to answer "Unknown
 * option '--help'"), and every option a command's parser accepts is in its help.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { z } from 'zod';
import type { Command } from '../../src/commands/command.ts';
import { commandHelp } from '../../src/commands/command-help.ts';

const COMMANDS = ['start', 'demo', 'parse', 'report', 'rollup', 'followups', 'digest', 'forget', 'themes', 'migrate'] as const;

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8', timeout: 60_000,
    // No database is needed for help: an unreachable one proves none is opened.
    env: { ...process.env, LOG_LEVEL: 'warn', MONGODB_URI: 'mongodb://127.0.0.1:9/' },
  });
}

describe('--help', () => {
  test('the command list names every command, migrate included', () => {
    const r = cli(['help']);
    assert.equal(r.status, 0, r.stderr);
    for (const name of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
  });

  test.each(COMMANDS)('%s: its help lists every option its parser accepts', async (name) => {
    const mod = await import(`../../src/commands/${name}.ts`) as { command: Command; optionSchemas?: () => z.ZodObject[] };
    const help = commandHelp(name, mod.command);
    assert.match(help, new RegExp(`^usage: nps-bot ${name}`));
    const flags = Object.keys(mod.command.options ?? {}).map((f) => f.split(' ')[0]);
    for (const flag of flags) assert.ok(help.includes(flag ?? ''));
    for (const schema of mod.optionSchemas?.() ?? []) {
      for (const key of Object.keys(schema.shape)) assert.ok(flags.includes(`--${key}`), `--${key} is missing from ${name}'s help`);
    }
  });

  test.each(['report', 'forget', 'migrate'])('nps-bot %s --help prints its options and exits 0 without a database', (name) => {
    const r = cli([name, '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^usage: nps-bot ${name} \\[options\\]`));
  });

  test('report --help shows its real options', () => {
    const r = cli(['report', '--help']);
    for (const flag of ['--by', '--period', '--from', '--to', '--format', '--channel', '--agent']) assert.ok(r.stdout.includes(flag), flag);
  });
});
