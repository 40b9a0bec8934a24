/**
 * One channel name per channel behind Intercom, from the conversation's `source.type`
 * (`conversation` is the Intercom Messenger), so reports split NPS by the real channel.
 */
import { bridgedChannelNames } from '../bridged-channel-names.ts';

export const INTERCOM_BASE_CHANNEL = 'intercom';

export const INTERCOM_CHANNEL_KINDS = ['messenger', 'email', 'facebook', 'instagram', 'whatsapp', 'sms', 'twitter', 'phone', 'other'] as const;

export type IntercomChannelKind = typeof INTERCOM_CHANNEL_KINDS[number];

const BY_SOURCE: Readonly<Record<string, IntercomChannelKind>> = {
  conversation: 'messenger', push: 'messenger', chat: 'messenger', email: 'email', facebook: 'facebook', instagram: 'instagram',
  whatsapp: 'whatsapp', sms: 'sms', twitter: 'twitter', phone_call: 'phone', phone_switch: 'phone',
};

export function intercomKind(sourceType: string | null | undefined): IntercomChannelKind {
  return BY_SOURCE[(sourceType ?? '').toLowerCase()] ?? 'other';
}

export const { name: intercomChannelName, kindOf: kindOfIntercomChannel } = bridgedChannelNames(INTERCOM_BASE_CHANNEL, INTERCOM_CHANNEL_KINDS);
