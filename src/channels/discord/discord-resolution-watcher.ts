/**
 * Decides when a support thread is resolved and tells the engine. A thread counts when
 * it lives in a care channel (a forum or a text channel listed in
 * DISCORD_CARE_CHANNELS) and staff resolved it: the resolved tag was added, staff
 * locked or archived it (checked in the audit log), or staff ran /resolve in it.
 *
 * The customer is the thread's owner (never staff, never a bot). The agent is who ran
 * /resolve, else the staff member who wrote last in the thread, else the staff member
 * who locked or archived it. No agent means no staff took part: not a care conversation.
 *
 * Two ways in: a THREAD_UPDATE as it happens (`onThreadUpdate`: before and after), and a
 * thread as it is now (`checkSnapshot`: for the look-back over threads closed while the
 * bot was down, and for threads whose check failed). A check that fails (Discord still
 * failing after the retries, the engine unreachable) is handed to `followUp.later`, so
 * the thread is checked again instead of forgotten.
 */
import { ChannelType, SnowflakeUtil, type AnyThreadChannel, type Client } from 'discord.js';
import type { EngineSink, ResolveStatus } from '../../conversation/channel-contract/channel.ts';
import type { Logger } from '../../logger.ts';
import { DiscordCode, discordCode } from './discord-errors.ts';
import type { AuditEntry, DiscordThread } from './discord-rest.ts';
import type { DiscordSettings } from './discord-settings.ts';
import type { Person, StaffDirectory } from './discord-staff-directory.ts';
import { entryTime, findChange, type ThreadAudit } from './discord-thread-audit.ts';
import { resolutionTriggers, tagIdByName, type ResolutionTrigger, type ThreadState } from './discord-thread-resolution.ts';

export type ResolveResult =
  | { status: ResolveStatus; surveyId: string }
  | { status: 'no-owner' | 'customer-left' | 'customer-is-bot' | 'customer-is-staff' | 'no-agent' };

/** What a check of a thread as it is now found: a resolution (or why not), or nothing that counts. */
export type SnapshotResult = ResolveResult | { status: 'not-resolved' };

export interface ResolveHow {
  trigger: ResolutionTrigger | 'command';
  /** Who ran /resolve: the agent, whoever posted last. */
  agent?: Person;
  /** The staff member who locked or archived the thread: the agent if no staff wrote in it. */
  actor?: Person;
  /** Looked up only when needed: who added the tag, if staff. */
  findActor?: () => Promise<Person | null>;
  /** When it was resolved, if not just now (found by the look-back: the engine asks only within its limit). */
  at?: Date;
}

/** The thread a resolution is about (a discord.js thread channel is one). */
export interface ThreadRef {
  id: string;
  guildId: string;
  ownerId: string | null;
}

/** A thread as it is now, from the gateway's cache or from Discord's REST API. */
export interface ThreadSnapshot extends ThreadRef, ThreadState {
  parentId: string;
  /** When its archived state last changed (ms), Discord's `archive_timestamp`. */
  archiveTimestamp: number | null;
  /** When its latest message was written (ms), from `last_message_id`. */
  lastMessageAt: number | null;
}

/** The audit-log entries a look-back checks against, or `unreadable` without View Audit Log. */
export type AuditView = readonly AuditEntry[] | 'unreadable';

/** What happens after a check: remember a finished one, check a failed one again later. */
export interface CheckFollowUp {
  checked(snapshot: ThreadSnapshot): void;
  later(guildId: string, threadId: string): void;
}

const NOTHING: ThreadState = { archived: false, locked: false, appliedTags: [] };

export class ResolutionWatcher {
  private readonly careChannels: Set<string>;
  private followUp: CheckFollowUp | null = null;

  constructor(private readonly deps: {
    client: Client;
    settings: DiscordSettings;
    staff: StaffDirectory;
    audit: ThreadAudit;
    sink: EngineSink;
    logger: Logger;
  }) {
    this.careChannels = new Set(deps.settings.careChannelIds);
  }

  /** Who remembers checked threads and re-checks failed ones (the look-back). */
  attach(followUp: CheckFollowUp): void {
    this.followUp = followUp;
  }

  isServedGuild(guildId: string | null): guildId is string {
    const ids = this.deps.settings.guildIds;
    return !!guildId && (ids.length === 0 || ids.includes(guildId));
  }

  isCareThread(channel: { isThread(): boolean; guildId?: string | null; parentId?: string | null }): boolean {
    return channel.isThread() && this.isServedGuild(channel.guildId ?? null) && !!channel.parentId && this.careChannels.has(channel.parentId);
  }

  isCareChannel(channelId: string | null | undefined): boolean {
    return !!channelId && this.careChannels.has(channelId);
  }

  /** The id of the resolved tag in this forum, if the channel is a forum and has one. */
  resolvedTagId(parentId: string): string | undefined {
    const parent = this.deps.client.channels.cache.get(parentId);
    return parent?.type === ChannelType.GuildForum ? tagIdByName(parent.availableTags, this.deps.settings.resolvedTag) : undefined;
  }

  async onThreadUpdate(before: AnyThreadChannel, after: AnyThreadChannel): Promise<void> {
    if (!this.isCareThread(after)) return;
    const resolvedTagId = this.resolvedTagId(after.parentId!);
    const triggers = resolutionTriggers(stateOf(before), stateOf(after), {
      resolvedTagId, onArchive: this.deps.settings.resolveOnArchive, onLock: this.deps.settings.resolveOnLock,
    });
    if (triggers.length === 0) return;
    try {
      for (const trigger of triggers) {
        const how = await this.staffChange(after, trigger, resolvedTagId);
        if (!how) continue;
        const result = await this.resolveThread(after, how);
        this.deps.logger.info({ threadId: after.id, trigger, status: result.status }, 'discord thread resolution');
        this.followUp?.checked(snapshotOfChannel(after));
        return;
      }
    } catch (err) {
      // Discord still failing after the retries, or the engine unreachable: not a reason to forget the thread.
      this.deps.logger.warn({ threadId: after.id, triggers, code: discordCode(err), err: errorText(err) },
        'could not check a thread change: it will be checked again');
      this.followUp?.later(after.guildId, after.id);
    }
  }

  /**
   * Whether a thread, as it is now, was resolved within the look-back window (`since`):
   * the resolved tag is on it (added in the window, by the audit log, or else the thread
   * was active in the window), or staff locked it in the window, or staff archived it (its
   * archive time in the window, with a staff member's entry at that time). The same rules
   * as for a live update; the engine answers `duplicate` for a thread already surveyed.
   */
  async checkSnapshot(thread: ThreadSnapshot, audit: AuditView, since: Date): Promise<SnapshotResult> {
    if (!this.isServedGuild(thread.guildId) || !this.careChannels.has(thread.parentId)) return { status: 'not-resolved' };
    const resolvedTagId = this.resolvedTagId(thread.parentId);
    const triggers = resolutionTriggers(NOTHING, thread, {
      resolvedTagId, onArchive: this.deps.settings.resolveOnArchive, onLock: this.deps.settings.resolveOnLock,
    });
    for (const trigger of triggers) {
      const how = await this.staffChangeIn(thread, trigger, resolvedTagId, audit, since);
      if (!how) continue;
      return this.resolveThread(thread, how);
    }
    return { status: 'not-resolved' };
  }

  /** `staffChange` for a thread as it is now, from audit-log entries already read. */
  private async staffChangeIn(thread: ThreadSnapshot, trigger: ResolutionTrigger, tagId: string | undefined, audit: AuditView, since: Date): Promise<ResolveHow | null> {
    const { guildId, id } = thread;
    const entries = audit === 'unreadable' ? [] : audit;
    if (trigger === 'tag') {
      const entry = findChange(entries, id, { key: 'applied_tags', tagId: tagId! });
      const activeSince = Math.max(thread.lastMessageAt ?? 0, thread.archiveTimestamp ?? 0) >= since.getTime();
      if (!entry && !activeSince) return null;
      return {
        trigger,
        findActor: async () => (entry?.user_id ? this.staffPerson(guildId, entry.user_id) : null),
        ...(entry ? { at: new Date(entryTime(entry)) } : {}),
      };
    }
    if (audit === 'unreadable') return null;
    let entry: AuditEntry | undefined;
    if (trigger === 'archive') {
      if (thread.archiveTimestamp === null || thread.archiveTimestamp < since.getTime()) return null;
      entry = findChange(entries, id, { key: 'archived' }, new Date(thread.archiveTimestamp));
    } else {
      entry = findChange(entries, id, { key: 'locked' });
    }
    const actor = await this.staffActor(guildId, entry?.user_id ?? null);
    return actor && entry ? { trigger, actor, at: new Date(entryTime(entry)) } : null;
  }

  /**
   * Whether this change counts. A tag counts from anyone (a customer may mark their own
   * post resolved; an agent is still required). A lock or archive counts only when the
   * audit log names a staff member: no entry, or the bot itself, is Discord archiving
   * an idle thread.
   */
  private async staffChange(thread: AnyThreadChannel, trigger: ResolutionTrigger, tagId: string | undefined): Promise<ResolveHow | null> {
    const guildId = thread.guildId;
    if (trigger === 'tag') {
      const at = new Date();
      return {
        trigger,
        findActor: async () => {
          // Only a fallback for the agent: without the audit log, no agent is found.
          const actorId = await this.deps.audit.actor(guildId, thread.id, { key: 'applied_tags', tagId: tagId! }, at).catch((err: unknown) => {
            if (isAuditRefusal(err)) return null;
            throw err;
          });
          return actorId ? this.staffPerson(guildId, actorId) : null;
        },
      };
    }
    const at = trigger === 'archive' && thread.archiveTimestamp ? new Date(thread.archiveTimestamp) : new Date();
    let actorId: string | null;
    try {
      actorId = await this.deps.audit.actor(guildId, thread.id, { key: trigger === 'archive' ? 'archived' : 'locked' }, at);
    } catch (err) {
      if (!isAuditRefusal(err)) throw err;
      this.deps.logger.warn({ guildId, threadId: thread.id, trigger, code: discordCode(err) }, 'cannot read the audit log (give the bot View Audit Log): archive and lock cannot count as resolutions');
      return null;
    }
    const actor = await this.staffActor(guildId, actorId);
    if (!actor) {
      this.deps.logger.debug({ threadId: thread.id, trigger }, 'thread closed by Discord, the bot or someone without the agent role: ignored');
      return null;
    }
    return { trigger, actor };
  }

  /** The staff member the audit log names, or null: no entry, the bot itself, or not staff. */
  private async staffActor(guildId: string, actorId: string | null): Promise<Person | null> {
    if (!actorId || actorId === this.deps.client.user?.id) return null;
    return this.staffPerson(guildId, actorId);
  }

  private async staffPerson(guildId: string, userId: string): Promise<Person | null> {
    const member = await this.deps.staff.member(guildId, userId);
    if (!member || member.bot || !this.deps.staff.hasAgentRole(guildId, member.roles)) return null;
    return { id: member.id, ...(member.name ? { name: member.name } : {}) };
  }

  /** Tell the engine this thread is resolved, after checking its customer and finding its agent. */
  async resolveThread(thread: ThreadRef, how: ResolveHow): Promise<ResolveResult> {
    const { guildId, id: threadId } = thread;
    const ownerId = thread.ownerId;
    if (!ownerId) return { status: 'no-owner' };
    const owner = await this.deps.staff.member(guildId, ownerId);
    if (!owner) return { status: 'customer-left' };
    if (owner.bot) return { status: 'customer-is-bot' };
    if (this.deps.staff.hasAgentRole(guildId, owner.roles)) return { status: 'customer-is-staff' };
    const inThread = await this.deps.staff.threadStaff(guildId, threadId, ownerId);
    const agent = how.agent
      ?? inThread.last
      ?? how.actor
      ?? (how.findActor ? await how.findActor() : null);
    if (!agent) return { status: 'no-agent' };
    const locale = this.deps.client.guilds.cache.get(guildId)?.preferredLocale;
    const outcome = await this.deps.sink.resolved({
      channel: 'discord',
      conversationId: threadId,
      customer: { id: ownerId, ...(owner.name ? { name: owner.name } : {}), ...(locale ? { locale } : {}) },
      agent: { id: agent.id, ...(agent.name ? { name: agent.name } : {}) },
      resolvedAt: how.at && how.at.getTime() < Date.now() ? how.at : new Date(),
      link: `https://discord.com/channels/${guildId}/${threadId}`,
      address: { guildId, threadId },
      // Every agent-role member who wrote in the thread, for the attribution rules.
      ...(inThread.participants.length > 0 ? { participants: inThread.participants } : {}),
    });
    return outcome;
  }
}

/** The bot may not read the audit log (View Audit Log missing): archive and lock cannot count. */
export function isAuditRefusal(err: unknown): boolean {
  const code = discordCode(err);
  return code === DiscordCode.MissingPermissions || code === DiscordCode.MissingAccess;
}

function stateOf(t: AnyThreadChannel): ThreadState {
  return { archived: t.archived ?? false, locked: t.locked ?? false, appliedTags: t.appliedTags ?? [] };
}

function snowflakeTime(id: string | null | undefined): number | null {
  return id ? Number(SnowflakeUtil.timestampFrom(id)) : null;
}

/** A thread from the gateway's cache, as it is after an update. */
export function snapshotOfChannel(t: AnyThreadChannel): ThreadSnapshot {
  return {
    id: t.id, guildId: t.guildId, ownerId: t.ownerId, parentId: t.parentId ?? '', ...stateOf(t),
    archiveTimestamp: t.archiveTimestamp ?? null, lastMessageAt: snowflakeTime(t.lastMessageId),
  };
}

/** A thread from Discord's REST API; null when it is not a thread of a server. */
export function snapshotOfJson(t: DiscordThread): ThreadSnapshot | null {
  if (!t.guild_id || !t.parent_id) return null;
  const archivedAt = Date.parse(t.thread_metadata.archive_timestamp);
  return {
    id: t.id, guildId: t.guild_id, ownerId: t.owner_id ?? null, parentId: t.parent_id,
    archived: t.thread_metadata.archived, locked: t.thread_metadata.locked, appliedTags: t.applied_tags,
    archiveTimestamp: Number.isNaN(archivedAt) ? null : archivedAt, lastMessageAt: snowflakeTime(t.last_message_id),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
