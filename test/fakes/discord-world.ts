/**
 * The state behind the fake Discord (test/fakes/discord-fake.ts): users, one or more
 * servers with roles, channels, threads and members, messages, the audit log. It
 * renders objects the way Discord's API v10 does (snake_case JSON, snowflake ids
 * carrying their creation time) so the real discord.js parses them as it would in
 * production.
 */
const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A fresh snowflake whose timestamp is now (or `at`). */
export function snowflake(at: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

export const ChannelTypes = { GuildText: 0, DM: 1, PublicThread: 11, GuildForum: 15 } as const;

export interface UserJson {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: '0';
  avatar: null;
  bot?: boolean;
}

export interface RoleJson {
  id: string; name: string; color: number; hoist: boolean; position: number; permissions: string; managed: boolean; mentionable: boolean; flags: number;
}

export interface TagJson { id: string; name: string; moderated: boolean; emoji_id: null; emoji_name: null }

export interface ChannelJson {
  id: string;
  type: number;
  guild_id?: string;
  name?: string;
  parent_id?: string | null;
  position?: number;
  permission_overwrites?: unknown[];
  available_tags?: TagJson[];
  owner_id?: string;
  applied_tags?: string[];
  thread_metadata?: {
    archived: boolean; auto_archive_duration: number; archive_timestamp: string; locked: boolean; create_timestamp: string;
  };
  message_count?: number;
  member_count?: number;
  total_message_sent?: number;
  rate_limit_per_user?: number;
  last_message_id?: string | null;
  recipients?: UserJson[];
  flags?: number;
}

export interface ComponentRowJson { type: 1; components: Array<{ type: number; style?: number; label?: string; custom_id?: string }> }

export interface MessageJson {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: UserJson;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: false;
  mention_everyone: boolean;
  mentions: UserJson[];
  mention_roles: string[];
  attachments: [];
  embeds: [];
  components: ComponentRowJson[];
  pinned: false;
  type: 0;
  flags: number;
  nonce?: string | number;
  webhook_id?: string;
}

export interface AuditEntryJson {
  id: string; user_id: string | null; target_id: string; action_type: number;
  changes: Array<{ key: string; old_value?: unknown; new_value?: unknown }>;
}

export interface GuildState {
  id: string;
  name: string;
  ownerId: string;
  preferredLocale: string;
  roles: RoleJson[];
  /** Member user id → role ids. */
  members: Map<string, { roles: string[]; nick: string | null; joinedAt: string }>;
  audit: AuditEntryJson[];
}

export class DiscordWorld {
  readonly users = new Map<string, UserJson>();
  readonly guilds = new Map<string, GuildState>();
  readonly channels = new Map<string, ChannelJson>();
  readonly messages = new Map<string, MessageJson[]>();
  /** Users whose privacy settings refuse DMs from the bot (Discord error 50007). */
  readonly dmClosed = new Set<string>();
  readonly bot: UserJson;
  readonly applicationId: string;

  constructor() {
    this.bot = this.addUser('Survey Bot', { bot: true });
    this.applicationId = this.bot.id; // on Discord the bot user's id is the application id
  }

  addUser(name: string, opts: { bot?: boolean } = {}): UserJson {
    const user: UserJson = {
      id: snowflake(), username: name.toLowerCase().replace(/\W+/g, '_'), global_name: name, discriminator: '0', avatar: null,
      ...(opts.bot ? { bot: true } : {}),
    };
    this.users.set(user.id, user);
    return user;
  }

  addGuild(name: string, opts: { preferredLocale?: string } = {}): GuildState {
    const id = snowflake();
    const owner = this.addUser(`${name} owner`);
    const guild: GuildState = {
      id, name, ownerId: owner.id, preferredLocale: opts.preferredLocale ?? 'en-US',
      // @everyone has the guild's id.
      roles: [role(id, '@everyone', 0)],
      members: new Map(),
      audit: [],
    };
    this.guilds.set(id, guild);
    this.addMember(guild.id, owner.id);
    this.addMember(guild.id, this.bot.id);
    return guild;
  }

  addRole(guildId: string, name: string): RoleJson {
    const guild = this.guild(guildId);
    const r = role(snowflake(), name, guild.roles.length);
    guild.roles.push(r);
    return r;
  }

  addMember(guildId: string, userId: string, roleIds: string[] = []): void {
    this.guild(guildId).members.set(userId, { roles: roleIds, nick: null, joinedAt: new Date().toISOString() });
  }

  addForum(guildId: string, name: string, tagNames: string[]): ChannelJson {
    const forum: ChannelJson = {
      id: snowflake(), type: ChannelTypes.GuildForum, guild_id: guildId, name, parent_id: null, position: this.channels.size,
      permission_overwrites: [], flags: 0, rate_limit_per_user: 0, last_message_id: null,
      available_tags: tagNames.map((n) => ({ id: snowflake(), name: n, moderated: false, emoji_id: null, emoji_name: null })),
    };
    this.channels.set(forum.id, forum);
    return forum;
  }

  addTextChannel(guildId: string, name: string): ChannelJson {
    const channel: ChannelJson = {
      id: snowflake(), type: ChannelTypes.GuildText, guild_id: guildId, name, parent_id: null, position: this.channels.size,
      permission_overwrites: [], flags: 0, rate_limit_per_user: 0, last_message_id: null,
    };
    this.channels.set(channel.id, channel);
    this.messages.set(channel.id, []);
    return channel;
  }

  /** A thread (a forum post when the parent is a forum) with its owner as the first member. */
  addThread(parentId: string, ownerId: string, name: string): ChannelJson {
    const parent = this.channel(parentId);
    const now = new Date().toISOString();
    const thread: ChannelJson = {
      id: snowflake(), type: ChannelTypes.PublicThread, guild_id: parent.guild_id!, name, parent_id: parentId, owner_id: ownerId,
      applied_tags: [], flags: 0, rate_limit_per_user: 0, message_count: 0, member_count: 1, total_message_sent: 0, last_message_id: null,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: now, locked: false, create_timestamp: now },
    };
    this.channels.set(thread.id, thread);
    this.messages.set(thread.id, []);
    return thread;
  }

  /** The DM channel between the bot and a user, opened on first use like Discord's. */
  dmChannelFor(userId: string): ChannelJson {
    for (const c of this.channels.values()) {
      if (c.type === ChannelTypes.DM && c.recipients?.[0]?.id === userId) return c;
    }
    const dm: ChannelJson = { id: snowflake(), type: ChannelTypes.DM, recipients: [this.user(userId)], last_message_id: null, flags: 0 };
    this.channels.set(dm.id, dm);
    this.messages.set(dm.id, []);
    return dm;
  }

  addMessage(channelId: string, authorId: string, content: string, extra: { components?: ComponentRowJson[]; nonce?: string | number } = {}): MessageJson {
    const channel = this.channel(channelId);
    const message: MessageJson = {
      id: snowflake(), channel_id: channelId, author: this.user(authorId), content,
      timestamp: new Date().toISOString(), edited_timestamp: null, tts: false,
      mention_everyone: false, mentions: mentionedUsers(content, this.users), mention_roles: [],
      attachments: [], embeds: [], components: extra.components ?? [], pinned: false, type: 0, flags: 0,
      ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
      ...(extra.nonce !== undefined ? { nonce: extra.nonce } : {}),
    };
    this.messages.get(channelId)!.push(message);
    channel.last_message_id = message.id;
    if (channel.type === ChannelTypes.PublicThread) {
      channel.message_count = (channel.message_count ?? 0) + 1;
      channel.total_message_sent = (channel.total_message_sent ?? 0) + 1;
    }
    return message;
  }

  memberJson(guildId: string, userId: string): Record<string, unknown> | null {
    const m = this.guild(guildId).members.get(userId);
    if (!m) return null;
    return {
      user: this.user(userId), nick: m.nick, roles: m.roles, joined_at: m.joinedAt, premium_since: null,
      deaf: false, mute: false, flags: 0, pending: false, avatar: null, communication_disabled_until: null,
    };
  }

  /** The GUILD_CREATE payload: everything a bot with the Guilds intent is told about a server. */
  guildCreateJson(guildId: string): Record<string, unknown> {
    const g = this.guild(guildId);
    const channels = [...this.channels.values()].filter((c) => c.guild_id === guildId);
    return {
      id: g.id, name: g.name, icon: null, splash: null, discovery_splash: null, owner_id: g.ownerId,
      afk_channel_id: null, afk_timeout: 300, verification_level: 0, default_message_notifications: 0,
      explicit_content_filter: 0, roles: g.roles, emojis: [], stickers: [], features: [], mfa_level: 0,
      application_id: null, system_channel_id: null, system_channel_flags: 0, rules_channel_id: null,
      max_members: 500000, vanity_url_code: null, description: null, banner: null, premium_tier: 0,
      premium_subscription_count: 0, preferred_locale: g.preferredLocale, public_updates_channel_id: null,
      nsfw_level: 0, premium_progress_bar_enabled: false, safety_alerts_channel_id: null,
      joined_at: new Date().toISOString(), large: false, unavailable: false, member_count: g.members.size,
      voice_states: [], presences: [], stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
      // Without the GuildMembers intent Discord sends only the bot's own member.
      members: [this.memberJson(guildId, this.bot.id)],
      channels: channels.filter((c) => c.type !== ChannelTypes.PublicThread),
      threads: channels.filter((c) => c.type === ChannelTypes.PublicThread && !c.thread_metadata?.archived),
    };
  }

  user(id: string): UserJson {
    const u = this.users.get(id);
    if (!u) throw new Error(`fake discord: no user ${id}`);
    return u;
  }

  guild(id: string): GuildState {
    const g = this.guilds.get(id);
    if (!g) throw new Error(`fake discord: no guild ${id}`);
    return g;
  }

  channel(id: string): ChannelJson {
    const c = this.channels.get(id);
    if (!c) throw new Error(`fake discord: no channel ${id}`);
    return c;
  }
}

function role(id: string, name: string, position: number): RoleJson {
  return { id, name, color: 0, hoist: false, position, permissions: '0', managed: false, mentionable: false, flags: 0 };
}

function mentionedUsers(content: string, users: Map<string, UserJson>): UserJson[] {
  const ids = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!);
  return ids.map((id) => users.get(id)).filter((u): u is UserJson => !!u);
}
