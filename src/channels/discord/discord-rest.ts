/**
 * The REST calls the adapter makes itself, through discord.js's REST client (so they
 * share its rate-limit buckets and 429 handling), each answer checked with zod and cut
 * down to the fields the adapter uses. `retryingReads` gives a copy whose reads (GETs,
 * which change nothing) are tried again after a transient failure, for the resolution
 * checks, where a 5xx must not lose a resolution.
 */
import { AuditLogEvent, Routes, type REST } from 'discord.js';
import { z } from 'zod';
import { DiscordCode, discordCode } from './discord-errors.ts';
import { retrying, type RetryPolicy } from './discord-retry.ts';
import type { MessageBody } from './discord-survey-message.ts';

const snowflake = z.string().regex(/^\d{1,20}$/);

const userSchema = z.object({
  id: snowflake,
  username: z.string().max(100).optional(),
  global_name: z.string().max(100).nullish(),
  bot: z.boolean().optional(),
});

const memberSchema = z.object({
  user: userSchema,
  nick: z.string().max(100).nullish(),
  roles: z.array(snowflake).max(1000),
});

const buttonSchema = z.object({ type: z.number(), custom_id: z.string().max(100).optional() });
const messageSchema = z.object({
  id: snowflake,
  author: userSchema,
  content: z.string().max(10_000).default(''),
  components: z.array(z.object({ type: z.number(), components: z.array(buttonSchema).max(25).default([]) })).max(10).default([]),
  webhook_id: snowflake.optional(),
});

const auditChangeSchema = z.object({ key: z.string().max(100), old_value: z.unknown().optional(), new_value: z.unknown().optional() });
const auditEntrySchema = z.object({
  id: snowflake,
  user_id: snowflake.nullable(),
  target_id: snowflake.nullable(),
  action_type: z.number(),
  changes: z.array(auditChangeSchema).max(100).default([]),
});
const auditLogSchema = z.object({ audit_log_entries: z.array(auditEntrySchema).max(100) });

const threadSchema = z.object({
  id: snowflake,
  type: z.number(),
  guild_id: snowflake.optional(),
  parent_id: snowflake.nullish(),
  owner_id: snowflake.nullish(),
  applied_tags: z.array(snowflake).max(20).default([]),
  last_message_id: snowflake.nullish(),
  thread_metadata: z.object({
    archived: z.boolean(),
    locked: z.boolean().default(false),
    archive_timestamp: z.string().max(40),
  }),
});
const threadListSchema = z.object({ threads: z.array(threadSchema).max(1000), has_more: z.boolean().default(false) });

export type DiscordUser = z.infer<typeof userSchema>;
export type DiscordMessage = z.infer<typeof messageSchema>;
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type DiscordThread = z.infer<typeof threadSchema>;
export interface DiscordMember { id: string; name?: string; bot: boolean; roles: string[] }

/** A slash command as Discord's REST API takes it. */
export interface CommandJson { name: string; description: string; type: 1; contexts: number[]; default_member_permissions: string | null }

export class DiscordRest {
  constructor(private readonly rest: REST, private readonly readRetry: RetryPolicy | null = null) {}

  /** The same client whose reads are retried after a transient failure (5xx, 429, network). */
  retryingReads(policy: RetryPolicy): DiscordRest {
    return new DiscordRest(this.rest, policy);
  }

  private get(route: `/${string}`, query?: URLSearchParams): Promise<unknown> {
    const once = () => this.rest.get(route, query ? { query } : {});
    return this.readRetry ? retrying(once, this.readRetry) : once();
  }

  /** The DM channel with a user (Discord returns the existing one if it is open). */
  async openDm(userId: string): Promise<string> {
    const raw = await this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } });
    return z.object({ id: snowflake }).parse(raw).id;
  }

  async createMessage(channelId: string, body: MessageBody): Promise<string> {
    const raw = await this.rest.post(Routes.channelMessages(channelId), { body });
    return z.object({ id: snowflake }).parse(raw).id;
  }

  /** Newest first, as Discord returns them. */
  async recentMessages(channelId: string, limit: number): Promise<DiscordMessage[]> {
    const query = new URLSearchParams({ limit: String(Math.min(100, Math.max(1, limit))) });
    const raw = await this.get(Routes.channelMessages(channelId), query);
    return z.array(messageSchema).max(100).parse(raw);
  }

  /**
   * Up to `limit` messages posted after the message id (or snowflake) `after`, oldest first
   * (Discord's GET /channels/{channel.id}/messages?after=; the order it answers in is not relied on).
   */
  async messagesAfter(channelId: string, after: string, limit: number): Promise<DiscordMessage[]> {
    const query = new URLSearchParams({ after, limit: String(Math.min(100, Math.max(1, limit))) });
    const raw = await this.get(Routes.channelMessages(channelId), query);
    return z.array(messageSchema).max(100).parse(raw).sort((a, b) => compareSnowflakes(a.id, b.id));
  }

  /** A member of a server, or null when the user is not (or no longer) in it. */
  async member(guildId: string, userId: string): Promise<DiscordMember | null> {
    try {
      const m = memberSchema.parse(await this.get(Routes.guildMember(guildId, userId)));
      return { id: m.user.id, name: m.nick ?? m.user.global_name ?? m.user.username, bot: m.user.bot ?? false, roles: m.roles };
    } catch (err) {
      const code = discordCode(err);
      if (code === DiscordCode.UnknownMember || code === DiscordCode.UnknownUser) return null;
      throw err;
    }
  }

  /** The latest THREAD_UPDATE audit-log entries of a server (older than the entry `before`, if given), newest first. */
  async threadUpdates(guildId: string, limit = 25, before?: string): Promise<AuditEntry[]> {
    const query = new URLSearchParams({ action_type: String(AuditLogEvent.ThreadUpdate), limit: String(limit) });
    if (before) query.set('before', before);
    const raw = await this.get(Routes.guildAuditLog(guildId), query);
    return auditLogSchema.parse(raw).audit_log_entries;
  }

  /** One thread (or any channel that is a thread), as Discord has it now. */
  async thread(threadId: string): Promise<DiscordThread | null> {
    const raw = await this.get(Routes.channel(threadId));
    const parsed = threadSchema.safeParse(raw);
    return parsed.success ? parsed.data : null;
  }

  /** A channel's archived public threads, newest archive first, archived before `before` (ISO8601) if given. */
  async archivedPublicThreads(channelId: string, limit: number, before?: string): Promise<{ threads: DiscordThread[]; hasMore: boolean }> {
    const query = new URLSearchParams({ limit: String(Math.min(100, Math.max(2, limit))) });
    if (before) query.set('before', before);
    const raw = threadListSchema.parse(await this.get(Routes.channelThreads(channelId, 'public'), query));
    return { threads: raw.threads, hasMore: raw.has_more };
  }

  /** Every active (not archived) thread of a server the bot can see. */
  async activeGuildThreads(guildId: string): Promise<DiscordThread[]> {
    return threadListSchema.parse(await this.get(Routes.guildActiveThreads(guildId))).threads;
  }

  async putGuildCommands(applicationId: string, guildId: string, commands: CommandJson[]): Promise<void> {
    await this.rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body: commands });
  }
}

/** Order of two snowflakes (their time, then worker and increment): numeric, not by text length. */
export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
