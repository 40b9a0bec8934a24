/**
 * What a failed Bot API call means for the outbox. Telegram answers
 * `{ok: false, error_code, description, parameters?: {retry_after, migrate_to_chat_id}}`:
 *
 * - **429** "Too Many Requests: retry after N": wait `retry_after` seconds, then again;
 * - **5xx** or no answer (grammY's HttpError): try again with backoff;
 * - **403** (the customer blocked the bot, deleted their account, never started it, or
 *   the bot was removed from the group) and **400** (chat not found, thread not found,
 *   a bad request), 401/404 (a wrong token): permanent — the survey fails with
 *   Telegram's words.
 */
import { GrammyError, HttpError } from 'grammy';
import type { StartUpFailure } from '../start-up-retry.ts';
import { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';

export function toSendError(err: unknown, method: string): PermanentSendError | TransientSendError {
  if (err instanceof PermanentSendError || err instanceof TransientSendError) return err;
  if (err instanceof GrammyError) {
    const what = `telegram ${method}: ${err.error_code} ${err.description.slice(0, 300)}`;
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after;
      return new TransientSendError(what, typeof seconds === 'number' && seconds >= 0 ? Math.max(1000, seconds * 1000) : 1000);
    }
    if (err.error_code >= 500) return new TransientSendError(what);
    const moved = err.parameters.migrate_to_chat_id;
    if (moved !== undefined) return new PermanentSendError(`${what} (the group is now the supergroup ${moved})`, 'telegram-migrated');
    return new PermanentSendError(what, `telegram-${err.error_code}`);
  }
  if (err instanceof HttpError) return new TransientSendError(`telegram ${method}: no answer from the Bot API (${String((err.error as Error)?.message ?? err.message).slice(0, 200)})`);
  return new TransientSendError(`telegram ${method}: ${(err as Error)?.message?.slice(0, 200) ?? String(err)}`);
}

/**
 * What a failed getMe at start-up means (start-up-retry.ts): 401 (or 404, the Bot API's
 * answer to a malformed token) and any other refusal end start-up naming the token; a
 * 429 (its retry_after kept), a 5xx or no answer passes. Telegram's URL holds the token,
 * so the reason logged is only the status.
 */
export function telegramStartUpFailure(err: unknown): StartUpFailure {
  const failure = toSendError(err, 'getMe');
  if (failure instanceof PermanentSendError) {
    return { kind: 'refused', message: `TELEGRAM_BOT_TOKEN: getMe refused (${err instanceof GrammyError ? `${err.error_code} ${err.description.slice(0, 200)}` : failure.message}): check the token and TELEGRAM_API_ROOT` };
  }
  const reason = err instanceof GrammyError ? `HTTP ${err.error_code}` : 'no answer';
  return { kind: 'transient', reason, ...(failure.retryAfterMs !== undefined && err instanceof GrammyError && err.error_code === 429 ? { retryAfterMs: failure.retryAfterMs } : {}) };
}
