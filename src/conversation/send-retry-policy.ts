/**
 * When a message that did not go out is tried again: the question (the engine reschedules
 * the survey) and the messages after it (owed on the survey, see owed-messages.ts).
 */
import { PermanentSendError, TransientSendError, WindowClosedError } from './channel-contract/send-errors.ts';
import type { SurveyDoc } from '../storage/surveys/index.ts';
import { UnknownChannelError } from './outbox.ts';
import type { TemplateKey } from './templates.ts';

/** A failed delivery is tried again after this many ms times the attempts so far. */
export const BACKOFF_PER_ATTEMPT_MS = 30_000;
/** The longest a platform's retry-after is honoured; a larger (or nonsense) one is clamped. */
export const MAX_RETRY_AFTER_MS = 6 * 3_600_000;
/** A follow-up, re-prompt, thanks or manager's message the platform could not take is tried this many times in all (waits do not count). */
export const MAX_REPLY_ATTEMPTS = 5;

/**
 * How long a message told to wait (a platform's retry-after, no slot of the shared send
 * budget) keeps its place: the survey's expiry window, EXPIRE_HOURS (`expireMs`, 72 h by
 * default), counted from when it became owed. That is how long the bot waits for the
 * customer's answer to what it asked; a thanks, an opt-out confirmation or a manager's
 * message owed longer than that answers a conversation the customer has long left.
 * Follow-ups, re-prompts and reminders end sooner, with their survey (its expiry moves
 * it on, and `stillRelevant` drops them). Waits are not counted: a backlog (2,000
 * follow-ups at X's 200 DMs per 15 minutes, 2.5 h; many processes sharing a Slack
 * workspace's budget, each told "about a second" again and again) is waited out.
 * EXPIRE_HOURS is at least 1 h and LEASE_SECONDS at most 1 h: every message outlives its first lease.
 */
export function owedForAtMostMs(settings: { expireMs: number }): number {
  return settings.expireMs;
}

/** Why an owed message was given up (a log field and a metric label). */
export type GiveUpReason = 'refused' | 'failed' | 'owed-too-long' | 'no-longer-relevant' | 'opted-out';

/** What an owed message has behind it: tries (`attempts`), how many of them were waits, and since when it is owed. */
export interface OwedSoFar { attempts: number; waits?: number; since?: Date }

/** What follows a try that did not go out. */
export type NextStep =
  | { kind: 'wait'; at: Date }
  | { kind: 'retry'; at: Date }
  | { kind: 'give-up'; reason: GiveUpReason; why: string };

/** A platform that refused for good, or a closed messaging window, will not take the message later either. */
export function isWorthRetrying(err: unknown): boolean {
  return !(err instanceof PermanentSendError || err instanceof WindowClosedError || err instanceof UnknownChannelError);
}

/** The platform or the shared send budget said when to come back: a wait, not a failure. */
export function toldToWait(err: unknown): boolean {
  return err instanceof TransientSendError && err.retryAfterMs !== undefined && Number.isFinite(err.retryAfterMs) && err.retryAfterMs > 0;
}

/**
 * After a try of an owed message that did not go out (`owed` as it was before this try):
 * a refusal is given up; a wait keeps its place until the message would be owed longer
 * than `owedForMs` by the time it may go; a failure is tried again until it has failed
 * MAX_REPLY_ATTEMPTS times (its waits not counted), 30 s more apart each time.
 * A message without `since` (owed before it was recorded) counts as owed from now.
 */
export function nextStep(err: unknown, owed: OwedSoFar, now: Date, owedForMs: number): NextStep {
  if (!isWorthRetrying(err)) return { kind: 'give-up', reason: 'refused', why: 'refused' };
  const tries = owed.attempts + 1;
  if (toldToWait(err)) {
    const at = new Date(now.getTime() + replyBackoffMs(err, tries));
    const since = owed.since ?? now;
    if (at.getTime() - since.getTime() > owedForMs) {
      return { kind: 'give-up', reason: 'owed-too-long', why: `told to wait past ${hours(owedForMs)} h after it was owed` };
    }
    return { kind: 'wait', at };
  }
  const failures = Math.max(1, tries - (owed.waits ?? 0));
  if (failures >= MAX_REPLY_ATTEMPTS) return { kind: 'give-up', reason: 'failed', why: `failed ${failures} times` };
  return { kind: 'retry', at: new Date(now.getTime() + BACKOFF_PER_ATTEMPT_MS * failures) };
}

/** Owed longer than `owedForMs` already (a long outage of every process): not worth sending. Unknown `since`: no. */
export function owedTooLong(owed: OwedSoFar, now: Date, owedForMs: number): boolean {
  return owed.since !== undefined && now.getTime() - owed.since.getTime() > owedForMs;
}

/** What `owedTooLong` says, in words for the log and `lastError`. */
export function owedTooLongWhy(owedForMs: number): string {
  return `owed for longer than ${hours(owedForMs)} h`;
}

function hours(ms: number): number {
  return Math.round((ms / 3_600_000) * 10) / 10;
}

/** The platform's retry-after if it gave one (within reason), else 30 s times the attempt. */
export function replyBackoffMs(err: unknown, attempt: number): number {
  const asked = err instanceof TransientSendError ? err.retryAfterMs : undefined;
  return asked !== undefined && Number.isFinite(asked) && asked > 0 ? Math.min(asked, MAX_RETRY_AFTER_MS) : BACKOFF_PER_ATTEMPT_MS * attempt;
}

/**
 * A follow-up or re-prompt is worth sending late only while the survey still waits for that
 * answer: in its state and, given `now`, before it expires (the expiry sweep may not have
 * run yet; a message that waited long must not slip out just after).
 */
export function stillRelevant(s: SurveyDoc, key: TemplateKey, now?: Date): boolean {
  if (key === 'question' || key === 'relationshipQuestion') return s.state === 'sending';
  const open = !now || !s.expiresAt || now.getTime() < s.expiresAt.getTime();
  if (key === 'reprompt' || key === 'reminder') return s.state === 'asked' && open;
  if (key === 'followupPromoter' || key === 'followupPassive' || key === 'followupDetractor') return s.state === 'scored' && open;
  if (key === 'consentQuestion') return !s.testimonial?.answeredAt;
  return true;
}
