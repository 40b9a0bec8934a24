/**
 * `nps-bot parse "<text>"` prints how the bot reads a reply, as one JSON line:
 * `{"score": <0..10 or null>, "optOut": <bool>, "comment": ..., "reason": ...}`.
 * With no argument, one JSON line per line of standard input.
 */
import { createInterface } from 'node:readline';
import { parseReply } from '../conversation/reply-parser.ts';
import type { Command } from './command.ts';

function line(text: string): string {
  const r = parseReply(text);
  return JSON.stringify({ score: r.score, optOut: r.optOut, comment: r.comment, ...(r.reason ? { reason: r.reason } : {}) });
}

export const command: Command = {
  describe: 'show how a reply is read: nps-bot parse "9 - great help" (or lines on stdin)',
  options: {
    '"<text>"': 'the reply to read; with no text, every line of standard input is read',
  },
  async run(args) {
    if (args.length > 0) {
      process.stdout.write(`${line(args.join(' '))}\n`);
      return 0;
    }
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const text of rl) process.stdout.write(`${line(text)}\n`);
    return 0;
  },
};
