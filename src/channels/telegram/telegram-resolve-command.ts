/**
 * `/resolve`: an agent marks a Telegram conversation resolved, and the customer gets the
 * question in the same chat.
 *
 * - **In a business chat** (Telegram Business, the bot connected to the company's
 *   account): the business side types `/resolve` in the customer's chat. In a business
 *   chat the chat id is the customer's user id, so a message whose sender is someone else
 *   is the business's own. The agent is that sender; the question goes out inside the
 *   business chat, as the business.
 * - **In a support group** (TELEGRAM_SUPPORT_CHAT_IDS): an administrator replies
 *   `/resolve` to the customer's message, or sends it inside the customer's forum topic
 *   (a topic message without an explicit reply points at the topic's first message, whose
 *   sender opened it). The question goes to that topic, or as a reply to that message.
 *
 * Anything else (a customer typing /resolve, a member who is not an administrator, no
 * customer to ask) resolves nothing; in groups the bot says why.
 */
import type { ResolvedEvent } from '../../conversation/channel-contract/channel.ts';
import { displayName, localeHint, type TelegramMessage, type TelegramUser } from './telegram-update.ts';

export type ResolveDecision =
  | { kind: 'resolve'; event: ResolvedEvent }
  | { kind: 'refuse'; reply?: string };

/** Is this text the /resolve command (optionally addressed `/resolve@ThisBot`)? */
export function isResolveCommand(text: string, botUsername: string | undefined): boolean {
  const m = /^\/resolve(?:@([A-Za-z0-9_]{1,64}))?(?:\s|$)/.exec(text);
  return m !== null && (m[1] === undefined || (botUsername !== undefined && m[1].toLowerCase() === botUsername.toLowerCase()));
}

const agentOf = (u: TelegramUser) => ({ id: String(u.id), name: displayName(u) });

/** A /resolve in a business chat, by the business side. `language`: the customer's last known language_code. */
export function resolveInBusinessChat(channel: string, m: TelegramMessage, language: string | undefined): ResolveDecision {
  const from = m.from;
  // The customer typing /resolve, or a bot speaking for the business: nothing to resolve.
  if (!from || from.id === m.chat.id || from.is_bot || m.sender_business_bot || !m.business_connection_id) return { kind: 'refuse' };
  return {
    kind: 'resolve',
    event: {
      channel,
      conversationId: `business:${m.chat.id}:${m.message_id}`,
      customer: { id: String(m.chat.id), name: displayName(m.chat), locale: localeHint(language) },
      agent: agentOf(from),
      resolvedAt: m.date ? new Date(m.date * 1000) : undefined,
      address: { chat_id: String(m.chat.id), business_connection_id: m.business_connection_id },
    },
  };
}

/** A /resolve in a support group, by an administrator (`isAdmin` already checked by the caller). */
export function resolveInGroup(channel: string, m: TelegramMessage, isAdmin: boolean): ResolveDecision {
  const from = m.from;
  if (!from || m.sender_chat) return { kind: 'refuse', reply: 'Resolve as yourself (not anonymously), so the answer is credited to you.' };
  if (!isAdmin) return { kind: 'refuse', reply: 'Only the group\'s administrators can resolve conversations.' };
  const replied = m.reply_to_message;
  const topic = m.is_topic_message ? m.message_thread_id : undefined;
  const customer = replied?.from;
  if (!replied || !customer) return { kind: 'refuse', reply: 'Reply /resolve to the customer\'s message (or send it in the customer\'s topic).' };
  if (customer.is_bot || customer.id === from.id) return { kind: 'refuse', reply: 'That message is not a customer\'s: reply /resolve to the customer\'s message.' };
  const address: Record<string, string> = { chat_id: String(m.chat.id) };
  if (topic !== undefined) address.message_thread_id = String(topic);
  else address.reply_to_message_id = String(replied.message_id);
  return {
    kind: 'resolve',
    event: {
      channel,
      conversationId: topic !== undefined ? `group:${m.chat.id}:topic:${topic}` : `group:${m.chat.id}:${replied.message_id}`,
      customer: { id: String(customer.id), name: displayName(customer), locale: localeHint(customer.language_code) },
      agent: agentOf(from),
      resolvedAt: m.date ? new Date(m.date * 1000) : undefined,
      address,
    },
  };
}
