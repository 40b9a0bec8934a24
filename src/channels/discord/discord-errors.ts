/**
 * Turning what discord.js throws into what the outbox understands. Discord answers a
 * refusal with a JSON error code (50007 "Cannot send messages to this user", 50001
 * "Missing Access", 10003 "Unknown Channel"…): those are permanent. 5xx and network
 * trouble are transient. A 429 never gets here: discord.js's REST buckets wait it out
 * and retry on their own.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';
import type { StartUpFailure } from '../start-up-retry.ts';

/** Discord's JSON error codes the adapter acts on. */
export const DiscordCode = {
  UnknownChannel: 10003,
  UnknownMember: 10007,
  UnknownUser: 10013,
  UnknownInteraction: 10062,
  MissingAccess: 50001,
  CannotMessageUser: 50007,
  MissingPermissions: 50013,
  AlreadyAcknowledged: 40060,
} as const;

export function discordCode(err: unknown): number | undefined {
  return err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : undefined;
}

export function toSendError(err: unknown, what: string): PermanentSendError | TransientSendError {
  if (err instanceof PermanentSendError || err instanceof TransientSendError) return err;
  if (err instanceof RateLimitError) return new TransientSendError(`${what}: rate limited by Discord`, err.retryAfter);
  if (err instanceof DiscordAPIError) {
    if (err.status === 429 || err.status >= 500) return new TransientSendError(`${what}: Discord answered ${err.status}`);
    return new PermanentSendError(`${what}: Discord error ${String(err.code)} (${err.message.slice(0, 200)})`, String(err.code));
  }
  if (err instanceof HTTPError) {
    return err.status >= 500 || err.status === 429
      ? new TransientSendError(`${what}: Discord answered ${err.status}`)
      : new PermanentSendError(`${what}: Discord answered ${err.status}`, String(err.status));
  }
  return new TransientSendError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * Whether a failed REST call is worth making again: Discord or its edge answering 5xx,
 * a 429 that reached us (discord.js normally waits those out itself), or the network
 * (reset, refused, timed out). A refusal with a JSON code (403, 404…) is not.
 */
export function isTransientDiscordError(err: unknown): boolean {
  if (err instanceof RateLimitError) return true;
  if (err instanceof DiscordAPIError || err instanceof HTTPError) return err.status === 429 || err.status >= 500;
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError' || err.name === 'TimeoutError' || err.name === 'ConnectTimeoutError') return true;
  const code = (err as { code?: unknown }).code ?? (err.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^(ECONN|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|UND_ERR)/.test(code)) return true;
  return err instanceof TypeError && err.message === 'fetch failed';
}

/** The gateway did not say READY in time (Discord slow or unreachable over WebSocket): worth another try. */
export class GatewayNotReadyError extends Error {
  override readonly name = 'GatewayNotReadyError';
}

/**
 * What a failed connect at start-up means (start-up-retry.ts): a 401 (discord.js turns the
 * gateway lookup's 401 into TokenInvalid) or a 403, or the gateway closing with 4004
 * "Authentication failed", is the token; 4014 is the Message Content intent; 5xx,
 * 429, network trouble and a READY that never came pass. Anything else is not
 * retried: an unknown refusal repeated for ever would only hide it.
 */
export function discordStartUpFailure(err: unknown): StartUpFailure {
  const status = err instanceof DiscordAPIError || err instanceof HTTPError ? err.status : undefined;
  const djsCode = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  if (djsCode === 'TokenInvalid' || status === 401 || (err instanceof Error && err.message === 'Authentication failed')) {
    return { kind: 'refused', message: 'DISCORD_TOKEN: Discord refused the token (401 Unauthorized): copy it again from the Developer Portal (Bot → Reset Token)' };
  }
  if (status === 403) {
    return { kind: 'refused', message: `DISCORD_TOKEN: Discord refused the bot (403 Forbidden${discordCode(err) ? `, code ${String(discordCode(err))}` : ''}): check the token and that the application is not disabled` };
  }
  if (djsCode === 'DisallowedIntents' || (err instanceof Error && err.message === 'Used disallowed intents')) {
    return {
      kind: 'refused',
      message: 'DISCORD_THREAD_FALLBACK: Discord refused the Message Content intent the thread fallback needs: turn it on (Developer Portal → Bot → Privileged Gateway Intents) or set DISCORD_THREAD_FALLBACK=false',
    };
  }
  if (err instanceof GatewayNotReadyError) return { kind: 'transient', reason: err.message };
  if (err instanceof RateLimitError) return { kind: 'transient', reason: 'HTTP 429', retryAfterMs: err.retryAfter };
  if (isTransientDiscordError(err)) {
    const code = err instanceof Error ? (err as { code?: unknown }).code ?? (err.cause as { code?: unknown } | undefined)?.code : undefined;
    return { kind: 'transient', reason: status !== undefined ? `HTTP ${status}` : typeof code === 'string' ? code.slice(0, 40) : err instanceof Error ? err.name : 'network error' };
  }
  return { kind: 'refused', message: `discord: could not connect (${err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200)})` };
}
