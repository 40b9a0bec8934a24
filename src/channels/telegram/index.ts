/**
 * The telegram channel (grammY): created from the settings (TELEGRAM_* variables, see
 * docs/telegram.md), or null when TELEGRAM_BOT_TOKEN is unset.
 */
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { TelegramChannel } from './telegram-channel.ts';
import type { TelegramSettings } from './telegram-settings.ts';

export { TelegramChannel, TELEGRAM_CHANNEL, ALLOWED_UPDATES } from './telegram-channel.ts';
export { readTelegramSettings, type TelegramSettings } from './telegram-settings.ts';
export { TELEGRAM_WEBHOOK_PATH, TELEGRAM_SECRET_HEADER } from './telegram-webhook-routes.ts';

export function fromConfig(config: { channels: { telegram: TelegramSettings | null } }, logger: Logger): ChannelAdapter | null {
  const settings = config.channels.telegram;
  return settings ? new TelegramChannel(settings, logger.child({ channel: 'telegram' })) : null;
}
