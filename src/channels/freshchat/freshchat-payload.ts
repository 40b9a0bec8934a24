/**
 * What the Freshchat bridge reads, as zod schemas bounded in size: the webhook envelope
 * (`actor`, `action`, `action_time`, `data`) of `conversation_resolution` and
 * `message_create`, and the API's conversation and message list.
 */
import { z } from 'zod';

const id = z.string().trim().min(1).max(100);

export const envelopeSchema = z.object({
  actor: z.object({ actor_type: z.string().max(40).nullish(), actor_id: z.string().max(100).nullish() }).loose().nullish().catch(null),
  action: z.string().max(100),
  action_time: z.string().max(60).nullish(),
  data: z.unknown(),
}).loose();

export const resolutionDataSchema = z.object({
  resolve: z.object({
    resolver: z.string().max(40).nullish(),
    resolver_id: z.string().max(100).nullish(),
    conversation: z.object({ conversation_id: id, app_id: z.string().max(100).nullish(), channel_id: z.string().max(100).nullish(), assigned_agent_id: z.string().max(100).nullish() }).loose(),
  }).loose(),
}).loose();

const messagePart = z.object({
  text: z.object({ content: z.string().max(200_000).nullish() }).loose().nullish().catch(null),
}).loose();

export const freshchatMessageSchema = z.object({
  id,
  conversation_id: z.string().max(100).nullish(),
  actor_type: z.string().max(40).nullish(),
  actor_id: z.string().max(100).nullish(),
  user_id: z.string().max(100).nullish(),
  message_type: z.string().max(40).nullish(),
  message_source: z.string().max(60).nullish(),
  created_time: z.string().max(60).nullish(),
  message_parts: z.array(messagePart).max(50).nullish().catch(null),
}).loose();

export type FreshchatMessage = z.infer<typeof freshchatMessageSchema>;

export const messageDataSchema = z.object({ message: freshchatMessageSchema }).loose();

export const conversationSchema = z.object({
  conversation_id: id,
  status: z.string().max(40).nullish(),
  assigned_agent_id: z.string().max(100).nullish(),
  users: z.array(z.object({ id }).loose()).max(50).nullish().catch(null),
}).loose();

export const messageListSchema = z.object({ messages: z.array(z.unknown()).max(500) }).loose();

export const agentSchema = z.object({ first_name: z.string().max(200).nullish(), last_name: z.string().max(200).nullish() }).loose();

/** The text of a message: its text parts, joined. */
export function textOf(m: FreshchatMessage): string {
  return (m.message_parts ?? []).map((p) => p.text?.content ?? '').filter((t) => t.length > 0).join('\n');
}
