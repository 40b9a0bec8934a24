/**
 * `/resolve`: staff run it inside a support thread to mark it resolved. The bot puts it
 * in each served server at start-up (a guild command shows up at once; global commands
 * can take an hour). The reply is ephemeral: only the staff member sees it.
 */
import { MessageFlags, type ChatInputCommandInteraction, type Client, type ThreadChannel } from 'discord.js';
import type { Logger } from '../../logger.ts';
import type { CommandJson, DiscordRest } from './discord-rest.ts';
import type { ResolutionWatcher, ResolveResult } from './discord-resolution-watcher.ts';
import type { StaffDirectory } from './discord-staff-directory.ts';

export const RESOLVE_COMMAND: CommandJson = {
  name: 'resolve',
  description: 'Mark this support thread resolved; the customer gets the satisfaction question',
  type: 1,
  contexts: [0], // servers only, never in DMs
  default_member_permissions: null, // visible to all; the agent role is checked when it runs
};

const REPLIES: Record<ResolveResult['status'], string> = {
  scheduled: 'Resolved. The customer will get the satisfaction question.',
  duplicate: 'This thread was already resolved; the customer is asked only once.',
  'no-owner': 'I cannot tell who opened this thread, so nobody will be asked.',
  'customer-left': 'The person who opened this thread has left the server, so nobody will be asked.',
  'customer-is-bot': 'This thread was opened by a bot, so nobody will be asked.',
  'customer-is-staff': 'This thread was opened by staff, so nobody will be asked.',
  'no-agent': 'No staff member took part in this thread.',
};

export class ResolveCommand {
  constructor(private readonly deps: {
    client: Client;
    rest: DiscordRest;
    watcher: ResolutionWatcher;
    staff: StaffDirectory;
    logger: Logger;
  }) {}

  /** Register /resolve in one server. PUT replaces this application's commands there. */
  async register(applicationId: string, guildId: string): Promise<void> {
    await this.deps.rest.putGuildCommands(applicationId, guildId, [RESOLVE_COMMAND]);
  }

  async handle(interaction: ChatInputCommandInteraction): Promise<void> {
    if (interaction.commandName !== RESOLVE_COMMAND.name) return;
    // Acknowledge first: the checks below call Discord, and the token lives 3 seconds unacknowledged.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const text = await this.run(interaction);
    await interaction.editReply({ content: text });
  }

  private async run(interaction: ChatInputCommandInteraction): Promise<string> {
    const { watcher, staff } = this.deps;
    const guildId = interaction.guildId;
    if (!guildId || !watcher.isServedGuild(guildId)) return 'This server is not served by the survey bot.';
    const thread = await this.threadOf(interaction);
    if (!thread || !watcher.isCareThread(thread)) return 'Run /resolve inside a support thread of a care channel.';
    const roles = memberRoleIds(interaction);
    if (interaction.user.bot || !staff.hasAgentRole(guildId, roles)) return 'Only members with the agent role can resolve threads.';
    const name = interaction.member && 'displayName' in interaction.member ? interaction.member.displayName : interaction.user.globalName ?? interaction.user.username;
    const result = await watcher.resolveThread(thread, { trigger: 'command', agent: { id: interaction.user.id, name } });
    this.deps.logger.info({ threadId: thread.id, trigger: 'command', status: result.status }, 'discord thread resolution');
    return REPLIES[result.status];
  }

  /** The thread the command ran in, with its owner: from the cache, else fetched. */
  private async threadOf(interaction: ChatInputCommandInteraction): Promise<ThreadChannel | null> {
    const cached = interaction.channel;
    if (cached?.isThread() && cached.ownerId && cached.parentId) return cached;
    const fetched = await this.deps.client.channels.fetch(interaction.channelId, { force: true }).catch(() => null);
    return fetched?.isThread() ? fetched : null;
  }
}

/** The member's role ids, whether discord.js gave a cached member or the raw payload. */
function memberRoleIds(interaction: ChatInputCommandInteraction): string[] {
  const member = interaction.member;
  if (!member) return [];
  return Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
}
