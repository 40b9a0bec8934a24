/**
 * The Zendesk bridge's settings (ZENDESK_* variables, docs/zendesk.md). On when
 * `ZENDESK_URL` is set; it then needs:
 * - the Support API (read a solved ticket's conversation log): `ZENDESK_EMAIL` and
 *   `ZENDESK_API_TOKEN` (basic auth `email/token:token`);
 * - the Zendesk webhook's signing secret `ZENDESK_WEBHOOK_SECRET` (ticket solved);
 * - the Sunshine Conversations API (ask in the messaging conversation): `ZENDESK_APP_ID`,
 *   `ZENDESK_KEY_ID`, `ZENDESK_KEY_SECRET` (an app-scoped Conversations API key);
 * - how the Sunshine webhook (customer answers) proves itself:
 *   `ZENDESK_SUNSHINE_WEBHOOK_SECRET` (the `X-API-Key` Sunshine sends with each delivery)
 *   and/or `ZENDESK_SUNSHINE_BASIC_AUTH` (`user:password`, as a Conversations
 *   integration with basic authentication is set up). With both set, both are checked.
 */
import { z } from 'zod';
import { ConfigError, httpUrl, positiveInt, readEnv, type Env } from '../../env-readers.ts';

const required = (what: string) => z.string({ message: `required when ZENDESK_URL is set (${what})` });
const secret = (what: string) => required(what).min(8, 'must be at least 8 characters').max(500, 'must be at most 500 characters');

export const zendeskEnvSchema = z.object({
  ZENDESK_URL: httpUrl,
  ZENDESK_EMAIL: required('the e-mail of the agent whose API token the bot uses').email('expected an e-mail address').max(254),
  ZENDESK_API_TOKEN: secret('a Zendesk API token, Admin Center → Apps and integrations → Zendesk API'),
  ZENDESK_WEBHOOK_SECRET: secret("the webhook's signing secret, shown on the webhook in Admin Center"),
  ZENDESK_APP_ID: required('the Sunshine Conversations app id, Admin Center → Conversations API').regex(/^[A-Za-z0-9_-]{4,64}$/, 'expected the app id'),
  ZENDESK_KEY_ID: required('the Conversations API key id (app_…)').regex(/^[A-Za-z0-9_-]{4,100}$/, 'expected the key id'),
  ZENDESK_KEY_SECRET: secret('the Conversations API key secret'),
  ZENDESK_SUNSHINE_URL: httpUrl.optional(),
  ZENDESK_SUNSHINE_WEBHOOK_SECRET: z.string().min(8, 'must be at least 8 characters').max(500).optional(),
  ZENDESK_SUNSHINE_BASIC_AUTH: z.string().regex(/^[^:\s]{1,200}:\S{8,300}$/, 'expected user:password (a password of at least 8 characters)').optional(),
  ZENDESK_RATE_PER_SECOND: positiveInt(1000).min(1, 'must be at least 1').default(5),
  ZENDESK_SIGNATURE_MAX_AGE_SECONDS: positiveInt(86_400).min(10, 'must be at least 10').default(300),
  ZENDESK_BODY_LIMIT_KB: positiveInt(10_240).min(1, 'must be at least 1').default(512),
});

export interface ZendeskSettings {
  /** `https://<subdomain>.zendesk.com`, no trailing slash. */
  url: string;
  email: string;
  apiToken: string;
  webhookSecret: string;
  appId: string;
  keyId: string;
  keySecret: string;
  /** Sunshine Conversations' API root: `<url>/sc` unless set. */
  sunshineUrl: string;
  sunshineWebhookSecret?: string;
  sunshineBasicAuth?: string;
  ratePerSecond: number;
  signatureMaxAgeMs: number;
  bodyLimitBytes: number;
}

export function readZendeskSettings(env: Env): ZendeskSettings | null {
  if (!env.ZENDESK_URL?.trim()) return null;
  const e = readEnv(zendeskEnvSchema, env);
  if (!e.ZENDESK_SUNSHINE_WEBHOOK_SECRET && !e.ZENDESK_SUNSHINE_BASIC_AUTH) {
    throw new ConfigError('ZENDESK_SUNSHINE_WEBHOOK_SECRET: required when ZENDESK_URL is set, unless ZENDESK_SUNSHINE_BASIC_AUTH is (the Sunshine webhook must prove itself) (it is not set)');
  }
  const url = e.ZENDESK_URL.replace(/\/+$/, '');
  return {
    url,
    email: e.ZENDESK_EMAIL,
    apiToken: e.ZENDESK_API_TOKEN,
    webhookSecret: e.ZENDESK_WEBHOOK_SECRET,
    appId: e.ZENDESK_APP_ID,
    keyId: e.ZENDESK_KEY_ID,
    keySecret: e.ZENDESK_KEY_SECRET,
    sunshineUrl: (e.ZENDESK_SUNSHINE_URL ?? `${url}/sc`).replace(/\/+$/, ''),
    sunshineWebhookSecret: e.ZENDESK_SUNSHINE_WEBHOOK_SECRET,
    sunshineBasicAuth: e.ZENDESK_SUNSHINE_BASIC_AUTH,
    ratePerSecond: e.ZENDESK_RATE_PER_SECOND,
    signatureMaxAgeMs: e.ZENDESK_SIGNATURE_MAX_AGE_SECONDS * 1000,
    bodyLimitBytes: e.ZENDESK_BODY_LIMIT_KB * 1024,
  };
}
