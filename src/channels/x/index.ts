/**
 * The x channel: created from the settings (X_* variables, see docs/x.md), or null
 * when X_CONSUMER_KEY is unset.
 */
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { XChannel } from './x-channel.ts';
import type { XSettings } from './x-settings.ts';

export { XChannel, type XChannelOptions } from './x-channel.ts';
export { readXSettings, type XSettings } from './x-settings.ts';

export function fromConfig(config: { channels: { x: XSettings | null } }, logger: Logger): ChannelAdapter | null {
  const settings = config.channels.x;
  return settings ? new XChannel(settings, logger) : null;
}
