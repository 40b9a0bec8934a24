/**
 * Settings of the three Meta channels, read from the environment with the same
 * `readEnv` as the core, so a bad value stops the bot with one line naming the
 * variable. Each product is on when its access token is set:
 *
 * - Messenger: `MESSENGER_PAGE_ACCESS_TOKEN` (+ `MESSENGER_PAGE_ID`)
 * - Instagram: `INSTAGRAM_ACCESS_TOKEN` (+ `INSTAGRAM_ACCOUNT_ID`)
 * - WhatsApp: `WHATSAPP_ACCESS_TOKEN` (+ `WHATSAPP_PHONE_NUMBER_ID`)
 *
 * They share the app secret (`META_APP_SECRET`, which signs every webhook; a product
 * may override it, e.g. an Instagram-Login app has its own secret), the verify token of
 * the webhook handshake, and the Graph API base URL and version.
 */
import { z } from 'zod';
import { ConfigError, flag, httpUrl, positiveInt, readEnv, type Env } from '../../env-readers.ts';
import { maxEventAgeMinutes } from '../event-age.ts';

export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v24.0';

const secret = z.string().min(8, 'must be at least 8 characters').max(500, 'must be at most 500 characters');
const token = z.string().min(8, 'must be at least 8 characters').max(4000, 'must be at most 4000 characters');
/** Page ids, Instagram account ids and WhatsApp phone-number ids are decimal strings. */
export const metaId = z.string().regex(/^\d{1,30}$/, 'expected a numeric Meta id');
const rate = positiveInt(1000).min(1, 'must be at least 1');

export const metaSharedEnvSchema = z.object({
  META_APP_SECRET: secret.optional(),
  META_VERIFY_TOKEN: z.string().min(8, 'must be at least 8 characters').max(500, 'must be at most 500 characters').optional(),
  META_GRAPH_URL: httpUrl.default(DEFAULT_GRAPH_URL),
  META_GRAPH_VERSION: z.string().regex(/^v\d{1,3}\.\d{1,2}$/, 'expected a Graph API version like v24.0').default(DEFAULT_GRAPH_VERSION),
  META_BODY_LIMIT_KB: positiveInt(10_240).min(1, 'must be at least 1').default(512),
  // Meta retries a failed delivery for hours: an hour rides out a short outage; replays within it are caught by event id.
  META_MAX_EVENT_AGE_MINUTES: maxEventAgeMinutes(60),
});

export const messengerEnvSchema = z.object({
  MESSENGER_PAGE_ACCESS_TOKEN: token,
  MESSENGER_PAGE_ID: z.string({ message: 'required when MESSENGER_PAGE_ACCESS_TOKEN is set (the Facebook Page id)' }).pipe(metaId),
  MESSENGER_APP_SECRET: secret.optional(),
  MESSENGER_RATE_PER_SECOND: rate.default(20),
  MESSENGER_FEEDBACK_TEMPLATE: flag.default(false),
  MESSENGER_PRIVACY_URL: httpUrl.optional(),
});

export const instagramEnvSchema = z.object({
  INSTAGRAM_ACCESS_TOKEN: token,
  INSTAGRAM_ACCOUNT_ID: z.string({ message: 'required when INSTAGRAM_ACCESS_TOKEN is set (the Instagram professional account id the webhooks carry: user_id of GET /me?fields=user_id, see docs/meta.md)' }).pipe(metaId),
  INSTAGRAM_APP_SECRET: secret.optional(),
  INSTAGRAM_GRAPH_URL: httpUrl.optional(),
  INSTAGRAM_RATE_PER_SECOND: rate.default(20),
});

export const whatsappEnvSchema = z.object({
  WHATSAPP_ACCESS_TOKEN: token,
  WHATSAPP_PHONE_NUMBER_ID: z.string({ message: 'required when WHATSAPP_ACCESS_TOKEN is set (the WhatsApp Business phone-number id)' }).pipe(metaId),
  WHATSAPP_APP_SECRET: secret.optional(),
  WHATSAPP_RATE_PER_SECOND: rate.default(20),
  WHATSAPP_TEMPLATE_NAME: z.string().regex(/^[a-z0-9_]{1,512}$/, 'expected a template name of lowercase letters, digits and _').optional(),
  WHATSAPP_TEMPLATE_LANGUAGE: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'expected a language code like en or en_US').optional(),
  WHATSAPP_STATUS_WAIT_SECONDS: positiveInt(50).default(10),
});

interface GraphSettings {
  appSecret: string;
  verifyToken: string;
  graphUrl: string;
  graphVersion: string;
  bodyLimitBytes: number;
  /** Customer events that happened longer ago than this are ignored (a replayed delivery). */
  maxEventAgeMs: number;
  accessToken: string;
  ratePerSecond: number;
}

export interface MessengerSettings extends GraphSettings {
  pageId: string;
  /** Ask with Messenger's customer feedback template (NPS 0–10) instead of quick replies. */
  feedbackTemplate: boolean;
  /** The business's privacy policy, which the feedback template must link to. */
  privacyUrl?: string;
}

export interface InstagramSettings extends GraphSettings {
  accountId: string;
}

export interface WhatsAppSettings extends GraphSettings {
  phoneNumberId: string;
  /** An approved template to send when the 24-hour window has closed. */
  templateName?: string;
  /** The template's language; unset, the customer's locale. */
  templateLanguage?: string;
  /** How long to wait for the question's delivery status (0 = don't wait). */
  statusWaitMs: number;
}

function shared(env: Env, product: string, tokenVar: string, secretOverride: string | undefined): Omit<GraphSettings, 'accessToken' | 'ratePerSecond'> {
  const s = readEnv(metaSharedEnvSchema, env);
  const appSecret = secretOverride ?? s.META_APP_SECRET;
  if (!appSecret) throw new ConfigError(`META_APP_SECRET: required when ${tokenVar} is set (the app secret that signs ${product} webhooks) (it is not set)`);
  if (!s.META_VERIFY_TOKEN) throw new ConfigError(`META_VERIFY_TOKEN: required when ${tokenVar} is set (the token you give Meta for the webhook handshake) (it is not set)`);
  return {
    appSecret,
    verifyToken: s.META_VERIFY_TOKEN,
    graphUrl: s.META_GRAPH_URL.replace(/\/+$/, ''),
    graphVersion: s.META_GRAPH_VERSION,
    bodyLimitBytes: s.META_BODY_LIMIT_KB * 1024,
    maxEventAgeMs: s.META_MAX_EVENT_AGE_MINUTES * 60_000,
  };
}

const isSet = (v: string | undefined) => v !== undefined && v.trim() !== '';

/** Messenger's settings, or null when MESSENGER_PAGE_ACCESS_TOKEN is unset (the channel is off). */
export function readMessengerSettings(env: Env): MessengerSettings | null {
  if (!isSet(env.MESSENGER_PAGE_ACCESS_TOKEN)) return null;
  const e = readEnv(messengerEnvSchema, env);
  if (e.MESSENGER_FEEDBACK_TEMPLATE && !e.MESSENGER_PRIVACY_URL) {
    throw new ConfigError('MESSENGER_PRIVACY_URL: required when MESSENGER_FEEDBACK_TEMPLATE is on (the template links to your privacy policy) (it is not set)');
  }
  return {
    ...shared(env, 'Messenger', 'MESSENGER_PAGE_ACCESS_TOKEN', e.MESSENGER_APP_SECRET),
    accessToken: e.MESSENGER_PAGE_ACCESS_TOKEN,
    ratePerSecond: e.MESSENGER_RATE_PER_SECOND,
    pageId: e.MESSENGER_PAGE_ID,
    feedbackTemplate: e.MESSENGER_FEEDBACK_TEMPLATE,
    privacyUrl: e.MESSENGER_PRIVACY_URL,
  };
}

/** Instagram's settings, or null when INSTAGRAM_ACCESS_TOKEN is unset. */
export function readInstagramSettings(env: Env): InstagramSettings | null {
  if (!isSet(env.INSTAGRAM_ACCESS_TOKEN)) return null;
  const e = readEnv(instagramEnvSchema, env);
  const s = shared(env, 'Instagram', 'INSTAGRAM_ACCESS_TOKEN', e.INSTAGRAM_APP_SECRET);
  return {
    ...s,
    // Instagram API with Instagram Login lives on graph.instagram.com; with Facebook Login on the default.
    graphUrl: e.INSTAGRAM_GRAPH_URL?.replace(/\/+$/, '') ?? s.graphUrl,
    accessToken: e.INSTAGRAM_ACCESS_TOKEN,
    ratePerSecond: e.INSTAGRAM_RATE_PER_SECOND,
    accountId: e.INSTAGRAM_ACCOUNT_ID,
  };
}

/** WhatsApp's settings, or null when WHATSAPP_ACCESS_TOKEN is unset. */
export function readWhatsAppSettings(env: Env): WhatsAppSettings | null {
  if (!isSet(env.WHATSAPP_ACCESS_TOKEN)) return null;
  const e = readEnv(whatsappEnvSchema, env);
  return {
    ...shared(env, 'WhatsApp', 'WHATSAPP_ACCESS_TOKEN', e.WHATSAPP_APP_SECRET),
    accessToken: e.WHATSAPP_ACCESS_TOKEN,
    ratePerSecond: e.WHATSAPP_RATE_PER_SECOND,
    phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
    templateName: e.WHATSAPP_TEMPLATE_NAME,
    templateLanguage: e.WHATSAPP_TEMPLATE_LANGUAGE,
    statusWaitMs: e.WHATSAPP_STATUS_WAIT_SECONDS * 1000,
  };
}
