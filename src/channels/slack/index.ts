/** The slack channel: created from the settings, or null when SLACK_BOT_TOKEN is unset. */
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { SlackChannel } from './slack-channel.ts';
import type { SlackSettings } from './slack-settings.ts';

export { SlackChannel } from './slack-channel.ts';
export { readSlackSettings, type SlackSettings } from './slack-settings.ts';

export function fromConfig(config: { channels: { slack: SlackSettings | null } }, logger: Logger): ChannelAdapter | null {
  const settings = config.channels.slack;
  if (!settings) return null;
  if (settings.careChannels.size === 0) logger.warn('SLACK_CARE_CHANNELS is empty: no Slack thread can be marked resolved until it is set');
  if (settings.staffIds.size === 0) logger.warn('SLACK_STAFF_IDS is empty: no one in Slack can mark a thread resolved until it is set');
  return new SlackChannel(settings, logger.child({ channel: 'slack' }));
}
