/** `nps-bot <name> --help`: what the command does and every option it takes. */
import type { Command } from './command.ts';

export function commandHelp(name: string, command: Command): string {
  const options = Object.entries(command.options ?? {});
  const width = Math.max('--help'.length, ...options.map(([flag]) => flag.length));
  return [
    `usage: nps-bot ${name}${options.length ? ' [options]' : ''}`,
    '',
    command.describe,
    '',
    'options:',
    ...options.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`),
    `  ${'--help'.padEnd(width)}  this text`,
    '',
  ].join('\n');
}
