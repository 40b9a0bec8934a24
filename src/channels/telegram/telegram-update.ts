/**
 * The parts of a Bot API `Update` this channel reads, checked with zod before anything
 * acts on them (webhook and long polling alike): `message` (a private chat with the bot,
 * or a support group), `business_message` (a chat of a Telegram Business account the
 * bot is connected to) and `callback_query` (a tap on an inline button). Sizes are
 * bounded at Telegram's own limits or a little above. Other update kinds pass unread.
 */
import { z } from 'zod';

/** User and chat ids have up to 52 significant bits: safe JavaScript integers. */
const numericId = z.number().int().min(-(2 ** 53) + 1).max(2 ** 53 - 1);

export const userSchema = z.object({
  id: numericId,
  is_bot: z.boolean(),
  first_name: z.string().max(1000),
  last_name: z.string().max(1000).optional(),
  username: z.string().max(100).optional(),
  language_code: z.string().max(35).optional(),
}).loose();

const chatSchema = z.object({
  id: numericId,
  type: z.string().max(20),
  title: z.string().max(1000).optional(),
  first_name: z.string().max(1000).optional(),
  last_name: z.string().max(1000).optional(),
  is_forum: z.boolean().optional(),
}).loose();

/** The fields of a message we read; the message a reply points to has the same shape, one level deep. */
const messageFields = {
  message_id: z.number().int().min(0).max(2 ** 53 - 1),
  date: z.number().int().min(0).optional(),
  chat: chatSchema,
  from: userSchema.optional(),
  sender_chat: z.object({ id: numericId }).loose().optional(),
  sender_business_bot: userSchema.optional(),
  business_connection_id: z.string().min(1).max(200).optional(),
  message_thread_id: z.number().int().min(0).max(2 ** 53 - 1).optional(),
  is_topic_message: z.boolean().optional(),
  text: z.string().max(20_000).optional(),
  caption: z.string().max(20_000).optional(),
  forum_topic_created: z.object({}).loose().optional(),
};

const repliedSchema = z.object(messageFields).loose();

export const messageSchema = z.object({ ...messageFields, reply_to_message: repliedSchema.optional().catch(undefined) }).loose();

export const callbackQuerySchema = z.object({
  id: z.string().min(1).max(200),
  from: userSchema,
  // An old message comes back "inaccessible" (`date: 0`, no text): only chat and id are read.
  message: z.object({
    message_id: z.number().int().min(0).max(2 ** 53 - 1),
    chat: chatSchema,
    business_connection_id: z.string().min(1).max(200).optional(),
  }).loose().optional(),
  data: z.string().max(256).optional(),
}).loose();

export const updateSchema = z.object({
  update_id: z.number().int().min(0).max(2 ** 53 - 1),
  message: messageSchema.optional(),
  business_message: messageSchema.optional(),
  callback_query: callbackQuerySchema.optional(),
}).loose();

/** What the webhook route checks before handing a body on: an object with an update id. */
export const updateEnvelopeSchema = z.object({ update_id: z.number().int().min(0).max(2 ** 53 - 1) }).loose();

export type TelegramUser = z.infer<typeof userSchema>;
export type TelegramMessage = z.infer<typeof messageSchema>;
export type TelegramCallbackQuery = z.infer<typeof callbackQuerySchema>;
export type TelegramUpdate = z.infer<typeof updateSchema>;

/** A person's display name, bounded. */
export function displayName(u: { first_name?: string; last_name?: string }): string | undefined {
  const name = [u.first_name, u.last_name].filter(Boolean).join(' ').trim().slice(0, 200);
  return name || undefined;
}

/** Telegram's `language_code` when it is a plausible IETF tag (`en`, `pt-br`). */
export function localeHint(code: string | undefined): string | undefined {
  return code && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/.test(code) ? code : undefined;
}
