/** `nps-bot start`: run the bot until SIGINT/SIGTERM, then shut down cleanly. */
import { startApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import type { Command } from './command.ts';

export const command: Command = {
  describe: 'run the bot (HTTP API, channels, scheduler); uses an embedded MongoDB when MONGODB_URI is unset',
  options: {},
  async run() {
    const config = loadConfig();
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
