/**
 * Which canonicaliser a channel's customer ids go through, by channel name, without
 * starting the channel (the CLI's `forget` runs with no platform settings). Each
 * adapter's `canonicalCustomerId` uses the same function, so the API, the webhooks and
 * the CLI agree on one form per platform.
 */
import { canonicalChatwootContactId } from './chatwoot/chatwoot-ids.ts';
import { canonicalDiscordUserId } from './discord/discord-ids.ts';
import { canonicalMetaUserId, canonicalWhatsAppId } from './meta/meta-ids.ts';
import { canonicalSlackUserId } from './slack/slack-ids.ts';
import { canonicalXUserId } from './x/x-ids.ts';

export type CustomerIdCanonicaliser = (id: string) => string | null;

const BY_CHANNEL: Record<string, CustomerIdCanonicaliser> = {
  slack: canonicalSlackUserId,
  discord: canonicalDiscordUserId,
  x: canonicalXUserId,
  messenger: canonicalMetaUserId,
  instagram: canonicalMetaUserId,
  whatsapp: canonicalWhatsAppId,
};

/** The canonicaliser of `channel`'s customer ids; undefined for channels whose ids are free-form (webhook, console). */
export function customerIdCanonicaliser(channel: string): CustomerIdCanonicaliser | undefined {
  if (channel === 'chatwoot' || channel.startsWith('chatwoot:')) return canonicalChatwootContactId;
  return Object.hasOwn(BY_CHANNEL, channel) ? BY_CHANNEL[channel] : undefined;
}

/** What each platform's ids look like, for error messages. */
export function customerIdShape(channel: string): string {
  if (channel === 'chatwoot' || channel.startsWith('chatwoot:')) return 'a Chatwoot contact id (a whole number)';
  switch (channel) {
    case 'slack': return 'a Slack user id (U… or W…, capital letters and digits)';
    case 'discord': return 'a Discord user id (a snowflake of 17–20 digits)';
    case 'x': return 'a numeric X user id (not a @handle)';
    case 'messenger': case 'instagram': return `a numeric ${channel} user id`;
    case 'whatsapp': return 'a WhatsApp number in digits (e.g. 46709999999; a leading + is dropped)';
    default: return `an id of channel ${channel}`;
  }
}
