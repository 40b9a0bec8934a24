/**
 * Failed authentications (answers 401) are counted per client IP; past the limit in a
 * 15-minute window the client gets 429 until the window moves on, so tokens cannot be
 * guessed at speed. Successful requests are not counted. The client IP is Express's
 * `req.ip`, which honours TRUST_PROXY. Counts are per process (in memory).
 */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

export const AUTH_WINDOW_MS = 15 * 60_000;

export function authFailureLimiter(failuresPerWindow: number): RequestHandler {
  return rateLimit({
    windowMs: AUTH_WINDOW_MS,
    limit: failuresPerWindow,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // TRUST_PROXY=true is refused by the config already; an X-Forwarded-For without a trusted proxy is simply ignored.
    validate: { xForwardedForHeader: false },
    handler: (_req, res) => {
      res.status(429).json({ error: 'too many failed sign-ins from this address: wait and try again' });
    },
  });
}
