/**
 * A small Discord on loopback for the real discord.js client: REST (`/api/v10/...`) and
 * the gateway (`/gateway`, `/resume`) on one HTTP port, over one shared world.
 * Tests act as Discord's users (open a thread, write, tag, archive, lock, press a
 * button, run /resolve) and read what the bot did (requests, messages, callbacks).
 *
 * @example
 * const discord = await FakeDiscord.start({ token });
 * const guild = discord.world.addGuild('Acme');
 * // env for the bot: DISCORD_TOKEN=token, DISCORD_API_URL=discord.url
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { FakeGateway, Intent, ALWAYS } from './discord-gateway.ts';
import { checkMessageBody, handleRest, invalidForm, RestError, type RestRequest } from './discord-rest-api.ts';
import { ChannelTypes, DiscordWorld, snowflake, type ChannelJson, type MessageJson } from './discord-world.ts';
import type { Storm } from './storm.ts';

/** Discord's THREAD_UPDATE audit-log action type. */
export const AUDIT_THREAD_UPDATE = 111;
/** How long Discord lets an interaction go unacknowledged. */
const INTERACTION_ACK_MS = 3000;

export interface InteractionRecord {
  id: string;
  token: string;
  kind: 'command' | 'button';
  userId: string;
  messageId?: string;
  createdAt: number;
  /** The callback the bot answered with (type 4 reply, 5 deferred, 6 deferred update, 7 update). */
  callback?: { type: number; data?: Record<string, unknown> };
  /** Content of the original response after `PATCH …/messages/@original`. */
  edited?: Record<string, unknown>;
  /** Follow-up messages (`POST /webhooks/{app}/{token}`), ephemeral ones included. */
  followUps: Array<Record<string, unknown>>;
  /** Callbacks refused because the interaction was already acknowledged. */
  refused: number;
}

export class FakeDiscord {
  readonly world = new DiscordWorld();
  readonly gateway: FakeGateway;
  readonly requests: RestRequest[] = [];
  readonly internalErrors: string[] = [];
  /** Slash commands registered per guild. */
  readonly commands = new Map<string, Array<Record<string, unknown>>>();
  readonly interactions = new Map<string, InteractionRecord>();
  /** The Developer Portal's View Audit Log permission, as granted to the bot. */
  auditLogAllowed = true;
  /** While set, a share of REST requests (not interaction callbacks) is refused with the storm's status (fault injection). */
  storm: Storm | null = null;
  private readonly rateLimits: Array<{ method: string; pattern: RegExp; left: number; retryAfterSec: number }> = [];
  private readonly failures: Array<{ method: string; pattern: RegExp; left: number; status: number }> = [];
  private readonly nonces = new Map<string, { messageId: string; channelId: string; at: number }>();
  private server: Server | null = null;
  private base = '';

  private constructor(readonly token: string, heartbeatIntervalMs: number) {
    this.gateway = new FakeGateway(this.world, token, { heartbeatIntervalMs });
  }

  static async start(opts: { token: string; heartbeatIntervalMs?: number }): Promise<FakeDiscord> {
    const fake = new FakeDiscord(opts.token, opts.heartbeatIntervalMs ?? 500);
    const server = createServer((req, res) => {
      handleRest(fake, req, res).catch((err: unknown) => {
        fake.internalErrors.push(String(err));
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    server.on('upgrade', (req, socket, head) => fake.gateway.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake.server = server;
    fake.base = `127.0.0.1:${port}`;
    fake.gateway.setBaseUrl(`ws://${fake.base}`);
    return fake;
  }

  /** DISCORD_API_URL for the bot (discord.js appends `/v10`). */
  get url(): string { return `http://${this.base}/api`; }

  async stop(): Promise<void> {
    await this.gateway.stop();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  snowflake(): string { return snowflake(); }

  // ── rate limits ────────────────────────────────────────────────────────────

  /** Answer the next `count` matching requests with 429 and `retry_after` seconds. */
  rateLimitNext(method: string, pattern: RegExp, count: number, retryAfterSec: number): void {
    this.rateLimits.push({ method, pattern, left: count, retryAfterSec });
  }

  /** Seconds to wait if this request is rate limited now, else null. */
  takeRateLimit(method: string, path: string): number | null {
    const rule = this.rateLimits.find((r) => r.left > 0 && r.method === method && r.pattern.test(path));
    if (!rule) return null;
    rule.left--;
    return rule.retryAfterSec;
  }

  // ── server errors (fault injection) ──────────────────────────────────────

  /** Answer the next `count` matching requests with `status` (a 5xx: Discord or Cloudflare having trouble). */
  failNext(method: string, pattern: RegExp, count: number, status = 502): void {
    this.failures.push({ method, pattern, left: count, status });
  }

  /** Stop failing requests (what `failNext` set up and has not used yet). */
  clearFailures(): void {
    this.failures.length = 0;
  }

  /** The status to fail this request with now, else null. */
  takeFailure(method: string, path: string): number | null {
    const rule = this.failures.find((r) => r.left > 0 && r.method === method && r.pattern.test(path));
    if (!rule) return null;
    rule.left--;
    return rule.status;
  }

  // ── what the bot does over REST ───────────────────────────────────────────

  createMessageFromBot(channelId: string, body: unknown): MessageJson {
    const channel = this.world.channels.get(channelId);
    if (!channel) throw new RestError(404, 10003, 'Unknown Channel');
    const b = checkMessageBody(body);
    if (channel.type === ChannelTypes.DM) {
      const recipient = channel.recipients?.[0]?.id;
      if (recipient && this.world.dmClosed.has(recipient)) throw new RestError(403, 50007, 'Cannot send messages to this user');
    }
    if (channel.type === ChannelTypes.GuildForum) throw new RestError(400, 50008, 'Cannot send messages in a non-text channel');
    if (b.enforceNonce && b.nonce !== undefined) {
      const seen = this.nonces.get(`${this.world.bot.id}:${String(b.nonce)}`);
      if (seen && Date.now() - seen.at < 5 * 60_000) {
        const existing = this.world.messages.get(seen.channelId)?.find((m) => m.id === seen.messageId);
        if (existing) return existing;
      }
    }
    if (channel.thread_metadata?.archived) {
      if (channel.thread_metadata.locked) throw new RestError(400, 50083, 'Thread is archived');
      // Writing in an archived (unlocked) thread reopens it, as on Discord.
      this.changeThread(channel.id, { archived: false }, null);
    }
    const mentionable = b.allowedUsers;
    const message = this.world.addMessage(channelId, this.world.bot.id, b.content, {
      components: b.components, ...(b.nonce !== undefined ? { nonce: b.nonce } : {}),
    });
    if (mentionable) message.mentions = message.mentions.filter((u) => mentionable.includes(u.id));
    if (b.enforceNonce && b.nonce !== undefined) {
      this.nonces.set(`${this.world.bot.id}:${String(b.nonce)}`, { messageId: message.id, channelId, at: Date.now() });
    }
    this.gateway.dispatchMessage(message, message.guild_id ? this.world.memberJson(message.guild_id, this.world.bot.id) : null);
    return message;
  }

  interactionCallback(id: string, token: string, body: unknown): void {
    const interaction = this.interactions.get(id);
    if (!interaction || interaction.token !== token) throw new RestError(404, 10062, 'Unknown interaction');
    if (interaction.callback) {
      interaction.refused++;
      throw new RestError(400, 40060, 'Interaction has already been acknowledged.');
    }
    if (Date.now() - interaction.createdAt > INTERACTION_ACK_MS) throw new RestError(404, 10062, 'Unknown interaction');
    const b = body as { type?: unknown; data?: Record<string, unknown> } | null;
    const type = b?.type;
    if (type !== 4 && type !== 5 && type !== 6 && type !== 7) throw invalidForm('type', 'invalid interaction response type');
    if (type === 7 && interaction.kind !== 'button') throw new RestError(400, 40004, 'Interaction has no message to update');
    interaction.callback = { type, ...(b?.data ? { data: b.data } : {}) };
    // UPDATE_MESSAGE edits the message the button is on; DEFERRED_UPDATE_MESSAGE changes nothing yet.
    if (type === 7) this.editButtonMessage(interaction, b?.data);
  }

  /** The message a button sits on, changed as UPDATE_MESSAGE or an edit of @original after a deferred update do. */
  private editButtonMessage(interaction: InteractionRecord, data: Record<string, unknown> | undefined): void {
    if (!interaction.messageId) return;
    for (const list of this.world.messages.values()) {
      const m = list.find((x) => x.id === interaction.messageId);
      if (!m) continue;
      if (typeof data?.content === 'string') m.content = data.content;
      if (Array.isArray(data?.components)) m.components = data.components as MessageJson['components'];
      m.edited_timestamp = new Date().toISOString();
    }
  }

  followUp(applicationId: string, token: string, body: unknown): Record<string, unknown> {
    const interaction = [...this.interactions.values()].find((i) => i.token === token);
    if (!interaction || applicationId !== this.world.applicationId) throw new RestError(404, 10015, 'Unknown Webhook');
    if (!interaction.callback) throw new RestError(400, 40060, 'Interaction has not been acknowledged.');
    const b = (body ?? {}) as Record<string, unknown>;
    interaction.followUps.push(b);
    return {
      id: snowflake(), channel_id: '0', author: this.world.bot, content: String(b.content ?? ''), timestamp: new Date().toISOString(),
      edited_timestamp: null, tts: false, mention_everyone: false, mentions: [], mention_roles: [], attachments: [],
      embeds: [], components: [], pinned: false, type: 19, flags: typeof b.flags === 'number' ? b.flags : 0, webhook_id: this.world.applicationId,
    };
  }

  editOriginal(applicationId: string, token: string, body: unknown): Record<string, unknown> {
    const interaction = [...this.interactions.values()].find((i) => i.token === token);
    if (!interaction || applicationId !== this.world.applicationId) throw new RestError(404, 10015, 'Unknown Webhook');
    if (!interaction.callback) throw new RestError(404, 10008, 'Unknown Message');
    interaction.edited = (body ?? {}) as Record<string, unknown>;
    // After a (deferred) message update, @original is the message the button is on.
    if (interaction.callback.type === 6 || interaction.callback.type === 7) this.editButtonMessage(interaction, interaction.edited);
    return {
      id: snowflake(), channel_id: '0', author: this.world.bot, content: String(interaction.edited.content ?? ''), timestamp: new Date().toISOString(),
      edited_timestamp: new Date().toISOString(), tts: false, mention_everyone: false, mentions: [], mention_roles: [], attachments: [],
      embeds: [], components: [], pinned: false, type: 20, flags: 64, webhook_id: this.world.applicationId,
    };
  }

  // ── what Discord's users do ───────────────────────────────────────────────

  /** A user writes in a channel, thread or DM (MESSAGE_CREATE). */
  post(channelId: string, authorId: string, content: string): MessageJson {
    const message = this.world.addMessage(channelId, authorId, content);
    this.gateway.dispatchMessage(message, message.guild_id ? this.world.memberJson(message.guild_id, authorId) : null);
    return message;
  }

  /** A customer writes to the bot in their DM channel (opened by the bot earlier or now). */
  dm(userId: string, content: string): MessageJson {
    return this.post(this.world.dmChannelFor(userId).id, userId, content);
  }

  /** A user opens a forum post or a thread in a text channel, with a first message. */
  openThread(parentId: string, ownerId: string, name: string, firstMessage: string): ChannelJson {
    const thread = this.world.addThread(parentId, ownerId, name);
    this.gateway.dispatch('THREAD_CREATE', { ...thread, newly_created: true }, Intent.Guilds);
    this.post(thread.id, ownerId, firstMessage);
    return thread;
  }

  /**
   * Change a thread as a user would (by = user id; an audit-log entry is written) or as
   * Discord's auto-archiving does (by = null: no entry). Dispatches THREAD_UPDATE.
   */
  changeThread(threadId: string, change: { archived?: boolean; locked?: boolean; appliedTags?: string[] }, by: string | null): ChannelJson {
    const thread = this.world.channel(threadId);
    const meta = thread.thread_metadata!;
    const changes: Array<{ key: string; old_value: unknown; new_value: unknown }> = [];
    if (change.archived !== undefined && change.archived !== meta.archived) {
      changes.push({ key: 'archived', old_value: meta.archived, new_value: change.archived });
      meta.archived = change.archived;
      meta.archive_timestamp = new Date().toISOString();
    }
    if (change.locked !== undefined && change.locked !== meta.locked) {
      changes.push({ key: 'locked', old_value: meta.locked, new_value: change.locked });
      meta.locked = change.locked;
    }
    if (change.appliedTags) {
      changes.push({ key: 'applied_tags', old_value: thread.applied_tags ?? [], new_value: change.appliedTags });
      thread.applied_tags = change.appliedTags;
    }
    if (by && changes.length > 0) {
      this.world.guild(thread.guild_id!).audit.push({ id: snowflake(), user_id: by, target_id: threadId, action_type: AUDIT_THREAD_UPDATE, changes });
    }
    this.gateway.dispatch('THREAD_UPDATE', { ...thread, thread_metadata: { ...meta } }, Intent.Guilds);
    return thread;
  }

  /** A member runs a slash command in a channel or thread (INTERACTION_CREATE type 2). */
  runCommand(channelId: string, userId: string, name: string): InteractionRecord {
    const channel = this.world.channel(channelId);
    const guildId = channel.guild_id!;
    const command = this.commands.get(guildId)?.find((c) => c.name === name);
    if (!command) throw new Error(`fake discord: /${name} is not registered in guild ${guildId}`);
    const guild = this.world.guild(guildId);
    const record = this.newInteraction('command', userId);
    this.gateway.dispatch('INTERACTION_CREATE', {
      id: record.id, application_id: this.world.applicationId, type: 2, token: record.token, version: 1,
      data: { id: command.id, name, type: 1, guild_id: guildId },
      guild_id: guildId, guild: { id: guildId, locale: guild.preferredLocale, features: [] },
      channel_id: channelId, channel,
      member: { ...this.world.memberJson(guildId, userId), permissions: '2248473465835073' },
      app_permissions: '2248473465835073', locale: 'en-US', guild_locale: guild.preferredLocale,
      entitlements: [], authorizing_integration_owners: { 0: guildId }, context: 0, attachment_size_limit: 10_485_760,
    }, ALWAYS);
    return record;
  }

  /** A user presses a button on a message (INTERACTION_CREATE type 3). */
  pressButton(messageId: string, userId: string, customId: string): InteractionRecord {
    const message = [...this.world.messages.values()].flat().find((m) => m.id === messageId);
    if (!message) throw new Error(`fake discord: no message ${messageId}`);
    const hasButton = message.components.some((row) => row.components.some((c) => c.custom_id === customId));
    if (!hasButton) throw new Error(`fake discord: message ${messageId} has no button ${customId}`);
    const channel = this.world.channel(message.channel_id);
    const record = this.newInteraction('button', userId, messageId);
    const where = channel.guild_id
      ? { guild_id: channel.guild_id, member: { ...this.world.memberJson(channel.guild_id, userId), permissions: '2248473465835073' }, context: 0 }
      : { user: this.world.user(userId), context: 1 };
    this.gateway.dispatch('INTERACTION_CREATE', {
      id: record.id, application_id: this.world.applicationId, type: 3, token: record.token, version: 1,
      data: { custom_id: customId, component_type: 2 },
      channel_id: channel.id, channel, message,
      app_permissions: '2248473465835073', locale: 'en-US', entitlements: [], authorizing_integration_owners: { 0: channel.guild_id ?? userId },
      attachment_size_limit: 10_485_760,
      ...where,
    }, ALWAYS);
    return record;
  }

  private newInteraction(kind: InteractionRecord['kind'], userId: string, messageId?: string): InteractionRecord {
    const record: InteractionRecord = {
      id: snowflake(), token: `aW50ZXJhY3Rpb24${randomBytes(24).toString('base64url')}`, kind, userId, createdAt: Date.now(), refused: 0, followUps: [],
      ...(messageId ? { messageId } : {}),
    };
    this.interactions.set(record.id, record);
    return record;
  }

  // ── reading what happened ─────────────────────────────────────────────────

  /** Messages the bot sent to a user by DM, oldest first. */
  dmsTo(userId: string): MessageJson[] {
    const dm = [...this.world.channels.values()].find((c) => c.type === ChannelTypes.DM && c.recipients?.[0]?.id === userId);
    return dm ? (this.world.messages.get(dm.id) ?? []).filter((m) => m.author.id === this.world.bot.id) : [];
  }

  /** Messages the bot wrote in a channel or thread, oldest first. */
  botMessagesIn(channelId: string): MessageJson[] {
    return (this.world.messages.get(channelId) ?? []).filter((m) => m.author.id === this.world.bot.id);
  }

  requestsTo(method: string, pattern: RegExp): RestRequest[] {
    return this.requests.filter((r) => r.method === method && pattern.test(r.path));
  }
}
