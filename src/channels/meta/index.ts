/**
 * The Meta channels, straight to the Graph API: `messenger`, `instagram` and
 * `whatsapp`, each on when its access token is set (see meta-settings.ts and
 * docs/meta.md). Resolutions come from `POST /api/resolutions` (Meta has no "resolved"
 * event) or from a Chatwoot inbox in front of them (src/channels/chatwoot).
 */
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter } from '../../conversation/channel-contract/channel.ts';
import { MessagingChannel } from './messaging-channel.ts';
import { readInstagramSettings, readMessengerSettings, readWhatsAppSettings } from './meta-settings.ts';
import { WhatsAppChannel } from './whatsapp-channel.ts';

export { MessagingChannel, MESSENGER_WEBHOOK_PATH, INSTAGRAM_WEBHOOK_PATH } from './messaging-channel.ts';
export { WhatsAppChannel, WHATSAPP_WEBHOOK_PATH } from './whatsapp-channel.ts';
export { readInstagramSettings, readMessengerSettings, readWhatsAppSettings } from './meta-settings.ts';

/** Every Meta channel whose settings are present (none, one, two or three). */
export function channelsFromConfig(config: Config, logger: Logger): ChannelAdapter[] {
  const channels: ChannelAdapter[] = [];
  const expireDays = Math.ceil(config.expireMs / 86_400_000);
  const messenger = readMessengerSettings(config.env);
  if (messenger) channels.push(new MessagingChannel('messenger', messenger, logger.child({ channel: 'messenger' }), { expireDays }));
  const instagram = readInstagramSettings(config.env);
  if (instagram) channels.push(new MessagingChannel('instagram', instagram, logger.child({ channel: 'instagram' })));
  const whatsapp = readWhatsAppSettings(config.env);
  if (whatsapp) channels.push(new WhatsAppChannel(whatsapp, logger.child({ channel: 'whatsapp' })));
  return channels;
}
