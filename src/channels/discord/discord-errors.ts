/**
 * Turning what discord.js throws into what the outbox understands. Discord answers a
 * refusal with a JSON error code (50007 "Cannot send messages to this user", 50001
 * "Missing Access", 10003 "Unknown Channel"…): those are permanent. 5xx and network
 * trouble are transient. A 429 never gets here: discord.js's REST buckets wait it out
 * and retry on their own.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';

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
