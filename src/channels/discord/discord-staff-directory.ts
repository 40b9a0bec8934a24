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
    return (await this.threadStaff(guildId, threadId, customerId)).last;
  }

  /**
   * From one read of the thread's latest messages (up to 100, Discord's page): the staff
   * member who wrote last, and every member with the agent role who wrote, with how many
   * messages each (`participants` for the attribution rules), in the order of each one's
   * last message (the last entry wrote last). The customer, bots and webhooks are skipped.
   */
  async threadStaff(guildId: string, threadId: string, customerId: string): Promise<{ last: Person | null; participants: Array<Person & { replies: number }> }> {
    const messages = await this.rest.recentMessages(threadId, 100);
    const counts = new Map<string, number>();
    const newestFirst: string[] = [];
    for (const m of messages) {
      const author = m.author;
      if (author.bot || m.webhook_id || author.id === customerId) continue;
      if (!counts.has(author.id)) newestFirst.push(author.id);
      counts.set(author.id, (counts.get(author.id) ?? 0) + 1);
    }
    const staff: Person[] = [];
    // A busy thread may have many helpers; a handful of member look-ups is enough.
    for (const id of newestFirst.slice(0, MAX_AUTHORS_CHECKED)) {
      const member = await this.rest.member(guildId, id);
      if (member && !member.bot && this.hasAgentRole(guildId, member.roles)) staff.push({ id: member.id, ...(member.name ? { name: member.name } : {}) });
    }
    return {
      last: staff[0] ?? null,
      participants: [...staff].reverse().map((p) => ({ ...p, replies: counts.get(p.id) ?? 0 })),
    };
  }
}
