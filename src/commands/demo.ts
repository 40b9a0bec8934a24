/**
 * `nps-bot demo`: a whole survey in the terminal. A care conversation is resolved on
 * the console channel, the bot asks the question, you type the customer's replies,
 * and the stored survey and the NPS report are printed at the end.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { startApp } from '../app.ts';
import { ConsoleChannel } from '../channels/console-channel.ts';
import { loadConfig } from '../config.ts';
import { LOCALES } from '../conversation/templates.ts';
import { createLogger } from '../logger.ts';
import { dayRange, npsReport } from '../reports/index.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';

export const optionSchemas = () => [schema];

const schema = z.object({
  locale: z.enum(LOCALES).optional(),
  name: z.string().max(80).default('Alex'),
  agent: z.string().max(80).default('Anna'),
});

const FINAL = new Set(['completed', 'opted-out', 'gave-up']);

export const command: Command = {
  describe: `play a resolved conversation in the terminal and answer as the customer (--locale ${LOCALES.join('|')}, --name, --agent)`,
  options: {
    [`--locale ${LOCALES.join('|')}`]: 'the customer\'s language (default DEFAULT_LOCALE)',
    '--name NAME': 'the customer\'s name (default Alex)',
    '--agent NAME': 'the agent who resolved the conversation (default Anna)',
  },
  async run(args) {
    const { options } = parseOptions(args, schema);
    const config = { ...loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' }), fatigueMs: 0, askDelayMs: 0 };
    const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
    const out = (l: string) => process.stdout.write(`${l}\n`);
    const app = await startApp({ config, logger, channels: [new ConsoleChannel(out)], schedule: false });
    try {
      const id = randomBytes(3).toString('hex');
      const customerId = `demo-${id}`;
      out(`A care conversation with ${options.name} was resolved by ${options.agent} on the console channel.`);
      // The engine itself, not the app's sink (which asks in the background): the question is
      // stored before the first typed line is read, as it would be long before a person answers.
      const outcome = await app.engine.resolved({
        channel: 'console',
        conversationId: `demo-conversation-${id}`,
        customer: { id: customerId, name: options.name, locale: options.locale ?? config.defaultLocale },
        agent: { id: options.agent.toLowerCase(), name: options.agent },
      });
      await app.engine.askNow(outcome.surveyId);
      out(`\nType the customer's replies (e.g. "9", "åtta", "8/10 quick answer", "stop"). Ctrl-D ends.`);
      const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
      process.stdout.write(`${options.name}> `);
      for await (const text of rl) {
        const reply = await app.sink.message({ channel: 'console', customerId, text });
        if (reply.status === 'ignored') out('(no open survey: the bot leaves this message alone)');
        if (FINAL.has(reply.status)) break;
        process.stdout.write(`${options.name}> `);
      }
      rl.close();
      const survey = await app.surveys.byId(outcome.surveyId);
      out('\nStored survey:');
      out(JSON.stringify({
        state: survey?.state, score: survey?.score ?? null, category: survey?.category ?? null,
        comment: survey?.comment ?? null, channel: survey?.channel, agent: survey?.agent?.id,
      }, null, 2));
      const range = dayRange(undefined, undefined);
      for (const by of ['channel', 'agent'] as const) {
        const rows = await npsReport(app.conn, { by, ...range });
        out(`\nNPS by ${by} (transactional, last 30 days):`);
        for (const r of rows) out(`  ${(r.channel ?? r.agentId ?? '').padEnd(12)} nps=${r.nps ?? '–'}  responses=${r.responses}/${r.sent} sent`);
      }
      return 0;
    } finally {
      await app.stop();
    }
  },
};
