/**
 * The permissions the bot asks for when invited, and the invite URL built from the
 * application id. Each permission is here for one reason:
 * - View Channels, Read Message History: see the care channels and read a thread's
 *   latest messages to find the staff member who helped;
 * - Send Messages, Send Messages in Threads: the thread fallback and notices to managers;
 * - View Audit Log: tell a staff member archiving or locking a thread from Discord's
 *   automatic archiving.
 * Manage Threads is optional: only needed to ask in a thread staff already locked.
 */
import { PermissionFlagsBits, PermissionsBitField } from 'discord.js';

export const BOT_PERMISSIONS = new PermissionsBitField([
  PermissionFlagsBits.ViewChannel,
  PermissionFlagsBits.SendMessages,
  PermissionFlagsBits.SendMessagesInThreads,
  PermissionFlagsBits.ReadMessageHistory,
  PermissionFlagsBits.ViewAuditLog,
]);

/** `bot` joins the server; `applications.commands` lets it register /resolve there. */
export function inviteUrl(applicationId: string, permissions: bigint = BOT_PERMISSIONS.bitfield): string {
  const params = new URLSearchParams({ client_id: applicationId, scope: 'bot applications.commands', permissions: permissions.toString() });
  return `https://discord.com/oauth2/authorize?${params.toString().replace(/\+/g, '%20')}`;
}
