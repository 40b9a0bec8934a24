/**
 * Where a survey's messages go, kept by the engine between sends (`Recipient.address`):
 * a DM channel, or — when Slack refused the DM and the fallback is on — the care
 * thread itself. The conversation id is `channel:thread_ts`, which also names the
 * thread to fall back to.
 */
import { z } from 'zod';

export type SlackAddress =
  | { mode: 'dm'; channel: string }
  | { mode: 'thread'; channel: string; thread_ts: string };

// A DM is a `D…` conversation; a thread lives in a channel (`C…`, `G…`). Anything else is not ours.
const addressSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('dm'), channel: z.string().regex(/^D[A-Z0-9]{1,30}$/) }),
  z.object({ mode: z.literal('thread'), channel: z.string().regex(/^[CG][A-Z0-9]{1,30}$/), thread_ts: z.string().regex(/^\d{1,12}\.\d{1,9}$/) }),
]);

/** The stored address, or null when there is none yet (or it is not one of ours). */
export function readAddress(address: Record<string, string> | undefined): SlackAddress | null {
  if (!address) return null;
  const parsed = addressSchema.safeParse(address);
  return parsed.success ? parsed.data : null;
}

export function conversationIdOf(channel: string, threadTs: string): string {
  return `${channel}:${threadTs}`;
}

/** The care thread a conversation id names, or null when it is not `channel:ts`. */
export function threadOf(conversationId: string): { channel: string; threadTs: string } | null {
  const m = /^([A-Z0-9]{2,64}):(\d{1,12}\.\d{1,9})$/.exec(conversationId);
  return m ? { channel: m[1]!, threadTs: m[2]! } : null;
}
