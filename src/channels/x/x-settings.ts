/**
 * The X channel's settings, read from the environment with the same `readEnv` as the
 * core, so a bad value stops the bot with one line naming the variable. The channel
 * is on when X_CONSUMER_KEY is set; then every credential and the brand id are required.
 */
import { z } from 'zod';
import { ConfigError, csv, httpUrl, positiveInt, readEnv, type Env } from '../../env-readers.ts';
import { mayBacktrackCatastrophically } from './regex-backtracking.ts';
import { maxEventAgeMinutes } from '../event-age.ts';

/** twit's built-in REST root; X_API_URL replaces it (tests point it at a local server). */
export const DEFAULT_X_API_URL = 'https://api.twitter.com/1.1/';
export const DEFAULT_SIGNATURE_PATTERN = String.raw`\^([A-Z]{2,3})\s*$`;

const required = (what: string) => z.string({ message: `required when X_CONSUMER_KEY is set (${what})` })
  .min(1, 'must not be empty').max(500, 'must be at most 500 characters');

/** X user ids are decimal snowflakes sent as strings. */
export const xUserId = z.string().regex(/^\d{1,25}$/, 'expected a numeric X user id');

const signaturePattern = z.string().max(200, 'must be at most 200 characters').transform((source, ctx) => {
  try {
    const re = new RegExp(source);
    // The pattern runs on text any customer or agent can send: refuse one that can
    // backtrack catastrophically, which could stall the bot.
    if (mayBacktrackCatastrophically(source)) {
      ctx.addIssue({ code: 'custom', message: 'may backtrack catastrophically (a quantifier or an alternation inside a repeated group, such as (a+)+ or (a|ab)*): write it without one' });
      return z.NEVER;
    }
    // A pattern without a capture group cannot tell us the initials.
    if (new RegExp(`${source}|`).exec('')!.length < 2) {
      ctx.addIssue({ code: 'custom', message: 'needs one capture group for the initials, like \\^([A-Z]{2,3})\\s*$' });
      return z.NEVER;
    }
    return re;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a valid regular expression' });
    return z.NEVER;
  }
});

/** `AB:agent-anna,CD:agent-carl` → Map { AB → agent-anna, CD → agent-carl } (initials upper-cased). */
const agentSignatures = csv.transform((items, ctx) => {
  const map = new Map<string, string>();
  for (const item of items) {
    const m = /^([^:\s]{1,10})\s*:\s*(\S.{0,255})$/.exec(item);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `expected INITIALS:agent-id pairs separated by commas, got "${item.slice(0, 40)}"` });
      return z.NEVER;
    }
    map.set(m[1]!.toUpperCase(), m[2]!.trim());
  }
  return map;
});

export const xEnvSchema = z.object({
  X_CONSUMER_KEY: required('the app\'s API key'),
  X_CONSUMER_SECRET: required('the app\'s API key secret'),
  X_ACCESS_TOKEN: required('the brand account\'s access token'),
  X_ACCESS_TOKEN_SECRET: required('the brand account\'s access token secret'),
  X_BRAND_USER_ID: z.string({ message: 'required when X_CONSUMER_KEY is set (the brand account\'s numeric user id)' })
    .pipe(xUserId),
  X_API_URL: httpUrl.default(DEFAULT_X_API_URL).transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  X_INACTIVITY_HOURS: z.coerce.number({ message: 'expected a number of hours' })
    .min(0, 'must not be negative').max(24 * 90, `must be at most ${24 * 90}`).default(0),
  X_AGENT_SIGNATURES: agentSignatures.default(new Map()),
  X_SIGNATURE_PATTERN: signaturePattern.default(new RegExp(DEFAULT_SIGNATURE_PATTERN)),
  X_DM_PER_DAY_APP: positiveInt(1_000_000).min(1, 'must be at least 1').default(15_000),
  X_DM_PER_DAY_USER: positiveInt(1_000_000).min(1, 'must be at least 1').default(1_000),
  X_BODY_LIMIT_KB: positiveInt(10_240).min(1, 'must be at least 1').default(256),
  X_MAX_EVENT_AGE_MINUTES: maxEventAgeMinutes(10),
});

export interface XSettings {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessTokenSecret: string;
  brandUserId: string;
  /** The REST root twit talks to, always ending in `/`. */
  apiUrl: string;
  /** 0 = the inactivity rule is off. */
  inactivityMs: number;
  /** Upper-cased initials → agent id. */
  agentSignatures: ReadonlyMap<string, string>;
  signaturePattern: RegExp;
  dmPerDayApp: number;
  dmPerDayUser: number;
  bodyLimitBytes: number;
  /** DM events on the webhook older than this are ignored (a replayed delivery). */
  maxEventAgeMs: number;
}

/** The X settings, or null when X_CONSUMER_KEY is unset (the channel is off). */
export function readXSettings(env: Env): XSettings | null {
  if (!env.X_CONSUMER_KEY?.trim()) return null;
  const e = readEnv(xEnvSchema, env);
  if (e.X_DM_PER_DAY_USER > e.X_DM_PER_DAY_APP) {
    throw new ConfigError(`X_DM_PER_DAY_USER: must not be more than X_DM_PER_DAY_APP (${e.X_DM_PER_DAY_APP}) (got "${e.X_DM_PER_DAY_USER}")`);
  }
  return {
    consumerKey: e.X_CONSUMER_KEY,
    consumerSecret: e.X_CONSUMER_SECRET,
    accessToken: e.X_ACCESS_TOKEN,
    accessTokenSecret: e.X_ACCESS_TOKEN_SECRET,
    brandUserId: e.X_BRAND_USER_ID,
    apiUrl: e.X_API_URL,
    inactivityMs: Math.round(e.X_INACTIVITY_HOURS * 3_600_000),
    agentSignatures: e.X_AGENT_SIGNATURES,
    signaturePattern: e.X_SIGNATURE_PATTERN,
    dmPerDayApp: e.X_DM_PER_DAY_APP,
    dmPerDayUser: e.X_DM_PER_DAY_USER,
    bodyLimitBytes: e.X_BODY_LIMIT_KB * 1024,
    maxEventAgeMs: e.X_MAX_EVENT_AGE_MINUTES * 60_000,
  };
}
