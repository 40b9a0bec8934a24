/**
 * Which channels run, decided from the settings: a channel is on when its credentials
 * are set. Every platform's settings were read and checked already (channel-settings.ts,
 * at start-up); each adapter is built from its parsed settings.
 */
import type { Logger } from '../logger.ts';
import type { ChannelAdapter } from '../conversation/channel-contract/channel.ts';
import { WebhookChannel, type WebhookChannelOptions } from './webhook-channel.ts';
import type { ChannelSettings } from './channel-settings.ts';
import * as slack from './slack/index.ts';
import * as discord from './discord/index.ts';
import * as x from './x/index.ts';
import * as meta from './meta/index.ts';
import * as chatwoot from './chatwoot/index.ts';
import * as telegram from './telegram/index.ts';
import * as zendesk from './zendesk/index.ts';
import * as intercom from './intercom/index.ts';
import * as freshchat from './freshchat/index.ts';

/** What the channels are built from (the app's Config has these fields). */
export interface ChannelsConfig {
  channels: ChannelSettings;
  webhook?: WebhookChannelOptions;
  /** How long a question stays open (Messenger's message tag window depends on it). */
  expireMs: number;
}

export function createChannels(config: ChannelsConfig, logger: Logger): ChannelAdapter[] {
  const channels: ChannelAdapter[] = [];
  if (config.webhook) channels.push(new WebhookChannel(config.webhook));
  // Platform channels: each returns null when its settings are absent.
  const fromSettings: Array<(c: ChannelsConfig, l: Logger) => ChannelAdapter | null> = [slack.fromConfig, discord.fromConfig, x.fromConfig, telegram.fromConfig];
  for (const make of fromSettings) {
    const channel = make(config, logger);
    if (channel) channels.push(channel);
  }
  // Meta (messenger, instagram, whatsapp) and Chatwoot (one channel per inbox kind) may each add several.
  channels.push(...meta.channelsFromConfig(config, logger), ...chatwoot.channelsFromConfig(config, logger));
  // Helpdesk bridges: one channel per channel behind the helpdesk (zendesk:whatsapp, …).
  channels.push(...zendesk.channelsFromConfig(config, logger), ...intercom.channelsFromConfig(config, logger), ...freshchat.channelsFromConfig(config, logger));
  return channels;
}
