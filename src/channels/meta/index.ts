/**
 * The Meta channels, straight to the Graph API: `messenger`, `instagram` and
 * `whatsapp`, each on when its access token is set (see meta-settings.ts and
 * docs/meta.md). Resolutions come from `POST /api/resolutions` (Meta has no "resolved"
 * event) or from a Chatwoot inbox in front of them (src/channels/chatwoot).
 */
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { MessagingChannel } from './messaging-channel.ts';
import type { InstagramSettings, MessengerSettings, WhatsAppSettings } from './meta-settings.ts';
import { WhatsAppChannel } from './whatsapp-channel.ts';

export { MessagingChannel, MESSENGER_WEBHOOK_PATH, INSTAGRAM_WEBHOOK_PATH } from './messaging-channel.ts';
export { WhatsAppChannel, WHATSAPP_WEBHOOK_PATH } from './whatsapp-channel.ts';
export { readInstagramSettings, readMessengerSettings, readWhatsAppSettings } from './meta-settings.ts';

/** The parsed settings of the three Meta channels, and how long a question stays open. */
export interface MetaChannelsConfig {
  channels: { messenger: MessengerSettings | null; instagram: InstagramSettings | null; whatsapp: WhatsAppSettings | null };
  expireMs: number;
}

/** Every Meta channel whose settings are present (none, one, two or three). */
export function channelsFromConfig(config: MetaChannelsConfig, logger: Logger): ChannelAdapter[] {
  const channels: ChannelAdapter[] = [];
  const expireDays = Math.ceil(config.expireMs / 86_400_000);
  const { messenger, instagram, whatsapp } = config.channels;
  if (messenger) channels.push(new MessagingChannel('messenger', messenger, logger.child({ channel: 'messenger' }), { expireDays }));
  if (instagram) channels.push(new MessagingChannel('instagram', instagram, logger.child({ channel: 'instagram' })));
  if (whatsapp) channels.push(new WhatsAppChannel(whatsapp, logger.child({ channel: 'whatsapp' })));
  return channels;
}
