/**
 * What the Intercom bridge reads, as zod schemas bounded in size: the webhook
 * notification (`type: notification_event`, `topic`, `data.item` a conversation) and the
 * conversation of `GET /conversations/{id}` (contacts, source, teammates, parts).
 */
import { z } from 'zod';

const id = z.union([z.string().trim().min(1).max(100), z.number().int().nonnegative()]).transform((v) => String(v));

const author = z.object({
  type: z.string().max(40).nullish(),
  id: id.nullish().catch(null),
  name: z.string().max(1000).nullish().catch(null),
}).loose().nullish().catch(null);

export const conversationPartSchema = z.object({
  id,
  part_type: z.string().max(60).nullish(),
  body: z.string().max(200_000).nullish(),
  author,
  metadata: z.record(z.string(), z.unknown()).nullish().catch(null),
}).loose();

export type IntercomPart = z.infer<typeof conversationPartSchema>;

export const intercomConversationSchema = z.object({
  type: z.literal('conversation').optional(),
  id,
  state: z.string().max(40).nullish(),
  admin_assignee_id: id.nullish().catch(null),
  source: z.object({
    type: z.string().max(60).nullish(),
    delivered_as: z.string().max(60).nullish(),
    author,
  }).loose().nullish().catch(null),
  contacts: z.object({ contacts: z.array(z.object({ id }).loose()).max(50) }).loose().nullish().catch(null),
  teammates: z.object({ admins: z.array(z.object({ id }).loose()).max(200) }).loose().nullish().catch(null),
  conversation_parts: z.object({
    conversation_parts: z.array(z.unknown()).max(1000),
    total_count: z.number().int().nullish(),
  }).loose().nullish().catch(null),
}).loose();

export type IntercomConversation = z.infer<typeof intercomConversationSchema>;

export const notificationSchema = z.object({
  type: z.literal('notification_event'),
  id: z.string().max(200).nullish(),
  app_id: z.string().max(100).nullish(),
  topic: z.string().max(100),
  data: z.object({ item: z.unknown() }).loose().nullish(),
}).loose();

/** The parts of a conversation that read cleanly (a malformed one is left out, not fatal). */
export function partsOf(c: IntercomConversation): IntercomPart[] {
  return (c.conversation_parts?.conversation_parts ?? []).flatMap((p) => {
    const one = conversationPartSchema.safeParse(p);
    return one.success ? [one.data] : [];
  });
}
