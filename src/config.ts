/**
 * The core settings, read once at start-up from the environment (and an optional JSON
 * file for message templates and id lists). Channel and report settings live beside
 * their modules and are read with the same `readEnv`, so every bad value fails alike.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, csv, httpUrl, positiveInt, readEnv, type Env } from './env-readers.ts';
import { LOCALES, templateOverridesSchema, type Locale, type TemplateOverrides } from './conversation/templates.ts';
import { themeOverridesSchema, type ThemeOverride } from './reports/theme-list.ts';

const coreEnvSchema = z.object({
  PORT: positiveInt(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// or mongodb+srv:// URI').optional(),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'expected a database name of letters, digits, _ or -').default('nps'),
  DATA_DIR: z.string().default('.data'),
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CONFIG_FILE: z.string().optional(),
  COMPANY_NAME: z.string().max(80, 'must be at most 80 characters').optional(),
  DEFAULT_LOCALE: z.enum(LOCALES).default('en'),
  FATIGUE_DAYS: positiveInt(3650).default(30),
  ASK_DELAY_SECONDS: positiveInt(30 * 86400).default(0),
  EXPIRE_HOURS: positiveInt(24 * 365).min(1, 'must be at least 1').default(72),
  MAX_REPROMPTS: positiveInt(5).default(1),
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
  /** Comment themes: merged by id into the default list (src/reports/theme-list.ts). */
  themes: themeOverridesSchema.optional(),
}).strict();

export interface Config {
  port: number;
  host: string;
  logLevel: string;
  mongodbUri?: string;
  mongodbDb: string;
  dataDir: string;
  apiToken?: string;
  companyName?: string;
  defaultLocale: Locale;
  templates: TemplateOverrides;
  themeOverrides: ThemeOverride[];
  fatigueMs: number;
  askDelayMs: number;
  expireMs: number;
  maxReprompts: number;
  /** Ids that are never surveyed: bare ids match any channel, `channel:id` one channel. */
  staffIds: string[];
  botIds: string[];
  schedulerIntervalMs: number;
  leaseMs: number;
  maxCommentChars: number;
  bodyLimitBytes: number;
  webhook?: { outboundUrl: string; secret: string; ratePerSecond: number };
  env: Env;
}

export function loadConfig(env: Env = process.env): Config {
  const e = readEnv(coreEnvSchema, env);
  const file = e.CONFIG_FILE ? readConfigFile(e.CONFIG_FILE) : {};
  if (e.WEBHOOK_OUTBOUND_URL && !e.WEBHOOK_SECRET) {
    throw new ConfigError('WEBHOOK_SECRET: required when WEBHOOK_OUTBOUND_URL is set (it is not set)');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    mongodbUri: e.MONGODB_URI,
    mongodbDb: e.MONGODB_DB,
    dataDir: e.DATA_DIR,
    apiToken: e.API_TOKEN,
    companyName: e.COMPANY_NAME,
    defaultLocale: e.DEFAULT_LOCALE,
    templates: file.templates ?? {},
    themeOverrides: file.themes ?? [],
    fatigueMs: e.FATIGUE_DAYS * 86_400_000,
    askDelayMs: e.ASK_DELAY_SECONDS * 1000,
    expireMs: e.EXPIRE_HOURS * 3_600_000,
    maxReprompts: e.MAX_REPROMPTS,
    staffIds: [...e.STAFF_IDS, ...(file.staffIds ?? [])],
    botIds: [...e.BOT_IDS, ...(file.botIds ?? [])],
    schedulerIntervalMs: e.SCHEDULER_INTERVAL_MS,
    leaseMs: e.LEASE_SECONDS * 1000,
    maxCommentChars: e.MAX_COMMENT_CHARS,
    bodyLimitBytes: e.BODY_LIMIT_KB * 1024,
    webhook: e.WEBHOOK_OUTBOUND_URL && e.WEBHOOK_SECRET
      ? { outboundUrl: e.WEBHOOK_OUTBOUND_URL, secret: e.WEBHOOK_SECRET, ratePerSecond: e.WEBHOOK_RATE_PER_SECOND }
      : undefined,
    env,
  };
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
