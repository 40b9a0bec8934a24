/**
 * The webhook payload of Messenger (`object: "page"`) and Instagram messaging
 * (`object: "instagram"`), as far as these channels read it:
 * `entry[].messaging[]` with a `message` (text, quick-reply payload, `is_echo`), a
 * `postback`, or Messenger's `messaging_feedback` (the customer feedback template's
 * answer). Other events (reads, deliveries, reactions, referrals…) pass through unread.
 * Strings and arrays are bounded; an event we cannot read is dropped, never the batch.
 */
import { z } from 'zod';

const psid = z.string().regex(/^\d{1,40}$/, 'expected a numeric id');

/** Message ids become the engine's event ids (at most 300 characters); Meta's are about 100. */
const messageSchema = z.object({
  mid: z.string().min(1).max(300),
  text: z.string().max(20_000).optional(),
  is_echo: z.boolean().optional(),
  app_id: z.union([z.number(), z.string().max(40)]).optional(),
  quick_reply: z.object({ payload: z.string().max(1000) }).optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
}).loose();

const feedbackSchema = z.object({
  feedback_screens: z.array(z.object({
    screen_id: z.number().int().optional(),
    questions: z.record(z.string().max(100), z.object({
      type: z.string().max(20),
      payload: z.string().max(100),
      follow_up: z.object({ type: z.string().max(20).optional(), payload: z.string().max(20_000).optional() }).optional(),
    }).loose()),
  }).loose()).max(10),
}).loose();

const messagingEventSchema = z.object({
  sender: z.object({ id: psid }),
  recipient: z.object({ id: psid }),
  timestamp: z.number().optional(),
  message: messageSchema.optional(),
  postback: z.object({ mid: z.string().max(300).optional(), title: z.string().max(1000).optional(), payload: z.string().max(1000).optional() }).loose().optional(),
  messaging_feedback: feedbackSchema.optional(),
}).loose();

export const messagingPayloadSchema = z.object({
  object: z.enum(['page', 'instagram']),
  entry: z.array(z.object({
    id: psid,
    time: z.number().optional(),
    // A single event that does not parse is dropped below, not the whole delivery.
    messaging: z.array(z.unknown()).max(1000).optional(),
  }).loose()).max(1000),
});

export type MessagingPayload = z.infer<typeof messagingPayloadSchema>;

/** One thing the channel reacts to, in delivery order. */
export type MessagingEvent =
  | { kind: 'message'; accountId: string; senderId: string; recipientId: string; mid: string; text: string; quickReplyPayload?: string; isEcho: boolean; timestamp?: number }
  | { kind: 'postback'; accountId: string; senderId: string; recipientId: string; mid?: string; title: string; payload?: string; timestamp?: number }
  | { kind: 'feedback'; accountId: string; senderId: string; recipientId: string; answers: Array<{ questionId: string; type: string; payload: string; comment?: string }>; timestamp?: number };

export interface ReadResult { events: MessagingEvent[]; dropped: number }

export function messagingEvents(payload: MessagingPayload): ReadResult {
  const events: MessagingEvent[] = [];
  let dropped = 0;
  for (const entry of payload.entry) {
    for (const raw of entry.messaging ?? []) {
      const parsed = messagingEventSchema.safeParse(raw);
      if (!parsed.success) {
        dropped++;
        continue;
      }
      const e = parsed.data;
      const base = { accountId: entry.id, senderId: e.sender.id, recipientId: e.recipient.id, timestamp: e.timestamp };
      if (e.message) {
        if (e.message.is_deleted || e.message.is_unsupported) continue;
        events.push({
          ...base, kind: 'message', mid: e.message.mid, text: e.message.text ?? '',
          quickReplyPayload: e.message.quick_reply?.payload, isEcho: e.message.is_echo === true,
        });
      } else if (e.postback) {
        events.push({ ...base, kind: 'postback', mid: e.postback.mid, title: e.postback.title ?? '', payload: e.postback.payload });
      } else if (e.messaging_feedback) {
        const answers = e.messaging_feedback.feedback_screens.flatMap((screen) => Object.entries(screen.questions).map(([questionId, q]) => ({
          questionId, type: q.type, payload: q.payload, comment: q.follow_up?.payload,
        })));
        events.push({ ...base, kind: 'feedback', answers });
      }
    }
  }
  return { events, dropped };
}
