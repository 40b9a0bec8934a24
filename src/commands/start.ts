/** `nps-bot start`: run the bot until SIGINT/SIGTERM, then shut down cleanly. */
import { startApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { ConfigError } from '../env-readers.ts';
import { createLogger } from '../logger.ts';
import type { Command } from './command.ts';
import { localKeySecret } from './local-key-secret.ts';

export const command: Command = {
  describe: 'run the bot (HTTP API, channels, scheduler); needs OPT_OUT_KEY_SECRET with MONGODB_URI; uses an embedded MongoDB (and a local key) when MONGODB_URI is unset',
  options: {},
  async run() {
    let config = loadConfig();
    const logger = createLogger(config.logLevel);
    // Opt-outs of forgotten customers and relationship survey ids are keyed with it: a public key would make both reversible.
    if (!config.optOutKeySecret && !config.mongodbUri) {
      // The first run on the embedded database: a key of its own, kept beside its data.
      const local = localKeySecret(config.dataDir);
      if (local.created) logger.warn({ file: `${config.dataDir}/opt-out-key-secret` }, 'OPT_OUT_KEY_SECRET is not set: made a local one for the embedded database; set your own before you use a real MongoDB');
      config = { ...config, optOutKeySecret: local.secret };
    }
    if (!config.optOutKeySecret) {
      throw new ConfigError('OPT_OUT_KEY_SECRET: required to run the bot with MONGODB_URI (nps-bot demo runs without it): at least 32 random characters, kept for good (it is not set)');
    }
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
