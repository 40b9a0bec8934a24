/**
 * One channel name per channel behind Freshchat, from the `message_source` of the
 * customer's messages, so reports split NPS by the real channel (`freshchat:whatsapp`, …).
 */
import { bridgedChannelNames } from '../bridged-channel-names.ts';

export const FRESHCHAT_BASE_CHANNEL = 'freshchat';

export const FRESHCHAT_CHANNEL_KINDS = ['web', 'mobile', 'whatsapp', 'facebook', 'instagram', 'apple', 'line', 'telegram', 'sms', 'email', 'other'] as const;

export type FreshchatChannelKind = typeof FRESHCHAT_CHANNEL_KINDS[number];

const ALIASES: Readonly<Record<string, FreshchatChannelKind>> = { ios: 'mobile', android: 'mobile', messenger: 'facebook', fb: 'facebook', abc: 'apple', apple_business_chat: 'apple' };

export function freshchatKind(source: string | null | undefined): FreshchatChannelKind {
  const s = (source ?? '').toLowerCase();
  if ((FRESHCHAT_CHANNEL_KINDS as readonly string[]).includes(s)) return s as FreshchatChannelKind;
  return ALIASES[s] ?? 'other';
}

export const { name: freshchatChannelName, kindOf: kindOfFreshchatChannel } = bridgedChannelNames(FRESHCHAT_BASE_CHANNEL, FRESHCHAT_CHANNEL_KINDS);
