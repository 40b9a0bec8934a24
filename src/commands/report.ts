/** `nps-bot report`: NPS by channel and by agent for a date range (table or JSON). */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { connectDatabase } from '../database.ts';
import { createLogger } from '../logger.ts';
import { dayRange, npsReport } from '../reports/nps-report.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const schema = z.object({
  by: z.enum(['channel', 'agent', 'channel,agent']).default('channel'),
  from: day.optional(),
  to: day.optional(),
  format: z.enum(['table', 'json']).default('table'),
});

export const command: Command = {
  describe: 'NPS by channel and agent: nps-bot report --by channel|agent|channel,agent --from YYYY-MM-DD --to YYYY-MM-DD --format table|json',
  async run(args) {
    const { options } = parseOptions(args, schema);
    const config = loadConfig();
    const db = await connectDatabase(config, createLogger('warn'));
    try {
      const range = dayRange(options.from, options.to);
      const rows = await npsReport(db.conn, { by: options.by, ...range });
      if (options.format === 'json') {
        process.stdout.write(`${JSON.stringify({ type: 'transactional', rows })}\n`);
      } else {
        process.stdout.write('Transactional NPS (after care conversations)\n');
        for (const r of rows) process.stdout.write(`${[r.channel, r.agentId].filter(Boolean).join(' / ').padEnd(24)} nps ${String(r.nps ?? '–').padStart(4)}  responses ${r.responses}  sent ${r.sent}\n`);
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};
