/**
 * Who is staff: members holding the agent role (DISCORD_AGENT_ROLE, a role id or a
 * role name). Member roles are fetched fresh over REST because, without the
 * privileged GuildMembers intent, the gateway does not tell the bot when roles change.
 */
import type { Client } from 'discord.js';
import type { DiscordMember, DiscordRest } from './discord-rest.ts';
import { SNOWFLAKE } from './discord-settings.ts';

const MAX_AUTHORS_CHECKED = 10;

export interface Person { id: string; name?: string }

export class StaffDirectory {
  constructor(
    private readonly client: Client,
    private readonly rest: DiscordRest,
    private readonly agentRole: string,
  ) {}

  /** The role ids that make a member staff in this server (by id, else by name). */
  agentRoleIds(guildId: string): Set<string> {
    const roles = this.client.guilds.cache.get(guildId)?.roles.cache;
    const ids = new Set<string>();
    if (SNOWFLAKE.test(this.agentRole) && (!roles || roles.has(this.agentRole))) ids.add(this.agentRole);
    if (roles && ids.size === 0) {
      const wanted = this.agentRole.trim().toLowerCase();
      for (const role of roles.values()) if (role.name.toLowerCase() === wanted) ids.add(role.id);
    }
    return ids;
  }

  hasAgentRole(guildId: string, roleIds: Iterable<string>): boolean {
    const agentIds = this.agentRoleIds(guildId);
    for (const id of roleIds) if (agentIds.has(id)) return true;
    return false;
  }

  /** The member, or null if they are not in the server. */
  member(guildId: string, userId: string): Promise<DiscordMember | null> {
    return this.rest.member(guildId, userId);
  }

  async isStaff(guildId: string, userId: string): Promise<boolean> {
    const m = await this.rest.member(guildId, userId);
    return !!m && !m.bot && this.hasAgentRole(guildId, m.roles);
  }

  /**
   * The staff member who wrote last in a thread (from its latest messages), skipping
   * the customer, bots and webhooks. Null when no staff member wrote there recently.
   */
  async lastStaffPoster(guildId: string, threadId: string, customerId: string): Promise<Person | null> {
    const messages = await this.rest.recentMessages(threadId, 50);
    const checked = new Set<string>();
    for (const m of messages) {
      const author = m.author;
      if (author.bot || m.webhook_id || author.id === customerId || checked.has(author.id)) continue;
      // A busy thread may have many helpers; a handful of member look-ups is enough.
      if (checked.size >= MAX_AUTHORS_CHECKED) break;
      checked.add(author.id);
      const member = await this.rest.member(guildId, author.id);
      if (member && !member.bot && this.hasAgentRole(guildId, member.roles)) return { id: member.id, name: member.name };
    }
    return null;
  }
}
