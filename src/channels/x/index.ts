/**
 * The x channel: created from the settings (X_* variables, see docs/x.md), or null
 * when X_CONSUMER_KEY is unset.
 */
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { XChannel } from './x-channel.ts';
import { readXSettings } from './x-settings.ts';

export { XChannel, type XChannelOptions } from './x-channel.ts';
export { readXSettings, type XSettings } from './x-settings.ts';

export function fromConfig(config: Config, logger: Logger): ChannelAdapter | null {
  const settings = readXSettings(config.env);
  return settings ? new XChannel(settings, logger) : null;
}
