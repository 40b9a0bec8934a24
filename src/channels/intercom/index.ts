/**
 * The Intercom bridge: created from the INTERCOM_* settings (docs/intercom.md), or
 * nothing when INTERCOM_ACCESS_TOKEN is unset. One channel per channel behind Intercom.
 */
import type { Logger } from '../../logger.ts';
import { BridgedChannel } from '../bridged-channel.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { IntercomBridge } from './intercom-bridge.ts';
import { INTERCOM_BASE_CHANNEL, INTERCOM_CHANNEL_KINDS, intercomChannelName } from './intercom-channel-names.ts';
import type { IntercomSettings } from './intercom-settings.ts';

export { IntercomBridge } from './intercom-bridge.ts';
export { readIntercomSettings, type IntercomSettings } from './intercom-settings.ts';

export function channelsFromConfig(config: { channels: { intercom: IntercomSettings | null } }, logger: Logger): ChannelAdapter[] {
  const settings = config.channels.intercom;
  if (!settings) return [];
  const bridge = new IntercomBridge(settings, logger.child({ channel: INTERCOM_BASE_CHANNEL }));
  return [INTERCOM_BASE_CHANNEL, ...INTERCOM_CHANNEL_KINDS.map(intercomChannelName)].map((name) => new BridgedChannel(name, bridge));
}
