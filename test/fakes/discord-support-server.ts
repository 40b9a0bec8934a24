/**
 * A typical customer-care Discord server for the tests: a help forum with a
 * "Resolved" tag, a support text channel (threads), a general channel that is not a
 * care channel, an agent role with two agents, and a member without the role.
 */
import type { FakeDiscord } from './discord-fake.ts';
import type { ChannelJson, UserJson } from './discord-world.ts';

export const TEST_DISCORD_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.fake-token-for-tests-0123456789abcdefghijklmnop';

export interface SupportServer {
  guildId: string;
  forum: ChannelJson;
  resolvedTagId: string;
  bugTagId: string;
  support: ChannelJson;
  general: ChannelJson;
  agentRoleId: string;
  agent: UserJson;
  agent2: UserJson;
  /** A member without the agent role (a moderator of something else, say). */
  member: UserJson;
  /** Another bot in the server. */
  otherBot: UserJson;
  /** A new customer who is a member of the server. */
  customer(name: string): UserJson;
  /** The env the bot needs to serve this server. */
  env(extra?: Record<string, string>): Record<string, string>;
}

export function buildSupportServer(discord: FakeDiscord, opts: { preferredLocale?: string } = {}): SupportServer {
  const world = discord.world;
  const guild = world.addGuild('Acme Support', { preferredLocale: opts.preferredLocale ?? 'en-US' });
  const agentRole = world.addRole(guild.id, 'Support Agent');
  world.addRole(guild.id, 'Moderator');
  const forum = world.addForum(guild.id, 'help', ['Bug', 'Resolved']);
  const support = world.addTextChannel(guild.id, 'support');
  const general = world.addTextChannel(guild.id, 'general');
  const agent = world.addUser('Sam Agent');
  const agent2 = world.addUser('Alex Agent');
  const member = world.addUser('Mo Member');
  const otherBot = world.addUser('Other Bot', { bot: true });
  world.addMember(guild.id, agent.id, [agentRole.id]);
  world.addMember(guild.id, agent2.id, [agentRole.id]);
  world.addMember(guild.id, member.id);
  world.addMember(guild.id, otherBot.id);
  const tags = forum.available_tags!;
  return {
    guildId: guild.id,
    forum,
    resolvedTagId: tags.find((t) => t.name === 'Resolved')!.id,
    bugTagId: tags.find((t) => t.name === 'Bug')!.id,
    support,
    general,
    agentRoleId: agentRole.id,
    agent,
    agent2,
    member,
    otherBot,
    customer(name: string) {
      const user = world.addUser(name);
      world.addMember(guild.id, user.id);
      return user;
    },
    env(extra = {}) {
      return {
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.url,
        DISCORD_GUILD_IDS: guild.id,
        DISCORD_CARE_CHANNELS: `${forum.id},${support.id}`,
        DISCORD_AGENT_ROLE: 'support agent',
        ...extra,
      };
    },
  };
}
