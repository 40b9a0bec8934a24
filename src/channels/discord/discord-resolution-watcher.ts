/**
 * Decides when a support thread is resolved and tells the engine. A thread counts when
 * it lives in a care channel (a forum or a text channel listed in
 * DISCORD_CARE_CHANNELS) and staff resolved it: the resolved tag was added, staff
 * locked or archived it (checked in the audit log), or staff ran /resolve in it.
 *
 * The customer is the thread's owner (never staff, never a bot). The agent is who ran
 * /resolve, else the staff member who wrote last in the thread, else the staff member
 * who locked or archived it. No agent means no staff took part: not a care conversation.
 */
import { ChannelType, type AnyThreadChannel, type Client, type ThreadChannel } from 'discord.js';
import type { EngineSink, ResolveStatus } from '../channel.ts';
import type { Logger } from '../../logger.ts';
import { DiscordCode, discordCode } from './discord-errors.ts';
import type { DiscordSettings } from './discord-settings.ts';
import type { Person, StaffDirectory } from './discord-staff-directory.ts';
import type { ThreadAudit } from './discord-thread-audit.ts';
import { resolutionTriggers, tagIdByName, type ResolutionTrigger, type ThreadState } from './discord-thread-resolution.ts';

export type ResolveResult =
  | { status: ResolveStatus; surveyId: string }
  | { status: 'no-owner' | 'customer-left' | 'customer-is-bot' | 'customer-is-staff' | 'no-agent' };

export interface ResolveHow {
  trigger: ResolutionTrigger | 'command';
  /** Who ran /resolve: the agent, whoever posted last. */
  agent?: Person;
  /** The staff member who locked or archived the thread: the agent if no staff wrote in it. */
  actor?: Person;
  /** Looked up only when needed: who added the tag, if staff. */
  findActor?: () => Promise<Person | null>;
}

export class ResolutionWatcher {
  private readonly careChannels: Set<string>;

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

  isServedGuild(guildId: string | null): guildId is string {
    const ids = this.deps.settings.guildIds;
    return !!guildId && (ids.length === 0 || ids.includes(guildId));
  }

  isCareThread(channel: { isThread(): boolean; guildId?: string | null; parentId?: string | null }): boolean {
    return channel.isThread() && this.isServedGuild(channel.guildId ?? null) && !!channel.parentId && this.careChannels.has(channel.parentId);
  }

  async onThreadUpdate(before: AnyThreadChannel, after: AnyThreadChannel): Promise<void> {
    if (!this.isCareThread(after)) return;
    const parent = after.parent;
    const resolvedTagId = parent?.type === ChannelType.GuildForum ? tagIdByName(parent.availableTags, this.deps.settings.resolvedTag) : undefined;
    const triggers = resolutionTriggers(stateOf(before), stateOf(after), {
      resolvedTagId, onArchive: this.deps.settings.resolveOnArchive, onLock: this.deps.settings.resolveOnLock,
    });
    for (const trigger of triggers) {
      const how = await this.staffChange(after, trigger, resolvedTagId);
      if (!how) continue;
      const result = await this.resolveThread(after, how);
      this.deps.logger.info({ threadId: after.id, trigger, status: result.status }, 'discord thread resolution');
      return;
    }
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
          const actorId = await this.deps.audit.actor(guildId, thread.id, { key: 'applied_tags', tagId: tagId! }, at).catch(() => null);
          return actorId ? this.staffPerson(guildId, actorId) : null;
        },
      };
    }
    const at = trigger === 'archive' && thread.archiveTimestamp ? new Date(thread.archiveTimestamp) : new Date();
    let actorId: string | null;
    try {
      actorId = await this.deps.audit.actor(guildId, thread.id, { key: trigger === 'archive' ? 'archived' : 'locked' }, at);
    } catch (err) {
      const code = discordCode(err);
      if (code !== DiscordCode.MissingPermissions && code !== DiscordCode.MissingAccess) throw err;
      this.deps.logger.warn({ guildId, threadId: thread.id, trigger, code }, 'cannot read the audit log (give the bot View Audit Log): archive and lock cannot count as resolutions');
      return null;
    }
    if (!actorId || actorId === this.deps.client.user?.id) {
      this.deps.logger.debug({ threadId: thread.id, trigger }, 'thread closed by Discord or the bot, not by staff: ignored');
      return null;
    }
    const actor = await this.staffPerson(guildId, actorId);
    if (!actor) {
      this.deps.logger.debug({ threadId: thread.id, trigger }, 'thread closed by someone without the agent role: ignored');
      return null;
    }
    return { trigger, actor };
  }

  private async staffPerson(guildId: string, userId: string): Promise<Person | null> {
    const member = await this.deps.staff.member(guildId, userId);
    if (!member || member.bot || !this.deps.staff.hasAgentRole(guildId, member.roles)) return null;
    return { id: member.id, ...(member.name ? { name: member.name } : {}) };
  }

  /** Tell the engine this thread is resolved, after checking its customer and finding its agent. */
  async resolveThread(thread: ThreadChannel, how: ResolveHow): Promise<ResolveResult> {
    const { guildId, id: threadId } = thread;
    const ownerId = thread.ownerId;
    if (!ownerId) return { status: 'no-owner' };
    const owner = await this.deps.staff.member(guildId, ownerId);
    if (!owner) return { status: 'customer-left' };
    if (owner.bot) return { status: 'customer-is-bot' };
    if (this.deps.staff.hasAgentRole(guildId, owner.roles)) return { status: 'customer-is-staff' };
    const agent = how.agent
      ?? await this.deps.staff.lastStaffPoster(guildId, threadId, ownerId)
      ?? how.actor
      ?? (how.findActor ? await how.findActor() : null);
    if (!agent) return { status: 'no-agent' };
    const outcome = await this.deps.sink.resolved({
      channel: 'discord',
      conversationId: threadId,
      customer: { id: ownerId, ...(owner.name ? { name: owner.name } : {}), locale: thread.guild.preferredLocale },
      agent: { id: agent.id, ...(agent.name ? { name: agent.name } : {}) },
      resolvedAt: new Date(),
      link: `https://discord.com/channels/${guildId}/${threadId}`,
      address: { guildId, threadId },
    });
    return outcome;
  }
}

function stateOf(t: AnyThreadChannel): ThreadState {
  return { archived: t.archived ?? false, locked: t.locked ?? false, appliedTags: t.appliedTags ?? [] };
}
