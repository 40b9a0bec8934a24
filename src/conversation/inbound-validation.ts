/**
 * zod schemas for what adapters and HTTP callers hand the engine. Sizes are bounded
 * here, once, so every channel gets the same limits.
 */
import { z } from 'zod';

const id = z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters')
  .refine((s) => !s.includes('\u0000'), 'must not contain NUL bytes');
const name = z.string().max(200, 'must be at most 200 characters').optional();

/** `slack`, `webhook`, or a platform behind a bridge: `chatwoot:whatsapp`. At most 32 characters. */
export const channelNameSchema = z.string()
  .regex(/^(?=.{1,32}$)[a-z][a-z0-9_-]*(?::[a-z][a-z0-9_-]*)?$/, 'expected a channel name like "slack", "webhook" or "chatwoot:whatsapp"');

export const resolvedEventSchema = z.object({
  channel: channelNameSchema,
  conversationId: id,
  customer: z.object({
    id,
    name,
    locale: z.string().max(35, 'must be at most 35 characters').optional(),
    isBot: z.boolean().optional(),
    /** A customer segment from the care tool (e.g. "enterprise"), for reports by segment. */
    segment: z.string().trim().min(1).max(64, 'must be at most 64 characters').optional(),
    /** What the customer is worth (e.g. yearly revenue), for value at risk; not negative. */
    value: z.number().finite().min(0, 'must not be negative').max(1e12, 'is implausibly large').optional(),
  }),
  agent: z.object({ id, name }),
  resolvedAt: z.coerce.date({ message: 'expected an ISO date-time' }).optional(),
  type: z.enum(['transactional', 'relational']).optional(),
  link: z.string().max(2000).optional(),
  address: z.record(z.string().max(64), z.string().max(2000)).optional(),
  /** The caller's id for this resolution event; kept on the survey (the conversation id is what makes a repeat harmless). */
  eventId: z.string().min(1).max(300).optional(),
  skipReason: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'expected a short slug like "no-messaging-conversation"').optional(),
  participants: z.array(z.object({ id, name, replies: z.number().int().min(0).max(100_000) })).max(50, 'at most 50 participants').optional(),
});

/**
 * A resolution before its agent is known: what `POST /api/resolutions` checks before it
 * asks the channel who the agent was (the engine still validates the whole event).
 */
export const resolutionWithoutAgentSchema = resolvedEventSchema.pick({ channel: true, conversationId: true, customer: true });

/** Texts longer than this are cut before parsing and storing; nobody types an NPS comment this long. */
export const MAX_INBOUND_TEXT = 20_000;

export const inboundMessageSchema = z.object({
  channel: channelNameSchema,
  customerId: id,
  text: z.string().transform((s) => s.slice(0, MAX_INBOUND_TEXT)),
  choice: z.number().int().min(0).max(10).optional(),
  surveyId: z.string().max(64).optional(),
  eventId: z.string().max(300).optional(),
  receivedAt: z.date().optional(),
});
