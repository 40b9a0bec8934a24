/**
 * Who is calling the API. Tokens map to a principal: a manager sees everything, an
 * agent only their own figures, and an `ingest` token (a care tool or chat system) may
 * only deliver resolutions and webhook-channel messages, never read anything. Tokens
 * are compared as SHA-256 digests with timingSafeEqual, so neither a token's content
 * nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../env-readers.ts';

/**
 * What an agent token may read (AGENT_VISIBILITY): its own figures only, its own
 * figures and its customers' comments (the default), or nothing at all.
 */
export const AGENT_VISIBILITIES = ['figures', 'comments', 'none'] as const;
export type AgentVisibility = (typeof AGENT_VISIBILITIES)[number];

/** An agent token may name the agent's channel (`<id>@<channel>`): the same id on two channels is two people. */
export type Principal = { role: 'manager' } | { role: 'agent'; agentId: string; channel?: string; sees?: AgentVisibility } | { role: 'ingest' };

/** An agent token under AGENT_VISIBILITY=none: it authenticates, and reads nothing. */
export function seesNothing(p: Principal): boolean {
  return p.role === 'agent' && p.sees === 'none';
}
export type Role = Principal['role'];

/** Where a token came from, to name it in a start-up error without showing it. */
export interface NamedToken { token: string; principal: Principal; source: string }

export class TokenAuth {
  private readonly entries: Array<{ digest: Buffer; principal: Principal }>;

  constructor(tokens: ReadonlyArray<readonly [string, Principal]>) {
    this.entries = tokens.map(([token, principal]) => ({ digest: tokenDigest(token), principal }));
  }

  get configured(): boolean {
    return this.entries.length > 0;
  }

  /** The principal for a token, or null. */
  check(token: string | undefined): Principal | null {
    if (!token) return null;
    return this.checkDigest(tokenDigest(token));
  }

  /** The principal for a token's digest (a session keeps the digest, never the token). */
  checkDigest(given: Buffer): Principal | null {
    if (given.length !== 32) return null;
    // Every entry is compared, so the time does not depend on which matched.
    let found: Principal | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, given) && !found) found = entry.principal;
    }
    return found;
  }
}

/**
 * The token table, refusing at start-up a token given twice (in two roles, or for two
 * agents): which role it would get would otherwise depend on the order of settings.
 */
export function tokenAuthFrom(tokens: readonly NamedToken[]): TokenAuth {
  const seen = new Map<string, string>();
  for (const t of tokens) {
    const key = tokenDigest(t.token).toString('hex');
    const first = seen.get(key);
    if (first !== undefined) {
      throw new ConfigError(`${t.source}: the same token is also given as ${first}: every token must be distinct (one token, one role)`);
    }
    seen.set(key, t.source);
  }
  return new TokenAuth(tokens.map((t) => [t.token, t.principal] as const));
}

/** The token from `Authorization: Bearer <token>`. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
