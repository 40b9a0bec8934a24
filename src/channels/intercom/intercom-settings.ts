/**
 * The Intercom bridge's settings (INTERCOM_* variables, docs/intercom.md). On when
 * `INTERCOM_ACCESS_TOKEN` is set; it then needs the app's client secret (webhooks are
 * signed with it) and the admin the bot replies as.
 */
import { z } from 'zod';
import { flag, httpUrl, positiveInt, readEnv, type Env } from '../../env-readers.ts';

const required = (what: string) => z.string({ message: `required when INTERCOM_ACCESS_TOKEN is set (${what})` });

export const intercomEnvSchema = z.object({
  INTERCOM_ACCESS_TOKEN: z.string().min(20, 'must be at least 20 characters').max(500, 'must be at most 500 characters'),
  INTERCOM_CLIENT_SECRET: required("the app's client secret, Developer Hub → your app → Basic information").min(8, 'must be at least 8 characters').max(500),
  INTERCOM_ADMIN_ID: required('the id of the admin (teammate) the bot replies as').regex(/^\d{1,20}$/, 'expected the numeric admin id'),
  INTERCOM_URL: httpUrl.default('https://api.intercom.io'),
  INTERCOM_API_VERSION: z.string().regex(/^\d\.\d{1,2}$/, 'expected a version like 2.11').default('2.11'),
  INTERCOM_APP_ID: z.string().regex(/^[A-Za-z0-9]{1,40}$/, 'expected the workspace (app) id').optional(),
  INTERCOM_QUICK_REPLIES: flag.default(true),
  INTERCOM_CLOSE_AFTER_THANKS: flag.default(false),
  INTERCOM_RATE_PER_SECOND: positiveInt(1000).min(1, 'must be at least 1').default(5),
  INTERCOM_BODY_LIMIT_KB: positiveInt(10_240).min(1, 'must be at least 1').default(1024),
});

export interface IntercomSettings {
  accessToken: string;
  clientSecret: string;
  adminId: string;
  /** API root without a trailing slash (`https://api.eu.intercom.io` for EU workspaces). */
  url: string;
  apiVersion: string;
  /** Only this workspace's notifications are used, when set. */
  appId?: string;
  /** Offer 0–10 as Intercom quick replies in the Messenger (else plain text). */
  quickReplies: boolean;
  /** A customer's reply reopens the conversation: close it again after the thanks. */
  closeAfterThanks: boolean;
  ratePerSecond: number;
  bodyLimitBytes: number;
}


export function readIntercomSettings(env: Env): IntercomSettings | null {
  if (!env.INTERCOM_ACCESS_TOKEN?.trim()) return null;
  const e = readEnv(intercomEnvSchema, env);
  return {
    accessToken: e.INTERCOM_ACCESS_TOKEN,
    clientSecret: e.INTERCOM_CLIENT_SECRET,
    adminId: e.INTERCOM_ADMIN_ID,
    url: e.INTERCOM_URL.replace(/\/+$/, ''),
    apiVersion: e.INTERCOM_API_VERSION,
    appId: e.INTERCOM_APP_ID,
    quickReplies: e.INTERCOM_QUICK_REPLIES,
    closeAfterThanks: e.INTERCOM_CLOSE_AFTER_THANKS,
    ratePerSecond: e.INTERCOM_RATE_PER_SECOND,
    bodyLimitBytes: e.INTERCOM_BODY_LIMIT_KB * 1024,
  };
}
