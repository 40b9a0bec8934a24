/** `nps-bot forget --channel C --customer ID`: erase a customer's identity and comments, keep counts. */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { connectDatabase } from '../storage/connection.ts';
import { forgetCustomer } from '../forget.ts';
import { createLogger } from '../logger.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';

const schema = z.object({
  channel: z.string({ message: 'is required' }).regex(/^[a-z][a-z0-9_-]{0,31}$/, 'expected a channel name like slack'),
  customer: z.string({ message: 'is required' }).min(1, 'is required').max(256),
});

export const command: Command = {
  describe: 'erase a customer: nps-bot forget --channel slack --customer U123 (counts stay, opt-out kept as a hash)',
  async run(args) {
    const { options } = parseOptions(args, schema);
    const config = loadConfig();
    const db = await connectDatabase(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel));
    try {
      const result = await forgetCustomer(db.conn, options.channel, options.customer);
      process.stdout.write(`${JSON.stringify({ channel: options.channel, ...result })}\n`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
