/**
 * One channel name per messaging channel behind Zendesk, from Sunshine Conversations'
 * `source.type` of the customer's messages, so reports split NPS by the real channel
 * (`zendesk:whatsapp`, `zendesk:instagram`, …). `zendesk:email` holds tickets that had
 * no messaging conversation (skipped, never asked).
 */
import { bridgedChannelNames } from '../bridged-channel-names.ts';

export const ZENDESK_BASE_CHANNEL = 'zendesk';

export const ZENDESK_CHANNEL_KINDS = [
  'web', 'ios', 'android', 'messenger', 'instagram', 'whatsapp', 'line', 'telegram', 'viber', 'wechat',
  'twitter', 'sms', 'apple', 'googlercs', 'kakao', 'api', 'email', 'other',
] as const;

export type ZendeskChannelKind = typeof ZENDESK_CHANNEL_KINDS[number];

/** Sunshine `source.type` values that are another name for one kind. */
const ALIASES: Readonly<Record<string, ZendeskChannelKind>> = {
  twilio: 'sms', messagebird: 'sms', mailgun: 'email', applebusinesschat: 'apple',
};

export function zendeskKind(sourceType: string | null | undefined): ZendeskChannelKind {
  const t = (sourceType ?? '').toLowerCase();
  if ((ZENDESK_CHANNEL_KINDS as readonly string[]).includes(t)) return t as ZendeskChannelKind;
  return ALIASES[t] ?? 'other';
}

export const { name: zendeskChannelName, kindOf: kindOfZendeskChannel } = bridgedChannelNames(ZENDESK_BASE_CHANNEL, ZENDESK_CHANNEL_KINDS);
