#!/usr/bin/env node
/**
 * `nps-bot <command>`: the one entry point. Each command lives in src/commands/ and is
 * loaded only when asked for, so `nps-bot parse` does not start a database driver.
 */
import { ConfigError } from './env-readers.ts';
import { DatabaseError } from './storage/connection.ts';

import type { Command } from './commands/command.ts';
import { commandHelp } from './commands/command-help.ts';

const commands: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./commands/start.ts')).command,
  demo: async () => (await import('./commands/demo.ts')).command,
  parse: async () => (await import('./commands/parse.ts')).command,
  report: async () => (await import('./commands/report.ts')).command,
  rollup: async () => (await import('./commands/rollup.ts')).command,
  followups: async () => (await import('./commands/followups.ts')).command,
  digest: async () => (await import('./commands/digest.ts')).command,
  forget: async () => (await import('./commands/forget.ts')).command,
  themes: async () => (await import('./commands/themes.ts')).command,
  migrate: async () => (await import('./commands/migrate.ts')).command,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write('usage: nps-bot <command> [options]\n\ncommands:\n');
    for (const [key, load] of Object.entries(commands)) process.stdout.write(`  ${key.padEnd(10)} ${(await load()).describe}\n`);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`nps-bot: unknown command "${name}" (try: nps-bot help)\n`);
    return 2;
  }
  const command = await load();
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(commandHelp(name, command));
    return 0;
  }
  return command.run(args);
}

// Exit explicitly once the command is done: a half-started component (a driver's
// timers, a platform socket) must never keep a finished or failed command alive.
main(process.argv.slice(2)).then(
  (code) => exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof DatabaseError) {
      process.stderr.write(`nps-bot: ${err.message}\n`);
    } else {
      process.stderr.write(`nps-bot: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    }
    exit(1);
  },
);

function exit(code: number): void {
  process.exitCode = code;
  // Let stdout/stderr drain before leaving.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
