/**
 * A message back to a detractor from a manager ("we fixed what you told us"), through
 * the channel the survey used and within that platform's messaging rules. Sending it is
 * the engine's business (it knows the customer's address, the messaging window and the
 * opt-out list, and its outbox paces the platform): the reports side only validates the
 * text, asks through this port and records the result on the follow-up. Until the app
 * wires an engine entry point, the route answers 501 and nothing is sent.
 */
import { z } from 'zod';
import { stripControlChars } from '../../control-chars.ts';

export const MAX_REPLY_CHARS = 1000;

/** `POST /api/followups/:id/reply` with `{text}`. */
export const customerReplySchema = z.object({
  text: z.string().max(MAX_REPLY_CHARS * 2, `must be at most ${MAX_REPLY_CHARS} characters`)
    .transform((s) => stripControlChars(s).trim())
    .pipe(z.string().min(1, 'must not be empty').max(MAX_REPLY_CHARS, `must be at most ${MAX_REPLY_CHARS} characters`)),
}).strict();

export interface CustomerReplyRequest {
  /** The survey the follow-up belongs to: the engine finds the customer, channel and address from it. */
  surveyId: string;
  text: string;
  /** Who sends it (`manager`, `agent:<id>`), for the engine's log and audit. */
  by: string;
}

/**
 * What the engine answers: `sent` (handed to the outbox), `window-closed` (the platform no
 * longer lets the bot write to this customer), `opted-out` (the customer asked not to be
 * messaged), `unavailable` (no such survey or channel), `queued` (recorded; the platform could
 * not take it now and it is sent again when due).
 */
export type CustomerReplyStatus = 'sent' | 'queued' | 'window-closed' | 'opted-out' | 'unavailable';
export interface CustomerReplyResult { status: CustomerReplyStatus; messageId?: string }

export type ReplyToCustomer = (request: CustomerReplyRequest) => Promise<CustomerReplyResult>;
