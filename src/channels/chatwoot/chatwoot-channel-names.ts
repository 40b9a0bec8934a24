/**
 * One channel name per kind of Chatwoot inbox, so reports split NPS by the real channel
 * the customer used (`chatwoot:whatsapp`, `chatwoot:facebook`, …) instead of one lump.
 * Chatwoot names the inbox type in `conversation.channel` (`Channel::Whatsapp`, …).
 */
import { bridgedChannelNames } from '../bridged-channel-names.ts';

export const CHATWOOT_CHANNEL_KINDS = [
  'web', 'facebook', 'instagram', 'whatsapp', 'sms', 'email', 'api', 'telegram', 'line', 'twitter', 'tiktok', 'other',
] as const;

export type ChatwootChannelKind = typeof CHATWOOT_CHANNEL_KINDS[number];

/** `chatwoot` alone: notices (ALERT_TARGET=chatwoot:<conversation id>) and API resolutions that do not say the kind. */
export const CHATWOOT_BASE_CHANNEL = 'chatwoot';

const BY_TYPE: Readonly<Record<string, ChatwootChannelKind>> = {
  'Channel::WebWidget': 'web',
  'Channel::FacebookPage': 'facebook',
  'Channel::Instagram': 'instagram',
  'Channel::Whatsapp': 'whatsapp',
  'Channel::Sms': 'sms',
  'Channel::TwilioSms': 'sms',
  'Channel::Email': 'email',
  'Channel::Api': 'api',
  'Channel::Telegram': 'telegram',
  'Channel::Line': 'line',
  'Channel::TwitterProfile': 'twitter',
  'Channel::Tiktok': 'tiktok',
};

export interface ChannelHints {
  /** `conversation.channel`, e.g. `Channel::Whatsapp`. */
  channelType?: string | null;
  /** `conversation.additional_attributes.type`: Instagram DMs through a Facebook page inbox say `instagram_direct_message`. */
  conversationType?: unknown;
  /** `contact_inbox.source_id`: Twilio's WhatsApp numbers are `whatsapp:+…`. */
  sourceId?: string | null;
}

export function chatwootKind(h: ChannelHints): ChatwootChannelKind {
  const type = h.channelType ?? '';
  if (type === 'Channel::FacebookPage' && h.conversationType === 'instagram_direct_message') return 'instagram';
  if (type === 'Channel::TwilioSms' && typeof h.sourceId === 'string' && h.sourceId.startsWith('whatsapp:')) return 'whatsapp';
  return BY_TYPE[type] ?? 'other';
}

/** `chatwoot:whatsapp` → `whatsapp`; `chatwoot` → null. */
export const { name: chatwootChannelName, kindOf: kindOfChannel } = bridgedChannelNames(CHATWOOT_BASE_CHANNEL, CHATWOOT_CHANNEL_KINDS);
