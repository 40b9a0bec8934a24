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
/** A follow-up, re-prompt or thanks the platform could not take is tried this many times in all. */
export const MAX_REPLY_ATTEMPTS = 5;
/**
 * Tries in all when the platform or the shared send budget said when to come back: those
 * waits are not failures (X's 200 DMs per 15 minutes defers a backlog many times over), but
 * a message is still not deferred forever.
 */
export const MAX_PACED_ATTEMPTS = 50;

/** A platform that refused for good, or a closed messaging window, will not take the message later either. */
export function isWorthRetrying(err: unknown): boolean {
  return !(err instanceof PermanentSendError || err instanceof WindowClosedError || err instanceof UnknownChannelError);
}

/** A follow-up, thanks or manager's message has had its tries: failures count up to MAX_REPLY_ATTEMPTS, waits it was told to take up to MAX_PACED_ATTEMPTS. */
export function outOfAttempts(err: unknown, attempts: number): boolean {
  const toldToWait = err instanceof TransientSendError && err.retryAfterMs !== undefined && err.retryAfterMs > 0;
  return attempts >= (toldToWait ? MAX_PACED_ATTEMPTS : MAX_REPLY_ATTEMPTS);
}

/** The platform's retry-after if it gave one (within reason), else 30 s times the attempt. */
export function replyBackoffMs(err: unknown, attempt: number): number {
  const asked = err instanceof TransientSendError ? err.retryAfterMs : undefined;
  return asked !== undefined && Number.isFinite(asked) && asked > 0 ? Math.min(asked, MAX_RETRY_AFTER_MS) : BACKOFF_PER_ATTEMPT_MS * attempt;
}

/** A follow-up or re-prompt is worth sending late only while the survey still waits for that answer. */
export function stillRelevant(s: SurveyDoc, key: TemplateKey): boolean {
  if (key === 'question' || key === 'relationshipQuestion') return s.state === 'sending';
  if (key === 'reprompt' || key === 'reminder') return s.state === 'asked';
  if (key === 'followupPromoter' || key === 'followupPassive' || key === 'followupDetractor') return s.state === 'scored';
  if (key === 'consentQuestion') return !s.testimonial?.answeredAt;
  return true;
}
