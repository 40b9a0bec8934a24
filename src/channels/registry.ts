/**
 * Which channels run, decided from the settings: a channel is on when its credentials
 * are set. Each platform reads its own settings (and fails with a clear line).
 */
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { ChannelAdapter } from '../conversation/channel-contract/channel.ts';
import { WebhookChannel } from './webhook-channel.ts';
import * as slack from './slack/index.ts';
import * as discord from './discord/index.ts';
import * as x from './x/index.ts';
import * as meta from './meta/index.ts';
import * as chatwoot from './chatwoot/index.ts';
import * as telegram from './telegram/index.ts';
import * as zendesk from './zendesk/index.ts';
import * as intercom from './intercom/index.ts';
import * as freshchat from './freshchat/index.ts';

export function createChannels(config: Config, logger: Logger): ChannelAdapter[] {
  const channels: ChannelAdapter[] = [];
  if (config.webhook) channels.push(new WebhookChannel(config.webhook));
  // Platform channels: each returns null when its settings are absent.
  const fromEnv: Array<(c: Config, l: Logger) => ChannelAdapter | null> = [slack.fromConfig, discord.fromConfig, x.fromConfig, telegram.fromConfig];
  for (const make of fromEnv) {
    const channel = make(config, logger);
    if (channel) channels.push(channel);
  }
  // Meta (messenger, instagram, whatsapp) and Chatwoot (one channel per inbox kind) may each add several.
  channels.push(...meta.channelsFromConfig(config, logger), ...chatwoot.channelsFromConfig(config, logger));
  // Helpdesk bridges: one channel per channel behind the helpdesk (zendesk:whatsapp, …).
  channels.push(...zendesk.channelsFromConfig(config, logger), ...intercom.channelsFromConfig(config, logger), ...freshchat.channelsFromConfig(config, logger));
  return channels;
}
