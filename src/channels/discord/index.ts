/** The discord channel: created from the settings, or null when DISCORD_TOKEN is unset. */
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { DiscordChannel } from './discord-channel.ts';
import type { DiscordSettings } from './discord-settings.ts';

export { DiscordChannel } from './discord-channel.ts';
export { readDiscordSettings, type DiscordSettings } from './discord-settings.ts';

export function fromConfig(config: { channels: { discord: DiscordSettings | null } }, logger: Logger): ChannelAdapter | null {
  const settings = config.channels.discord;
  return settings ? new DiscordChannel(settings, logger.child({ channel: 'discord' })) : null;
}
