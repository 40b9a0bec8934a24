/**
 * The Discord channel's settings, read from the environment with the same `readEnv`
 * as the core settings, so a bad value stops the program with one line naming it.
 * The channel is on when DISCORD_TOKEN is set; then the care channels and the agent
 * role are required, because without them no thread could ever count as resolved.
 */
import { z } from 'zod';
import { ConfigError, csv, flag, httpUrl, positiveInt, readEnv, type Env } from '../../env-readers.ts';

/** Discord ids are snowflakes: 17–20 digits. */
export const SNOWFLAKE = /^\d{17,20}$/;

const snowflakeList = (what: string) => csv.refine(
  (ids) => ids.every((id) => SNOWFLAKE.test(id)),
  `expected a comma-separated list of ${what} ids (17–20 digits each)`,
).refine((ids) => ids.length <= 500, 'must list at most 500 ids');

export const discordEnvSchema = z.object({
  DISCORD_TOKEN: z.string().min(50, 'expected a bot token from the Developer Portal (Bot → Reset Token)').max(200, 'is too long for a bot token'),
  DISCORD_APPLICATION_ID: z.string().regex(SNOWFLAKE, 'expected the application id (17–20 digits)').optional(),
  DISCORD_GUILD_IDS: snowflakeList('server (guild)').default([]),
  DISCORD_CARE_CHANNELS: snowflakeList('forum or text channel').refine((ids) => ids.length > 0, 'must list at least one channel id'),
  DISCORD_AGENT_ROLE: z.string().min(1).max(100, 'must be at most 100 characters (a role id or a role name)'),
  DISCORD_RESOLVED_TAG: z.string().min(1).max(20, 'must be at most 20 characters (Discord tag names are at most 20)').default('Resolved'),
  DISCORD_RESOLVE_ON_ARCHIVE: flag.default(true),
  DISCORD_RESOLVE_ON_LOCK: flag.default(true),
  DISCORD_THREAD_FALLBACK: flag.default(true),
  DISCORD_API_URL: httpUrl.default('https://discord.com/api'),
  DISCORD_RATE_PER_SECOND: positiveInt(50).min(1, 'must be at least 1').default(5),
  DISCORD_SHARDS: z.literal('auto', { message: 'expected "auto" (or leave it unset)' }).optional(),
  DISCORD_RECHECK_HOURS: positiveInt(168).min(1, 'must be at least 1').default(24),
  DISCORD_RECHECK_MINUTES: positiveInt(1440).min(1, 'must be at least 1').default(5),
});

export interface DiscordSettings {
  token: string;
  /** Known from READY when not set; needed for the invite URL and the /resolve command. */
  applicationId?: string;
  /** Servers to serve and register /resolve in; empty means every server the bot is in. */
  guildIds: string[];
  careChannelIds: string[];
  /** A role id, or a role name matched case-insensitively. */
  agentRole: string;
  resolvedTag: string;
  resolveOnArchive: boolean;
  resolveOnLock: boolean;
  threadFallback: boolean;
  /** REST base without the version, e.g. `https://discord.com/api`. */
  apiUrl: string;
  ratePerSecond: number;
  /** `auto`: one process runs as many shards as Discord recommends. Unset: one shard, or what ShardingManager assigns. */
  shards?: 'auto';
  /** The look-back: threads closed within this many hours are checked again when a shard connects… */
  recheckHours: number;
  /** …and every this many minutes. */
  recheckMinutes: number;
}

/** Null when DISCORD_TOKEN is unset: the channel is off. */
export function readDiscordSettings(env: Env): DiscordSettings | null {
  if (!env.DISCORD_TOKEN || env.DISCORD_TOKEN.trim() === '') return null;
  for (const name of ['DISCORD_CARE_CHANNELS', 'DISCORD_AGENT_ROLE'] as const) {
    if (!env[name] || env[name]!.trim() === '') {
      throw new ConfigError(`${name}: required when DISCORD_TOKEN is set (it is not set)`);
    }
  }
  const e = readEnv(discordEnvSchema, env);
  return {
    token: e.DISCORD_TOKEN,
    applicationId: e.DISCORD_APPLICATION_ID,
    guildIds: e.DISCORD_GUILD_IDS,
    careChannelIds: e.DISCORD_CARE_CHANNELS,
    agentRole: e.DISCORD_AGENT_ROLE,
    resolvedTag: e.DISCORD_RESOLVED_TAG,
    resolveOnArchive: e.DISCORD_RESOLVE_ON_ARCHIVE,
    resolveOnLock: e.DISCORD_RESOLVE_ON_LOCK,
    threadFallback: e.DISCORD_THREAD_FALLBACK,
    apiUrl: e.DISCORD_API_URL.replace(/\/+$/, ''),
    ratePerSecond: e.DISCORD_RATE_PER_SECOND,
    recheckHours: e.DISCORD_RECHECK_HOURS,
    recheckMinutes: e.DISCORD_RECHECK_MINUTES,
    ...(e.DISCORD_SHARDS ? { shards: e.DISCORD_SHARDS } : {}),
  };
}
