/**
 * Refused credentials are counted per client IP; past the limit in a 15-minute window a
 * request whose credential is refused gets 429 instead of 401, so tokens cannot be
 * guessed at speed. Only refusals count, and only refusals are ever limited: a valid
 * token (or session) is answered whatever the count, so nobody can lock out the API by
 * failing to sign in from a shared address (a proxy with TRUST_PROXY off), and a slow
 * or failed request (a database outage) is never a failed sign-in. The client IP is
 * Express's `req.ip`, which honours TRUST_PROXY. Counts are per process (in memory).
 */
import type { Request, RequestHandler, Response } from 'express';

export const AUTH_WINDOW_MS = 15 * 60_000;
/** Addresses tracked at most; the oldest window goes first, so memory stays bounded whatever the traffic. */
const MAX_ADDRESSES = 50_000;
const GATE = 'authFailureLimiter';

export class AuthFailureLimiter {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();

  constructor(private readonly limit: number, private readonly windowMs = AUTH_WINDOW_MS, private readonly now: () => number = Date.now) {}

  /** Hands this limiter to the handlers below it (requireAuth, the dashboard's sign-in). */
  middleware(): RequestHandler {
    return (_req, res, next) => {
      res.locals[GATE] = this;
      next();
    };
  }

  /** Counts one refused credential from `ip`; the seconds to wait when it is past the limit, else null. */
  refused(ip: string): number | null {
    const now = this.now();
    let w = this.windows.get(ip);
    if (!w || w.resetAt <= now) {
      this.windows.delete(ip);
      if (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
      w = { failures: 0, resetAt: now + this.windowMs };
      this.windows.set(ip, w);
    }
    if (w.failures >= this.limit) return Math.max(1, Math.ceil((w.resetAt - now) / 1000));
    w.failures++;
    return null;
  }
}

/**
 * Answers a request whose credential was refused: 429 with Retry-After when its address
 * is past the limit, else `answer` (the route's own 401).
 */
export function refuseCredential(req: Request, res: Response, answer: () => void): void {
  const limiter = res.locals[GATE] as AuthFailureLimiter | undefined;
  const wait = limiter?.refused(req.ip ?? req.socket.remoteAddress ?? 'unknown') ?? null;
  if (wait === null) {
    answer();
    return;
  }
  res.status(429).set('Retry-After', String(wait)).json({ error: 'too many failed sign-ins from this address: wait and try again' });
}
