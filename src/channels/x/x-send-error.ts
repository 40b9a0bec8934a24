/**
 * What an X API failure means for the outbox: wait and retry (429, 5xx, X over
 * capacity, the network), or give up on this customer (DMs closed, user gone, the
 * request refused). X puts its reasons in `{errors: [{code, message}]}`.
 */
import { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';

/** X error codes that mean "try again later" even without a 5xx. */
const TRANSIENT_CODES = new Set([
  88,  // rate limit exceeded
  130, // over capacity
  131, // internal error
  135, // timestamp out of bounds (clock skew; twit re-syncs from the Date header)
]);

/** X error codes that mean "this customer cannot get a DM from you" (named in the survey's lastError). */
export const CANNOT_DM_CODES = new Set([
  349, // you cannot send messages to this user
  150, // you cannot send messages to users who are not following you
  151, // there was an error sending your message (X's wording for refused DMs)
  50,  // user not found
  63,  // user has been suspended
  108, // cannot find specified user
]);

export interface XFailure {
  /** HTTP status, or null when no response came (network, timeout). */
  status: number | null;
  /** X's error codes from the body, in order. */
  codes: number[];
  message: string;
  /** `x-rate-limit-reset`: when the window resets, in epoch seconds. */
  rateLimitReset?: string;
}

/** Turn an X failure into the error the outbox understands (each platform has its `toSendError`). */
export function toSendError(f: XFailure, nowMs: number): PermanentSendError | TransientSendError {
  const codes = f.codes.length > 0 ? ` (X code ${f.codes.join(', ')})` : '';
  const what = `X ${f.status === null ? 'unreachable' : `answered ${f.status}`}: ${f.message.slice(0, 200)}${codes}`;
  if (f.status === 429 || f.codes.includes(88)) return new TransientSendError(what, resetWaitMs(f.rateLimitReset, nowMs));
  if (f.status === null || f.status >= 500 || f.status === 408 || f.codes.some((c) => TRANSIENT_CODES.has(c))) {
    return new TransientSendError(what);
  }
  const code = f.codes.find((c) => CANNOT_DM_CODES.has(c)) ?? f.codes[0];
  return new PermanentSendError(what, code !== undefined ? `x-${code}` : `http-${f.status}`);
}

/** Milliseconds until `x-rate-limit-reset` (epoch seconds), at least one second; undefined if absent. */
export function resetWaitMs(reset: string | undefined, nowMs: number): number | undefined {
  if (!reset || !/^\d{1,12}$/.test(reset.trim())) return undefined;
  return Math.max(1000, Number(reset) * 1000 - nowMs);
}
