/**
 * zod schemas for the parts of Slack's payloads the channel reads: the events
 * (`reaction_added`, `message`), the message shortcut and the button press. Bolt has
 * already checked the signature; these check the shape and bound the sizes, and
 * ignore every field we do not use.
 */
import { z } from 'zod';

const id = z.string().min(1).max(64);
const ts = z.string().regex(/^\d{1,12}\.\d{1,9}$/, 'expected a Slack ts');

/** The envelope around an Events API event (HTTP body or Socket Mode payload). */
export const eventEnvelopeSchema = z.object({
  event_id: z.string().max(100).optional(),
  team_id: z.string().max(64).optional(),
});

export const reactionAddedSchema = z.object({
  type: z.literal('reaction_added'),
  user: id,
  reaction: z.string().min(1).max(200),
  item: z.object({ type: z.string().max(40), channel: id.optional(), ts: ts.optional() }),
  item_user: id.optional(),
  event_ts: ts.optional(),
});
export type ReactionAdded = z.infer<typeof reactionAddedSchema>;

export const messageEventSchema = z.object({
  type: z.literal('message'),
  channel: id,
  channel_type: z.string().max(20).optional(),
  user: id.optional(),
  bot_id: id.optional(),
  subtype: z.string().max(60).optional(),
  text: z.string().max(40_000).optional(),
  ts,
  thread_ts: ts.optional(),
  parent_user_id: id.optional(),
  client_msg_id: z.string().max(100).optional(),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

export const messageShortcutSchema = z.object({
  type: z.literal('message_action'),
  callback_id: z.string().max(255),
  user: z.object({ id }),
  channel: z.object({ id }),
  message: z.object({ ts, thread_ts: ts.optional(), user: id.optional() }),
});
export type MessageShortcut = z.infer<typeof messageShortcutSchema>;

export const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id }),
  actions: z.array(z.object({
    action_id: z.string().max(255),
    value: z.string().max(2000).optional(),
    action_ts: ts.optional(),
  })).min(1).max(25),
  container: z.object({ channel_id: id.optional(), message_ts: ts.optional(), thread_ts: ts.optional() }).optional(),
  channel: z.object({ id }).optional(),
  message: z.object({ ts, thread_ts: ts.optional(), blocks: z.array(z.unknown()).max(50).optional() }).optional(),
});
export type BlockActions = z.infer<typeof blockActionsSchema>;

/** Message subtypes that are still a person writing (others are edits, deletions, joins, …). */
export const WRITTEN_SUBTYPES: ReadonlySet<string> = new Set(['file_share', 'thread_broadcast']);
