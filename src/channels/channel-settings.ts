/**
 * Every platform channel's settings, read in one go before anything starts (config.ts
 * calls it), so a bad value of any enabled channel stops start-up with one line before
 * the database is touched. A channel whose credentials are unset reads as null (off).
 * The adapters are then built from these parsed settings, never from the environment.
 */
import type { z } from 'zod';
import type { Env } from '../env-readers.ts';
import { chatwootEnvSchema, readChatwootSettings, type ChatwootSettings } from './chatwoot/chatwoot-settings.ts';
import { discordEnvSchema, readDiscordSettings, type DiscordSettings } from './discord/discord-settings.ts';
import { freshchatEnvSchema, readFreshchatSettings, type FreshchatSettings } from './freshchat/freshchat-settings.ts';
import { intercomEnvSchema, readIntercomSettings, type IntercomSettings } from './intercom/intercom-settings.ts';
import {
  instagramEnvSchema, messengerEnvSchema, metaSharedEnvSchema, whatsappEnvSchema,
  readInstagramSettings, readMessengerSettings, readWhatsAppSettings,
  type InstagramSettings, type MessengerSettings, type WhatsAppSettings,
} from './meta/meta-settings.ts';
import { readSlackSettings, slackEnvSchema, type SlackSettings } from './slack/slack-settings.ts';
import { readTelegramSettings, telegramEnvSchema, type TelegramSettings } from './telegram/telegram-settings.ts';
import { readXSettings, xEnvSchema, type XSettings } from './x/x-settings.ts';
import { readZendeskSettings, zendeskEnvSchema, type ZendeskSettings } from './zendesk/zendesk-settings.ts';

/** Each platform's parsed settings; null: the channel is off. */
export interface ChannelSettings {
  slack: SlackSettings | null;
  discord: DiscordSettings | null;
  x: XSettings | null;
  telegram: TelegramSettings | null;
  messenger: MessengerSettings | null;
  instagram: InstagramSettings | null;
  whatsapp: WhatsAppSettings | null;
  chatwoot: ChatwootSettings | null;
  zendesk: ZendeskSettings | null;
  intercom: IntercomSettings | null;
  freshchat: FreshchatSettings | null;
}

/** The environment variables each platform reads (its page in docs/ documents them). */
export const CHANNEL_ENV_SCHEMAS: Readonly<Record<string, readonly z.ZodObject[]>> = {
  slack: [slackEnvSchema],
  discord: [discordEnvSchema],
  x: [xEnvSchema],
  telegram: [telegramEnvSchema],
  meta: [metaSharedEnvSchema, messengerEnvSchema, instagramEnvSchema, whatsappEnvSchema],
  chatwoot: [chatwootEnvSchema],
  zendesk: [zendeskEnvSchema],
  intercom: [intercomEnvSchema],
  freshchat: [freshchatEnvSchema],
};

/** Throws ConfigError naming the first bad setting of any channel that is on. */
export function readChannelSettings(env: Env): ChannelSettings {
  return {
    slack: readSlackSettings(env),
    discord: readDiscordSettings(env),
    x: readXSettings(env),
    telegram: readTelegramSettings(env),
    messenger: readMessengerSettings(env),
    instagram: readInstagramSettings(env),
    whatsapp: readWhatsAppSettings(env),
    chatwoot: readChatwootSettings(env),
    zendesk: readZendeskSettings(env),
    intercom: readIntercomSettings(env),
    freshchat: readFreshchatSettings(env),
  };
}
