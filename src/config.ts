/**
 * Every setting, read once at start-up from the environment (and an optional JSON file
 * for message templates and id lists), before anything starts or connects. The core
 * settings are here; each feature owns and exports its own schema (a channel's
 * `<name>-settings.ts`, `reports/report-config.ts`, `reports/followup-config.ts`,
 * `metrics/metrics-settings.ts`) and this file composes them, so the first bad value of
 * any of them stops start-up with one line. Nothing below reads the environment: each
 * part is handed its parsed settings (`Config` carries no raw `env`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import cron from 'node-cron';
import { ConfigError, csv, flag, httpUrl, positiveInt, readEnv, type Env } from './env-readers.ts';
import { isTimeZone } from './reports/time-zone.ts';
import { LOCALES, templateOverridesSchema, type Locale, type TemplateOverrides } from './conversation/templates.ts';
import { themeOverridesSchema, type ThemeOverride } from './reports/themes/theme-list.ts';
import { CHANNEL_ENV_SCHEMAS, readChannelSettings, type ChannelSettings } from './channels/channel-settings.ts';
import { followupEnvSchema, loadFollowupSettings, type FollowupSettings } from './reports/followups/followup-config.ts';
import { loadReportSettings, reportEnvSchema, type ReportSettings } from './reports/report-config.ts';
import { loadMetricsSettings, metricsEnvSchema, type MetricsSettings } from './metrics/metrics-settings.ts';
import { apiTokens } from './http/api-tokens.ts';
import { tokenAuthFrom } from './http/token-auth.ts';

/** Every API token: long enough that guessing is hopeless, printable, no separators. */
export const MIN_TOKEN_CHARS = 32;
const apiToken = z.string().min(MIN_TOKEN_CHARS, `must be at least ${MIN_TOKEN_CHARS} characters`).max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable characters without spaces');

/**
 * Express's `trust proxy`: `false` (default: the client is the TCP peer), a number of
 * proxy hops, or the proxies' addresses/subnets (`loopback`, `10.0.0.0/8`, ...).
 * `true` is refused: it trusts any X-Forwarded-For, so anyone could pick their own IP.
 */
const trustProxy = z.string().max(500, 'must be at most 500 characters').transform((raw, ctx): false | number | string[] => {
  const v = raw.trim().toLowerCase();
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  if (v === 'true' || v === 'yes' || v === 'on') {
    ctx.addIssue({ code: 'custom', message: 'trusting every proxy lets any client choose its IP: give the number of proxies in front of the bot (e.g. 1) or their addresses' });
    return z.NEVER;
  }
  const items = v.split(',').map((x) => x.trim()).filter(Boolean);
  const named = ['loopback', 'linklocal', 'uniquelocal'];
  const bad = items.find((x) => !named.includes(x) && !/^[0-9a-f:.]+(\/\d{1,3})?$/.test(x));
  if (items.length === 0 || bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected false, a number of proxy hops, or addresses/subnets such as loopback or 10.0.0.0/8' });
    return z.NEVER;
  }
  return items;
});

const coreEnvSchema = z.object({
  PORT: positiveInt(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// or mongodb+srv:// URI').optional(),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'expected a database name of letters, digits, _ or -').optional(),
  DATA_DIR: z.string().default('.data'),
  DEV_DATABASE: z.enum(['auto', 'off']).default('auto'),
  DEV_DATABASE_PORT: positiveInt(65535).min(1024, 'must be at least 1024').default(27118),
  API_TOKEN: apiToken.optional(),
  INGEST_TOKENS: z.string().max(10_000).optional(),
  TRUST_PROXY: trustProxy.default(false),
  SESSION_COOKIE_SECURE: z.enum(['true', 'auto', 'false']).default('true'),
  AUTH_FAILURES_PER_15MIN: positiveInt(100_000).min(1, 'must be at least 1').default(30),
  OPT_OUT_KEY_SECRET: z.string().min(32, 'must be at least 32 characters').max(500, 'must be at most 500 characters').optional(),
  NODE_ENV: z.string().optional(),
  // Read by logger.ts, which may log before the config is read; anything but json/pretty means "auto".
  LOG_FORMAT: z.string().max(20).optional(),
  CONFIG_FILE: z.string().optional(),
  COMPANY_NAME: z.string().max(80, 'must be at most 80 characters').optional(),
  DEFAULT_LOCALE: z.enum(LOCALES).default('en'),
  FATIGUE_DAYS: positiveInt(3650).default(30),
  ASK_DELAY_SECONDS: positiveInt(30 * 86400).default(0),
  ASK_WITHIN_HOURS: positiveInt(24 * 60).min(1, 'must be at least 1').default(48),
  SHUTDOWN_SECONDS: positiveInt(600).min(1, 'must be at least 1').default(20),
  RELATIONSHIP_EVERY_DAYS: positiveInt(3650).default(0),
  RELATIONSHIP_LOOKBACK_DAYS: positiveInt(3650).min(1, 'must be at least 1').default(90),
  RELATIONSHIP_CRON: z.string().max(100)
    .refine((s) => cron.validate(s), 'not a valid cron expression (five or six fields, e.g. "0 10 * * *" for every day at 10:00)')
    .default('0 10 * * *'),
  RELATIONSHIP_TZ: z.string().refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Stockholm').default('UTC'),
  TESTIMONIAL_CONSENT: flag.default(false),
  EXPIRE_HOURS: positiveInt(24 * 365).min(1, 'must be at least 1').default(72),
  MAX_REPROMPTS: positiveInt(5).default(1),
  /** One reminder this many hours after an unanswered question (unset: no reminder). */
  REMINDER_AFTER_HOURS: positiveInt(24 * 30).min(1, 'must be at least 1').optional(),
  /** Signed survey events POSTed here (unset: no events, nothing staged). */
  SURVEY_EVENTS_URL: httpUrl.optional(),
  SURVEY_EVENTS_SECRET: z.string().min(32, 'must be at least 32 characters').max(500, 'must be at most 500 characters').optional(),
  STAFF_IDS: csv.default([]),
  BOT_IDS: csv.default([]),
  SCHEDULER_INTERVAL_MS: positiveInt(3_600_000).min(50, 'must be at least 50').default(1000),
  LEASE_SECONDS: positiveInt(3600).min(5, 'must be at least 5').default(60),
  MAX_COMMENT_CHARS: positiveInt(20_000).min(10, 'must be at least 10').default(2000),
  BODY_LIMIT_KB: positiveInt(10_240).min(1, 'must be at least 1').default(64),
  WEBHOOK_OUTBOUND_URL: httpUrl.optional(),
  WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  WEBHOOK_RATE_PER_SECOND: positiveInt(1000).min(1, 'must be at least 1').default(20),
});

const fileSchema = z.object({
  templates: templateOverridesSchema.optional(),
  staffIds: z.array(z.string().min(1).max(200)).max(10_000).optional(),
  botIds: z.array(z.string().min(1).max(200)).max(10_000).optional(),
  /** Comment themes: merged by id into the default list (src/reports/themes/theme-list.ts). */
  themes: themeOverridesSchema.optional(),
}).strict();

export interface Config {
  port: number;
  host: string;
  logLevel: string;
  mongodbUri?: string;
  /** MONGODB_DB when set, else the database named in MONGODB_URI's path, else `nps`. */
  mongodbDb: string;
  dataDir: string;
  /** With no MONGODB_URI and no embedded mongod: start the Java development server (`auto`) or not (`off`). */
  devDatabase: 'auto' | 'off';
  devDatabasePort: number;
  apiToken?: string;
  /** Tokens that may only deliver resolutions and webhook-channel messages (`ingest` role). */
  ingestTokens: string[];
  /** Express's `trust proxy` (false, hop count, or addresses). */
  trustProxy: false | number | string[];
  /** The dashboard cookie's Secure flag: always (`true`, default), from `req.secure` (`auto`), never (`false`). */
  sessionCookieSecure: 'true' | 'auto' | 'false';
  /** Failed authentications one client IP may make per 15 minutes before it gets 429. */
  authFailuresPer15Min: number;
  /** The key of the HMAC that forgotten customers' opt-outs are kept under (unset: the development key). */
  optOutKeySecret?: string;
  companyName?: string;
  defaultLocale: Locale;
  templates: TemplateOverrides;
  themeOverrides: ThemeOverride[];
  fatigueMs: number;
  askDelayMs: number;
  /** A survey not asked within this long of its resolution expires instead of asking days late. */
  askWithinMs: number;
  /** How long a shutdown lets in-flight requests and sends finish (keep it under the orchestrator's grace period). */
  shutdownMs: number;
  /** Relationship surveys at intervals (everyMs 0: off). */
  relationship: { everyMs: number; lookbackMs: number; cron: string; timeZone: string };
  /** Ask promoters once whether their comment may be quoted publicly. */
  testimonialConsent: boolean;
  expireMs: number;
  maxReprompts: number;
  /** REMINDER_AFTER_HOURS in ms; undefined: no reminder. */
  reminderAfterMs?: number;
  /** SURVEY_EVENTS_URL and its signing secret; undefined: events off. */
  surveyEvents?: { url: string; secret: string };
  /** Ids that are never surveyed: bare ids match any channel, `channel:id` one channel. */
  staffIds: string[];
  botIds: string[];
  schedulerIntervalMs: number;
  leaseMs: number;
  maxCommentChars: number;
  bodyLimitBytes: number;
  webhook?: { outboundUrl: string; secret: string; ratePerSecond: number };
  /** Each platform channel's parsed settings (null: off). */
  channels: ChannelSettings;
  reports: ReportSettings;
  followups: FollowupSettings;
  metrics: MetricsSettings;
}

/**
 * Every environment variable the bot reads, by the part that owns it: the README's
 * configuration table and each docs page's settings table are checked against these
 * (test/settings-docs.test.ts), so the documentation cannot drift from the code.
 */
export const ENV_SCHEMAS: Readonly<Record<string, readonly z.ZodObject[]>> = {
  core: [coreEnvSchema],
  metrics: [metricsEnvSchema],
  reports: [reportEnvSchema, followupEnvSchema],
  ...CHANNEL_ENV_SCHEMAS,
};

export function loadConfig(env: Env = process.env): Config {
  const e = readEnv(coreEnvSchema, env);
  const file = e.CONFIG_FILE ? readConfigFile(e.CONFIG_FILE) : {};
  if (e.WEBHOOK_OUTBOUND_URL && !e.WEBHOOK_SECRET) {
    throw new ConfigError('WEBHOOK_SECRET: required when WEBHOOK_OUTBOUND_URL is set (it is not set)');
  }
  if (e.ASK_WITHIN_HOURS * 3600 <= e.ASK_DELAY_SECONDS) {
    throw new ConfigError(`ASK_WITHIN_HOURS: must be longer than ASK_DELAY_SECONDS (${e.ASK_DELAY_SECONDS} s), or no survey could ever be asked (got "${e.ASK_WITHIN_HOURS}")`);
  }
  if (e.SURVEY_EVENTS_URL && !e.SURVEY_EVENTS_SECRET) {
    throw new ConfigError('SURVEY_EVENTS_SECRET: required when SURVEY_EVENTS_URL is set: at least 32 random characters (it is not set)');
  }
  if (e.REMINDER_AFTER_HOURS !== undefined && e.REMINDER_AFTER_HOURS >= e.EXPIRE_HOURS) {
    throw new ConfigError(`REMINDER_AFTER_HOURS: must be shorter than EXPIRE_HOURS (${e.EXPIRE_HOURS}), or the survey expires first (got "${e.REMINDER_AFTER_HOURS}")`);
  }
  if (e.NODE_ENV === 'production' && !e.OPT_OUT_KEY_SECRET) {
    throw new ConfigError('OPT_OUT_KEY_SECRET: required in production (NODE_ENV=production): at least 32 random characters, kept for good (it is not set)');
  }
  const ingestTokens = parseIngestTokens(e.INGEST_TOKENS ?? '');
  // Every other part's settings, in the order the parts start: the first bad one stops start-up.
  const channels = readChannelSettings(env);
  const reports = loadReportSettings(env);
  const followups = loadFollowupSettings(env);
  const metrics = loadMetricsSettings(env);
  // A token given twice (API_TOKEN, REPORT_TOKENS, INGEST_TOKENS) is refused here, not after connecting.
  tokenAuthFrom(apiTokens({ apiToken: e.API_TOKEN, ingestTokens }, reports.tokens));
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    mongodbUri: e.MONGODB_URI,
    mongodbDb: e.MONGODB_DB ?? databaseInUri(e.MONGODB_URI) ?? 'nps',
    dataDir: e.DATA_DIR,
    devDatabase: e.DEV_DATABASE,
    devDatabasePort: e.DEV_DATABASE_PORT,
    apiToken: e.API_TOKEN,
    ingestTokens,
    trustProxy: e.TRUST_PROXY,
    authFailuresPer15Min: e.AUTH_FAILURES_PER_15MIN,
    sessionCookieSecure: e.SESSION_COOKIE_SECURE,
    optOutKeySecret: e.OPT_OUT_KEY_SECRET,
    companyName: e.COMPANY_NAME,
    defaultLocale: e.DEFAULT_LOCALE,
    templates: file.templates ?? {},
    themeOverrides: file.themes ?? [],
    fatigueMs: e.FATIGUE_DAYS * 86_400_000,
    askDelayMs: e.ASK_DELAY_SECONDS * 1000,
    askWithinMs: e.ASK_WITHIN_HOURS * 3_600_000,
    shutdownMs: e.SHUTDOWN_SECONDS * 1000,
    relationship: {
      everyMs: e.RELATIONSHIP_EVERY_DAYS * 86_400_000,
      lookbackMs: e.RELATIONSHIP_LOOKBACK_DAYS * 86_400_000,
      cron: e.RELATIONSHIP_CRON,
      timeZone: e.RELATIONSHIP_TZ,
    },
    testimonialConsent: e.TESTIMONIAL_CONSENT,
    expireMs: e.EXPIRE_HOURS * 3_600_000,
    maxReprompts: e.MAX_REPROMPTS,
    ...(e.REMINDER_AFTER_HOURS !== undefined ? { reminderAfterMs: e.REMINDER_AFTER_HOURS * 3_600_000 } : {}),
    ...(e.SURVEY_EVENTS_URL && e.SURVEY_EVENTS_SECRET ? { surveyEvents: { url: e.SURVEY_EVENTS_URL, secret: e.SURVEY_EVENTS_SECRET } } : {}),
    staffIds: [...e.STAFF_IDS, ...(file.staffIds ?? [])],
    botIds: [...e.BOT_IDS, ...(file.botIds ?? [])],
    schedulerIntervalMs: e.SCHEDULER_INTERVAL_MS,
    leaseMs: e.LEASE_SECONDS * 1000,
    maxCommentChars: e.MAX_COMMENT_CHARS,
    bodyLimitBytes: e.BODY_LIMIT_KB * 1024,
    webhook: e.WEBHOOK_OUTBOUND_URL && e.WEBHOOK_SECRET
      ? { outboundUrl: e.WEBHOOK_OUTBOUND_URL, secret: e.WEBHOOK_SECRET, ratePerSecond: e.WEBHOOK_RATE_PER_SECOND }
      : undefined,
    channels,
    reports,
    followups,
    metrics,
  };
}

/** `INGEST_TOKENS=<token>,<token>`; errors name the entry by position, never by its token. */
function parseIngestTokens(raw: string): string[] {
  const tokens = raw.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  tokens.forEach((token, i) => {
    const ok = apiToken.safeParse(token);
    if (!ok.success) throw new ConfigError(`INGEST_TOKENS: entry ${i + 1}: ${ok.error.issues[0]!.message}`);
    if (tokens.indexOf(token) !== i) throw new ConfigError(`INGEST_TOKENS: entry ${i + 1}: the same token is listed twice`);
  });
  return tokens;
}

function readConfigFile(path: string): z.infer<typeof fileSchema> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`CONFIG_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (raw.length > 1_000_000) throw new ConfigError(`CONFIG_FILE: ${path} is larger than 1 MB`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(`CONFIG_FILE: ${path} is not valid JSON`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`CONFIG_FILE: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The database named in a MongoDB URI's path (`mongodb://host/care?…` → `care`), if any. */
export function databaseInUri(uri: string | undefined): string | undefined {
  const match = uri?.match(/^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}
