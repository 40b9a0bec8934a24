/**
 * The Zendesk bridge (messaging through Sunshine Conversations): created from the
 * ZENDESK_* settings (docs/zendesk.md), or nothing when ZENDESK_URL is unset. One
 * channel per messaging channel behind Zendesk, so reports split NPS by the real one.
 */
import type { Logger } from '../../logger.ts';
import { BridgedChannel } from '../bridged-channel.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { ZendeskBridge } from './zendesk-bridge.ts';
import { ZENDESK_BASE_CHANNEL, ZENDESK_CHANNEL_KINDS, zendeskChannelName } from './zendesk-channel-names.ts';
import type { ZendeskSettings } from './zendesk-settings.ts';

export { ZendeskBridge } from './zendesk-bridge.ts';
export { readZendeskSettings, type ZendeskSettings } from './zendesk-settings.ts';

export function channelsFromConfig(config: { channels: { zendesk: ZendeskSettings | null } }, logger: Logger): ChannelAdapter[] {
  const settings = config.channels.zendesk;
  if (!settings) return [];
  const bridge = new ZendeskBridge(settings, logger.child({ channel: ZENDESK_BASE_CHANNEL }));
  return [ZENDESK_BASE_CHANNEL, ...ZENDESK_CHANNEL_KINDS.map(zendeskChannelName)].map((name) => new BridgedChannel(name, bridge));
}
