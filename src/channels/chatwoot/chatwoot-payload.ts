/**
 * Chatwoot's webhook payloads, as far as the bridge reads them:
 *
 * - `conversation_status_changed`: the conversation itself (`id` is the number the API
 *   uses, `channel` the inbox type, `status`, `meta.sender` the contact, `meta.assignee`
 *   the agent, `additional_attributes`, `contact_inbox`).
 * - `message_created` / `message_updated`: the message (`id`, `content`,
 *   `message_type` "incoming" | "outgoing" | "activity" | "template", `private`,
 *   `content_type`, `content_attributes` — where the web widget puts the option a
 *   customer picked in an `input_select` as `submitted_values`), its `sender`, its
 *   `conversation` (as above) and `account`.
 *
 * Ids may come as numbers or strings; every string is bounded. Other events are not
 * read at all.
 */
import { z } from 'zod';

const id = z.union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,20}$/)])
  .transform((v) => String(v));

const personSchema = z.object({
  id,
  name: z.string().max(1000).nullish(),
  type: z.string().max(40).nullish(),
}).loose();

/** Anything unreadable about a person is the same as no person. */
const person = personSchema.nullish().catch(null);

export const conversationSchema = z.object({
  id,
  account_id: id.optional().catch(undefined),
  channel: z.string().max(100).nullish(),
  status: z.string().max(40).nullish(),
  additional_attributes: z.record(z.string(), z.unknown()).nullish().catch(null),
  contact_inbox: z.object({ source_id: z.string().max(500).nullish() }).loose().nullish().catch(null),
  meta: z.object({
    sender: person,
    assignee: person,
    assignee_type: z.string().max(40).nullish().catch(null),
  }).loose().nullish().catch(null),
  messages: z.array(z.object({ account_id: id.optional().catch(undefined) }).loose()).max(100).optional().catch(undefined),
}).loose();

export type ChatwootConversation = z.infer<typeof conversationSchema>;

/** `message_type` is a word in webhooks and a number in some other payloads. */
const MESSAGE_TYPES: Record<number, string> = { 0: 'incoming', 1: 'outgoing', 2: 'activity', 3: 'template' };

export const messageEventSchema = z.object({
  event: z.enum(['message_created', 'message_updated']),
  id,
  content: z.string().max(200_000).nullish(),
  message_type: z.union([z.string().max(40), z.number().int()]).transform((t) => (typeof t === 'number' ? MESSAGE_TYPES[t] ?? String(t) : t)),
  content_type: z.string().max(40).nullish(),
  content_attributes: z.object({
    submitted_values: z.array(z.object({ title: z.string().max(1000).nullish(), value: z.string().max(1000).nullish() }).loose()).max(50).nullish(),
  }).loose().nullish().catch(null),
  private: z.boolean().nullish(),
  /** When the message was created: an ISO date-time in webhooks, seconds since the epoch in some payloads. */
  created_at: z.union([z.string().max(40), z.number().finite()]).nullish().catch(null),
  sender: person,
  conversation: conversationSchema,
  account: z.object({ id }).loose().nullish().catch(null),
}).loose();

export type ChatwootMessageEvent = z.infer<typeof messageEventSchema>;

export const statusChangedSchema = conversationSchema.extend({ event: z.literal('conversation_status_changed') });

export type ChatwootStatusChanged = z.infer<typeof statusChangedSchema>;

export const eventNameSchema = z.object({ event: z.string().max(100) }).loose();

/** The account a payload belongs to, where it says (message events name it; conversation events only in some versions). */
export function accountOf(conversation: ChatwootConversation, account?: { id: string } | null): string | undefined {
  return account?.id ?? conversation.account_id ?? conversation.messages?.find((m) => m.account_id)?.account_id;
}

/** A message's `created_at` as ms since the epoch, or undefined when it is missing or unreadable. */
export function createdAtMs(value: string | number | null | undefined): number | undefined {
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string') return undefined;
  const at = /^\d{1,12}$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  return Number.isFinite(at) ? at : undefined;
}
