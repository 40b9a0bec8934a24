/**
 * Who is calling the API. Tokens map to a principal: a manager sees everything, an
 * agent only their own figures. Tokens are compared as SHA-256 digests with
 * timingSafeEqual, so neither a token's content nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type Principal = { role: 'manager' } | { role: 'agent'; agentId: string };

export class TokenAuth {
  private readonly entries: Array<{ digest: Buffer; principal: Principal }>;

  constructor(tokens: ReadonlyArray<readonly [string, Principal]>) {
    this.entries = tokens.map(([token, principal]) => ({ digest: digest(token), principal }));
  }

  get configured(): boolean {
    return this.entries.length > 0;
  }

  /** The principal for a token, or null. Checks every entry so the time does not depend on which matched. */
  check(token: string | undefined): Principal | null {
    if (!token) return null;
    const given = digest(token);
    let found: Principal | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, given) && !found) found = entry.principal;
    }
    return found;
  }
}

/** The token from `Authorization: Bearer <token>`. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
