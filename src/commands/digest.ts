/**
 * `nps-bot digest`: compose last week's digest and post it now to DIGEST_TARGET (or
 * `--target channel:id`); with neither, or with `--print`, print it instead. A manual
 * digest is not claimed, so it never stops the scheduled one.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { ChannelAdapter, EngineSink } from '../conversation/channel-contract/channel.ts';
import { createChannels } from '../channels/registry.ts';
import { PermanentSendError, TransientSendError } from '../conversation/channel-contract/send-errors.ts';
import { ConfigError } from '../env-readers.ts';
import { MongoChannelStateStore } from '../shared-state/channel-state-store.ts';
import { Digests } from '../reports/digest/index.ts';
import { readDigestTarget, catchUp, checkRollupZone, openReportCli, type Notice as ReportNotice, type NoticeTarget } from '../reports/index.ts';
import { loadConfig } from '../config.ts';
import { parseOptions } from './cli-args.ts';
import type { Command } from './command.ts';
import { forTerminal } from './terminal-output.ts';

const schema = z.object({
  target: z.string().optional(),
  print: z.boolean().optional(),
});

/** This process only posts; events a channel receives meanwhile are refused (the platform redelivers them to the bot). */
const refusingSink: EngineSink = {
  async resolved() { throw new Error('this nps-bot process only posts a digest'); },
  async message() { throw new Error('this nps-bot process only posts a digest'); },
};

async function postVia(adapter: ChannelAdapter, target: NoticeTarget, notice: ReportNotice, cli: { logger: import('../logger.ts').Logger; db: { conn: import('mongoose').Connection } }): Promise<void> {
  try {
    await adapter.post(target.channelId, notice);
    return;
  } catch (err) {
    if (err instanceof PermanentSendError || err instanceof TransientSendError) throw err;
    // Some adapters (Discord) need their client started before they can post.
  }
  // The channel's shared state too: a digest DM on X counts against the bot's daily caps.
  await adapter.start({ sink: refusingSink, logger: cli.logger.child({ channel: adapter.name }), http: Router(), state: new MongoChannelStateStore(cli.db.conn, adapter.name) });
  try {
    await adapter.post(target.channelId, notice);
  } finally {
    await adapter.stop().catch(() => undefined);
  }
}

export const optionSchemas = () => [schema];

export const command: Command = {
  describe: 'post last week\'s NPS digest now: nps-bot digest [--target slack:C0123] [--print]',
  options: {
    '--target CHANNEL:ID': 'where to post it (default DIGEST_TARGET), e.g. slack:C0123',
    '--print': 'print the digest instead of posting it',
  },
  async run(args) {
    const { options } = parseOptions(args, schema, ['print']);
    const override = options.target ? readDigestTarget(options.target) : undefined;
    const cli = await openReportCli(loadConfig());
    try {
      const target = options.print ? undefined : override ?? cli.settings.digest.target;
      await checkRollupZone(cli);
      await catchUp(cli);
      const digests = new Digests({
        conn: cli.db.conn,
        settings: cli.settings,
        followups: cli.followups,
        logger: cli.logger,
        now: () => new Date(),
        post: async (t, notice) => {
          const adapter = createChannels(cli.config, cli.logger).find((c) => c.name === t.channel);
          if (!adapter) throw new ConfigError(`DIGEST_TARGET: the ${t.channel} channel is not configured (set its credentials)`);
          await postVia(adapter, t, notice, cli);
        },
      });
      const { notice, posted } = await digests.postNow(target);
      if (posted && target) process.stdout.write(`digest posted to ${target.channel}:${target.channelId}\n`);
      else process.stdout.write(`${forTerminal(notice.text)}\n${target ? '' : '(not posted: set DIGEST_TARGET or use --target channel:id)\n'}`);
      return 0;
    } finally {
      await cli.close();
    }
  },
};
