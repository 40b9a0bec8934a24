/**
 * What a Slack Web API failure means for the outbox. Slack answers HTTP 200 with
 * `ok:false` and an error code for almost everything; only rate limits come as 429.
 * A few codes say "try later"; the rest say "never", and among those some say "this
 * person cannot get a DM from the bot", which is when the thread fallback applies.
 */
import { webApi } from '@slack/bolt';
import { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';

/** Slack error codes that are worth retrying. */
const TRANSIENT_CODES = new Set([
  'ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout',
  'team_added_to_org',
]);

/**
 * Codes that mean the customer cannot be sent a DM by this bot (an external or guest
 * user, a bot, a deactivated account, DMs with apps turned off), as opposed to the
 * bot being misconfigured (bad token, missing scope).
 */
const DM_REFUSED_CODES = new Set([
  'cannot_dm_bot', 'user_not_found', 'user_not_visible', 'user_disabled', 'invalid_user_combination',
  'not_allowed_token_type', 'method_not_supported_for_channel_type', 'messages_tab_disabled',
  'restricted_action', 'user_is_restricted', 'cannot_dm_user', 'channel_not_found', 'is_archived',
  'not_in_channel', 'ekm_access_denied', 'team_access_not_granted',
]);

/** Slack's error code for a failed call (`ratelimited`, `cannot_dm_bot`, …), or a short description. */
export function slackErrorCode(err: unknown): string {
  if (err instanceof webApi.WebAPIPlatformError) return String(err.data.error).slice(0, 100);
  if (err instanceof webApi.WebAPIRateLimitedError) return 'ratelimited';
  if (err instanceof webApi.WebAPIHTTPError) return `http_${err.statusCode}`;
  if (err instanceof webApi.WebAPIRequestError) return 'request_failed';
  return 'unknown_error';
}

export function isDmRefusal(code: string): boolean {
  return DM_REFUSED_CODES.has(code);
}

/** Turn any Web API failure into the error the outbox understands. */
export function toSendError(err: unknown, method: string): PermanentSendError | TransientSendError {
  if (err instanceof PermanentSendError || err instanceof TransientSendError) return err;
  const code = slackErrorCode(err);
  if (err instanceof webApi.WebAPIRateLimitedError) {
    return new TransientSendError(`slack ${method}: ratelimited, retry after ${err.retryAfter}s`, Math.max(0, err.retryAfter) * 1000);
  }
  if (err instanceof webApi.WebAPIPlatformError) {
    if (TRANSIENT_CODES.has(code)) return new TransientSendError(`slack ${method}: ${code}`);
    return new PermanentSendError(`slack ${method}: ${code}`, code);
  }
  if (err instanceof webApi.WebAPIHTTPError && err.statusCode >= 400 && err.statusCode < 500 && err.statusCode !== 408) {
    return new PermanentSendError(`slack ${method}: HTTP ${err.statusCode}`, code);
  }
  const detail = err instanceof webApi.WebAPIRequestError ? err.original.message : err instanceof Error ? err.message : String(err);
  return new TransientSendError(`slack ${method}: ${code} (${detail.slice(0, 200)})`);
}
