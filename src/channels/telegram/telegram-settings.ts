/**
 * The Telegram channel's settings, read from the environment with the same `readEnv` as
 * the core. The channel is on when `TELEGRAM_BOT_TOKEN` (from @BotFather) is set.
 *
 * - `TELEGRAM_MODE`: `webhook` (default; Telegram POSTs updates to `/telegram/webhook` on
 *   the bot's port, each carrying `TELEGRAM_WEBHOOK_SECRET` in
 *   `X-Telegram-Bot-Api-Secret-Token`) or `polling` (the bot asks Telegram with
 *   `getUpdates`, for a laptop without a public URL).
 * - `TELEGRAM_API_ROOT`: the Bot API server (a self-hosted one, or a local fake in tests).
 * - `TELEGRAM_SUPPORT_CHAT_IDS`: groups where an administrator's `/resolve` (as a reply to
 *   the customer's message, or inside the customer's forum topic) resolves a conversation
 *   and the bot asks there. Business chats need no setting.
 */
import { z } from 'zod';
import { ConfigError, csv, httpUrl, positiveInt, readEnv, type Env } from '../../env-readers.ts';

export const DEFAULT_TELEGRAM_API_ROOT = 'https://api.telegram.org';

/** BotFather's tokens: `<bot id>:<35 characters>`. */
const botToken = z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{30,100}$/, 'expected a bot token from @BotFather, like 123456789:AA…');

/** Telegram allows 1–256 characters A-Z, a-z, 0-9, _ and - for setWebhook's secret_token. */
const webhookSecret = z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'expected 16 to 256 letters, digits, _ or - (Telegram\'s secret_token alphabet)');

export const chatId = z.string().regex(/^-?\d{1,20}$/, 'expected a numeric Telegram chat id');

const chatIds = csv.transform((items, ctx) => {
  const bad = items.find((x) => !chatId.safeParse(x).success);
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `expected numeric chat ids such as -1001234567890, got "${bad.slice(0, 40)}"` });
    return z.NEVER;
  }
  return items;
});

export const telegramEnvSchema = z.object({
  TELEGRAM_BOT_TOKEN: botToken,
  TELEGRAM_MODE: z.enum(['webhook', 'polling']).default('webhook'),
  TELEGRAM_WEBHOOK_SECRET: webhookSecret.optional(),
  TELEGRAM_API_ROOT: httpUrl.default(DEFAULT_TELEGRAM_API_ROOT),
  TELEGRAM_SUPPORT_CHAT_IDS: chatIds.default([]),
  // Telegram: about 30 messages a second overall, and about one a second in one chat.
  TELEGRAM_RATE_PER_SECOND: positiveInt(1000).min(1, 'must be at least 1').default(30),
  TELEGRAM_CHAT_INTERVAL_MS: positiveInt(60_000).default(1000),
  TELEGRAM_BODY_LIMIT_KB: positiveInt(10_240).min(1, 'must be at least 1').default(256),
  TELEGRAM_TIMEOUT_SECONDS: positiveInt(300).min(1, 'must be at least 1').default(15),
});

export interface TelegramSettings {
  token: string;
  mode: 'webhook' | 'polling';
  /** Required in webhook mode: what Telegram must send in X-Telegram-Bot-Api-Secret-Token. */
  webhookSecret?: string;
  /** Bot API root without a trailing slash. */
  apiRoot: string;
  supportChatIds: ReadonlySet<string>;
  ratePerSecond: number;
  /** The least time between two messages to one chat. */
  chatIntervalMs: number;
  bodyLimitBytes: number;
  timeoutSeconds: number;
}

/** Telegram's settings, or null when TELEGRAM_BOT_TOKEN is unset (the channel is off). */
export function readTelegramSettings(env: Env): TelegramSettings | null {
  if (!env.TELEGRAM_BOT_TOKEN?.trim()) return null;
  const e = readEnv(telegramEnvSchema, env);
  if (e.TELEGRAM_MODE === 'webhook' && !e.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError('TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_MODE is webhook (the secret_token you give setWebhook; Telegram sends it with every update) (it is not set)');
  }
  return {
    token: e.TELEGRAM_BOT_TOKEN,
    mode: e.TELEGRAM_MODE,
    webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
    apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    supportChatIds: new Set(e.TELEGRAM_SUPPORT_CHAT_IDS),
    ratePerSecond: e.TELEGRAM_RATE_PER_SECOND,
    chatIntervalMs: e.TELEGRAM_CHAT_INTERVAL_MS,
    bodyLimitBytes: e.TELEGRAM_BODY_LIMIT_KB * 1024,
    timeoutSeconds: e.TELEGRAM_TIMEOUT_SECONDS,
  };
}
