/**
 * What the Zendesk bridge reads, as zod schemas bounded in size:
 * - the Zendesk event webhook `zen:event-type:ticket.status_changed` (ids may come as
 *   strings or numbers; statuses in capitals, `SOLVED`);
 * - the Support API's ticket conversation log (who wrote in the ticket: the messaging
 *   user's Sunshine id, each agent's Support id);
 * - Sunshine Conversations' v2 webhook (`events[]` of `conversation:message` and
 *   `conversation:postback`) and the two list answers of its API.
 */
import { z } from 'zod';

/** A platform id: a string or a number, kept as a string. */
export const platformId = z.union([z.string().trim().min(1).max(100), z.number().int().nonnegative()]).transform((v) => String(v));

const anyId = platformId.nullish().catch(null);

export const zendeskEventSchema = z.object({
  id: z.string().max(200).optional(),
  type: z.string().max(200),
  account_id: anyId,
  subject: z.string().max(200).nullish(),
  time: z.string().max(60).nullish(),
}).loose();

export const ticketStatusChangedSchema = z.object({
  id: z.string().max(200).optional(),
  type: z.literal('zen:event-type:ticket.status_changed'),
  account_id: anyId,
  time: z.string().max(60).nullish(),
  detail: z.object({
    id: platformId,
    requester_id: anyId,
    assignee_id: anyId,
    status: z.string().max(40).nullish(),
    via: z.object({ channel: z.string().max(60).nullish() }).loose().nullish().catch(null),
  }).loose(),
  event: z.object({ current: z.string().max(40).nullish(), previous: z.string().max(40).nullish() }).loose(),
}).loose();

export type TicketStatusChanged = z.infer<typeof ticketStatusChangedSchema>;

/** One record of `GET /api/v2/tickets/{id}/conversation_log`. */
const conversationLogEvent = z.object({
  type: z.string().max(100).nullish(),
  author: z.object({
    type: z.string().max(40).nullish(),
    'zen:support:user_id': anyId,
    'zen:sunco:user_id': z.string().max(100).nullish().catch(null),
    display_name: z.string().max(1000).nullish().catch(null),
    name: z.string().max(1000).nullish().catch(null),
  }).loose().nullish().catch(null),
}).loose();

export const conversationLogSchema = z.object({
  events: z.array(conversationLogEvent).max(1000),
  meta: z.object({ has_more: z.boolean().nullish(), after_cursor: z.string().max(500).nullish() }).loose().nullish().catch(null),
}).loose();

export type ConversationLog = z.infer<typeof conversationLogSchema>;

// ── Sunshine Conversations ──────────────────────────────────────────────────

const source = z.object({ type: z.string().max(60).nullish(), integrationId: z.string().max(100).nullish() }).loose().nullish().catch(null);

export const sunshineMessageSchema = z.object({
  id: z.string().max(100),
  received: z.string().max(60).nullish(),
  author: z.object({
    type: z.string().max(40),
    userId: z.string().max(100).nullish(),
    displayName: z.string().max(1000).nullish().catch(null),
    user: z.object({ id: z.string().max(100).nullish() }).loose().nullish().catch(null),
  }).loose(),
  content: z.object({
    type: z.string().max(40),
    text: z.string().max(200_000).nullish(),
    payload: z.string().max(2000).nullish(),
  }).loose(),
  source,
}).loose();

export type SunshineMessage = z.infer<typeof sunshineMessageSchema>;

const conversationRef = z.object({ id: z.string().max(100) }).loose();

export const sunshineWebhookSchema = z.object({
  app: z.object({ id: z.string().max(100) }).loose().nullish(),
  events: z.array(z.object({
    id: z.string().min(1).max(200),
    type: z.string().max(100),
    createdAt: z.string().max(60).nullish(),
    payload: z.unknown(),
  }).loose()).max(100),
}).loose();

export const sunshineMessagePayload = z.object({
  conversation: conversationRef,
  message: sunshineMessageSchema,
}).loose();

export const sunshinePostbackPayload = z.object({
  conversation: conversationRef,
  postback: z.object({ payload: z.string().max(2000).nullish() }).loose(),
  user: z.object({ id: z.string().max(100) }).loose().nullish(),
  source,
}).loose();

export const conversationListSchema = z.object({
  conversations: z.array(z.object({ id: z.string().max(100), lastUpdatedAt: z.string().max(60).nullish() }).loose()).max(500),
}).loose();

export const messageListSchema = z.object({
  messages: z.array(z.unknown()).max(500),
}).loose();
