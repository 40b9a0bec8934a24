/**
 * The Chatwoot bridge's settings, read from the environment with the same `readEnv`
 * as the core. The bridge is on when `CHATWOOT_URL` is set; it then needs an API access
 * token, the account id, and a way to trust the webhook: Chatwoot's webhook secret
 * (`CHATWOOT_WEBHOOK_SECRET`, signatures checked; Chatwoot 4.11.2 and later sign
 * account webhooks) and/or a secret token in the webhook URL (`CHATWOOT_WEBHOOK_TOKEN`,
 * for servers that do not sign). With both set, both are checked.
 */
import { z } from 'zod';
import { ConfigError, csv, httpUrl, positiveInt, readEnv, type Env } from '../../env-readers.ts';
import { CHATWOOT_CHANNEL_KINDS, type ChatwootChannelKind } from './chatwoot-channel-names.ts';
import { maxEventAgeMinutes } from '../event-age.ts';

/** Where Chatwoot's `input_select` is rendered as one-tap answers by default. */
export const DEFAULT_INPUT_SELECT: readonly ChatwootChannelKind[] = ['web', 'facebook', 'instagram', 'whatsapp'];

const required = (what: string) => z.string({ message: `required when CHATWOOT_URL is set (${what})` });

const inputSelect = csv.transform((items, ctx) => {
  if (items.length === 1 && items[0] === 'none') return [];
  for (const item of items) {
    if (!(CHATWOOT_CHANNEL_KINDS as readonly string[]).includes(item)) {
      ctx.addIssue({ code: 'custom', message: `expected channel kinds from ${CHATWOOT_CHANNEL_KINDS.join(', ')} (or none), got "${item.slice(0, 40)}"` });
      return z.NEVER;
    }
  }
  return items as ChatwootChannelKind[];
});

export const chatwootEnvSchema = z.object({
  CHATWOOT_URL: httpUrl,
  CHATWOOT_API_TOKEN: required('an access token of the agent bot or agent the bot writes as').min(8, 'must be at least 8 characters').max(500, 'must be at most 500 characters'),
  CHATWOOT_ACCOUNT_ID: required('the Chatwoot account id, the number in /app/accounts/<id>/').regex(/^\d{1,12}$/, 'expected the numeric account id'),
  CHATWOOT_WEBHOOK_SECRET: z.string().min(8, 'must be at least 8 characters').max(500, 'must be at most 500 characters').optional(),
  CHATWOOT_WEBHOOK_TOKEN: z.string().regex(/^[A-Za-z0-9_-]{16,200}$/, 'expected 16 to 200 letters, digits, _ or - (it goes into the webhook URL)').optional(),
  CHATWOOT_INPUT_SELECT: inputSelect.default([...DEFAULT_INPUT_SELECT]),
  CHATWOOT_RATE_PER_SECOND: positiveInt(1000).min(1, 'must be at least 1').default(5),
  CHATWOOT_SIGNATURE_MAX_AGE_SECONDS: positiveInt(86_400).min(10, 'must be at least 10').default(300),
  CHATWOOT_BODY_LIMIT_KB: positiveInt(10_240).min(1, 'must be at least 1').default(512),
  // Chatwoot retries a failed delivery for a while: an hour rides out a short outage; replays within it are caught by event id.
  CHATWOOT_MAX_EVENT_AGE_MINUTES: maxEventAgeMinutes(60),
});

export interface ChatwootSettings {
  /** Chatwoot's root, without a trailing slash, e.g. `https://app.chatwoot.com`. */
  url: string;
  apiToken: string;
  accountId: string;
  webhookSecret?: string;
  webhookToken?: string;
  /** Channel kinds whose question carries an `input_select` of 0–10. */
  inputSelect: ReadonlySet<ChatwootChannelKind>;
  ratePerSecond: number;
  signatureMaxAgeMs: number;
  bodyLimitBytes: number;
  /** A customer's message created longer ago than this is ignored (a replayed delivery). */
  maxEventAgeMs: number;
}

/** The Chatwoot settings, or null when CHATWOOT_URL is unset (the bridge is off). */
export function readChatwootSettings(env: Env): ChatwootSettings | null {
  if (!env.CHATWOOT_URL?.trim()) return null;
  const e = readEnv(chatwootEnvSchema, env);
  if (!e.CHATWOOT_WEBHOOK_SECRET && !e.CHATWOOT_WEBHOOK_TOKEN) {
    throw new ConfigError('CHATWOOT_WEBHOOK_SECRET: required when CHATWOOT_URL is set, unless CHATWOOT_WEBHOOK_TOKEN is (the webhook must be signed, or carry a secret in its URL) (it is not set)');
  }
  return {
    url: e.CHATWOOT_URL.replace(/\/+$/, ''),
    apiToken: e.CHATWOOT_API_TOKEN,
    accountId: e.CHATWOOT_ACCOUNT_ID,
    webhookSecret: e.CHATWOOT_WEBHOOK_SECRET,
    webhookToken: e.CHATWOOT_WEBHOOK_TOKEN,
    inputSelect: new Set(e.CHATWOOT_INPUT_SELECT),
    ratePerSecond: e.CHATWOOT_RATE_PER_SECOND,
    signatureMaxAgeMs: e.CHATWOOT_SIGNATURE_MAX_AGE_SECONDS * 1000,
    bodyLimitBytes: e.CHATWOOT_BODY_LIMIT_KB * 1024,
    maxEventAgeMs: e.CHATWOOT_MAX_EVENT_AGE_MINUTES * 60_000,
  };
}
