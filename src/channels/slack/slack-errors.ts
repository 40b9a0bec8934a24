/**
 * What a Slack Web API failure means for the outbox. Slack answers HTTP 200 with
 * `ok:false` and an error code for almost everything; only rate limits come as 429.
 * A few codes say "try later"; the rest say "never", and among those some say "this
 * person cannot get a DM from the bot", which is when the thread fallback applies.
 */
import { webApi } from '@slack/bolt';
import { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';
import type { StartUpFailure } from '../start-up-retry.ts';

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

/** Token problems no retry fixes: the bot must not start as if Slack worked. */
const REFUSED_TOKEN_CODES = new Set([
  'invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type',
  'user_removed_from_team', 'team_disabled', 'missing_scope',
]);

/**
 * What a failed start-up call (auth.test, apps.connections.open) means (start-up-retry.ts):
 * a refused token, or any other refusal, ends start-up naming the setting; a 429 (its
 * Retry-After kept), a 5xx, a "try later" code or no answer passes.
 */
export function slackStartUpFailure(setting: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN'): (err: unknown) => StartUpFailure {
  return (err) => {
    const code = slackErrorCode(err);
    if (err instanceof webApi.WebAPIRateLimitedError) return { kind: 'transient', reason: code, retryAfterMs: Math.max(0, err.retryAfter) * 1000 };
    if (err instanceof webApi.WebAPIPlatformError) {
      if (TRANSIENT_CODES.has(code)) return { kind: 'transient', reason: code };
      const message = REFUSED_TOKEN_CODES.has(code)
        ? `${setting}: Slack refused the token (${code}): copy it again from api.slack.com/apps (your app)`
        : `${setting}: Slack refused the call (${code}): see docs/slack.md`;
      return { kind: 'refused', message };
    }
    if (err instanceof webApi.WebAPIHTTPError) {
      const status = err.statusCode;
      if (status === 408 || status === 429 || status >= 500) return { kind: 'transient', reason: `HTTP ${status}` };
      return { kind: 'refused', message: `${setting}: Slack answered HTTP ${status}: check the token and SLACK_API_URL` };
    }
    if (err instanceof webApi.WebAPIRequestError) {
      const cause = (err.original as { code?: unknown; cause?: { code?: unknown } }).code ?? (err.original as { cause?: { code?: unknown } }).cause?.code;
      return { kind: 'transient', reason: typeof cause === 'string' ? `no answer (${cause.slice(0, 40)})` : 'no answer' };
    }
    return { kind: 'refused', message: `slack: could not start (${err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200)})` };
  };
}
