/**
 * The Chatwoot bridge: created from the settings (CHATWOOT_* variables, see
 * docs/chatwoot.md), or nothing when CHATWOOT_URL is unset. It registers one channel per
 * kind of Chatwoot inbox, so reports split NPS by the real channel.
 */
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { ChatwootBridge } from './chatwoot-bridge.ts';
import { ChatwootChannel } from './chatwoot-channel.ts';
import { CHATWOOT_BASE_CHANNEL, CHATWOOT_CHANNEL_KINDS, chatwootChannelName } from './chatwoot-channel-names.ts';
import type { ChatwootSettings } from './chatwoot-settings.ts';

export { ChatwootBridge } from './chatwoot-bridge.ts';
export { ChatwootChannel } from './chatwoot-channel.ts';
export { readChatwootSettings, type ChatwootSettings } from './chatwoot-settings.ts';

/** Every chatwoot channel (`chatwoot` and `chatwoot:<kind>`), or none when the bridge is off. */
export function channelsFromConfig(config: { channels: { chatwoot: ChatwootSettings | null } }, logger: Logger): ChannelAdapter[] {
  const settings = config.channels.chatwoot;
  if (!settings) return [];
  const bridge = new ChatwootBridge(settings, logger.child({ channel: CHATWOOT_BASE_CHANNEL }));
  return [CHATWOOT_BASE_CHANNEL, ...CHATWOOT_CHANNEL_KINDS.map(chatwootChannelName)].map((name) => new ChatwootChannel(name, bridge));
}
