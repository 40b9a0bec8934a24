/**
 * The Account Activity payload X POSTs to the webhook, as far as this channel reads it:
 * `for_user_id`, `direct_message_events` and the `users` map (for names). Other event
 * kinds (tweets, likes, typing indicators) pass through unread. Sizes are bounded.
 */
import { z } from 'zod';
import { xUserId } from './x-settings.ts';
import { isFreshEvent } from '../event-age.ts';

const dmEventSchema = z.object({
  type: z.string().max(64),
  id: z.string().regex(/^\d{1,30}$/, 'expected a numeric event id'),
  created_timestamp: z.string().regex(/^\d{1,16}$/).optional(),
  message_create: z.object({
    target: z.object({ recipient_id: xUserId }),
    sender_id: xUserId,
    message_data: z.object({
      // X allows 10,000 characters; anything far above that is not X.
      text: z.string().max(20_000),
      quick_reply_response: z.object({
        type: z.string().max(32),
        metadata: z.string().max(1000).optional(),
      }).optional(),
    }),
  }).optional(),
});

// A user object we cannot read costs us only a name, never the event.
const userSchema = z.object({ name: z.string().max(1000).optional() }).catch({});

export const activityPayloadSchema = z.object({
  for_user_id: xUserId,
  direct_message_events: z.array(dmEventSchema).max(1000).optional(),
  users: z.record(z.string().max(30), userSchema).optional().catch(undefined),
});

export type ActivityPayload = z.infer<typeof activityPayloadSchema>;

/**
 * The payload without its direct-message events created more than `maxAgeMs` before
 * `now`, or without a readable `created_timestamp` (X always sends one). A captured,
 * validly signed delivery replayed later therefore changes nothing.
 */
export function withoutStaleEvents(payload: ActivityPayload, now: number, maxAgeMs: number): { payload: ActivityPayload; stale: number } {
  const events = payload.direct_message_events;
  if (!events) return { payload, stale: 0 };
  const fresh = events.filter((e) => isFreshEvent(e.created_timestamp === undefined ? undefined : Number(e.created_timestamp), now, maxAgeMs));
  return { payload: { ...payload, direct_message_events: fresh }, stale: events.length - fresh.length };
}

/** One direct message as the channel cares about it. */
export interface DirectMessageEvent {
  id: string;
  /** When X says it was sent (ms since epoch), if it said. */
  createdAt?: number;
  senderId: string;
  recipientId: string;
  text: string;
  quickReplyMetadata?: string;
  senderName?: string;
}

/** The `message_create` events of a payload, in order. */
export function directMessages(payload: ActivityPayload): DirectMessageEvent[] {
  const out: DirectMessageEvent[] = [];
  for (const e of payload.direct_message_events ?? []) {
    if (e.type !== 'message_create' || !e.message_create) continue;
    const m = e.message_create;
    const name = payload.users?.[m.sender_id]?.name?.trim().slice(0, 200);
    out.push({
      id: e.id,
      createdAt: e.created_timestamp ? Number(e.created_timestamp) : undefined,
      senderId: m.sender_id,
      recipientId: m.target.recipient_id,
      text: m.message_data.text,
      quickReplyMetadata: m.message_data.quick_reply_response?.metadata,
      senderName: name || undefined,
    });
  }
  return out;
}
