/**
 * The Freshchat bridge: created from the FRESHCHAT_* settings (docs/freshchat.md), or
 * nothing when FRESHCHAT_URL is unset. One channel per channel behind Freshchat.
 */
import type { Logger } from '../../logger.ts';
import { BridgedChannel } from '../bridged-channel.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { FreshchatBridge } from './freshchat-bridge.ts';
import { FRESHCHAT_BASE_CHANNEL, FRESHCHAT_CHANNEL_KINDS, freshchatChannelName } from './freshchat-channel-names.ts';
import type { FreshchatSettings } from './freshchat-settings.ts';

export { FreshchatBridge } from './freshchat-bridge.ts';
export { readFreshchatSettings, type FreshchatSettings } from './freshchat-settings.ts';

export function channelsFromConfig(config: { channels: { freshchat: FreshchatSettings | null } }, logger: Logger): ChannelAdapter[] {
  const settings = config.channels.freshchat;
  if (!settings) return [];
  const bridge = new FreshchatBridge(settings, logger.child({ channel: FRESHCHAT_BASE_CHANNEL }));
  return [FRESHCHAT_BASE_CHANNEL, ...FRESHCHAT_CHANNEL_KINDS.map(freshchatChannelName)].map((name) => new BridgedChannel(name, bridge));
}
