/** `nps-bot start`: run the bot until SIGINT/SIGTERM, then shut down cleanly. */
import { startApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { ConfigError } from '../env-readers.ts';
import { createLogger } from '../logger.ts';
import type { Command } from './command.ts';

export const command: Command = {
  describe: 'run the bot (HTTP API, channels, scheduler); needs OPT_OUT_KEY_SECRET; uses an embedded MongoDB when MONGODB_URI is unset',
  options: {},
  async run() {
    const config = loadConfig();
    // Opt-outs of forgotten customers and relationship survey ids are keyed with it: a public key would make both reversible.
    if (!config.optOutKeySecret) {
      throw new ConfigError('OPT_OUT_KEY_SECRET: required to run the bot (nps-bot demo runs without it): at least 32 random characters, kept for good (it is not set)');
    }
    const logger = createLogger(config.logLevel);
    const app = await startApp({ config, logger });
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        app.stop().catch((err) => logger.error({ err }, 'shutdown failed')).finally(resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  },
};
