/**
 * `nps-bot forget --channel C --customer ID`: erase a customer's identity and comments,
 * cancel what was not sent yet, keep counts. Prints one JSON line; alerts already posted
 * to managers that quoted the customer are listed there and on stderr, to delete by hand.
 */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { connectDatabase } from '../storage/connection.ts';
import { forgetCustomer } from '../forget.ts';
import { stageSurveyEvents } from '../storage/surveys/index.ts';
import { createLogger } from '../logger.ts';
import { useOptOutKeySecret } from '../conversation/opt-out-model.ts';
import { channelNameSchema } from '../conversation/inbound-validation.ts';
import { parseOptions } from './cli-args.ts';
import { ConfigError } from '../env-readers.ts';
import { ValidationError } from '../validation.ts';
import { createChannels } from '../channels/registry.ts';
import type { Command } from './command.ts';

const schema = z.object({
  channel: z.string({ message: 'is required' }).pipe(channelNameSchema),
  customer: z.string({ message: 'is required' }).min(1, 'is required').max(256),
});

export const optionSchemas = () => [schema];

export const command: Command = {
  describe: 'erase a customer: nps-bot forget --channel slack --customer U123 (counts stay, open surveys cancelled, opt-out kept as a keyed hash)',
  options: {
    '--channel NAME': 'the customer\'s channel (required), e.g. slack',
    '--customer ID': 'the customer\'s id on that channel (required)',
  },
  async run(args) {
    const { options } = parseOptions(args, schema);
    const config = loadConfig();
    useOptOutKeySecret(config.optOutKeySecret);
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
    const db = await connectDatabase(config, logger);
    // With SURVEY_EVENTS_URL set, receivers are told (survey.forgotten); the bot's relay delivers it.
    if (config.surveyEvents) stageSurveyEvents(db.conn, true);
    try {
      // The adapter owns the keys of its shared state (X: open conversations, signed agents); it is built, not started.
      const adapter = createChannels(config, logger).find((c) => c.name === options.channel) ?? null;
      const result = await forgetCustomer(db.conn, options.channel, options.customer, undefined, { adapter }).catch((err: unknown) => {
        // A customer id its channel could never have (a Slack "casey", a WhatsApp "+46 70…x"): one line, no stack.
        throw err instanceof ValidationError ? new ConfigError(`--${err.message}`) : err;
      });
      process.stdout.write(`${JSON.stringify({ channel: options.channel, ...result })}\n`);
      for (const a of result.alertsPosted) {
        process.stderr.write(`nps-bot forget: delete by hand the detractor alert posted ${a.postedAt} to ${a.postedTo ?? 'the ALERT_TARGET of that time'} (follow-up ${a.followupId}): it quoted the customer\n`);
      }
      if (result.channelState === 'not-configured') {
        process.stderr.write(`nps-bot forget: the ${options.channel} channel is not configured here, so what it keeps in its shared state was not erased: run the command again with its settings\n`);
      }
      if (result.unfinished > 0) {
        process.stderr.write(`nps-bot forget: ${result.unfinished} record(s) kept changing while being erased: run the command again\n`);
        return 1;
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};
