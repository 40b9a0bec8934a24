/** Express middleware that puts the caller's Principal on `res.locals.principal`, or answers 401/403. */
import type { NextFunction, Request, Response } from 'express';
import { refuseCredential } from './auth-rate-limit.ts';
import { bearerToken, seesNothing, type Principal, type Role, type TokenAuth } from './token-auth.ts';

/** Where else a token may come from (the dashboard's cookie); the Bearer header always works. */
export type TokenSource = (req: Request) => string | undefined;

/** Who may read: managers and agents. An `ingest` token is refused unless a route names it. */
export const READER_ROLES: readonly Role[] = ['manager', 'agent'];

export function requireAuth(auth: TokenAuth, opts: { managerOnly?: boolean; roles?: readonly Role[]; extraSource?: TokenSource } = {}) {
  const roles = opts.managerOnly ? ['manager'] : opts.roles ?? READER_ROLES;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!auth.configured) {
      res.status(503).json({ error: 'no API token is configured: set API_TOKEN (or REPORT_TOKENS) to use the API' });
      return;
    }
    const principal = auth.check(bearerToken(req.headers.authorization) ?? opts.extraSource?.(req));
    if (!principal) {
      refuseCredential(req, res, () => { res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or invalid token' }); });
      return;
    }
    if (!roles.includes(principal.role)) {
      res.status(403).json({ error: `this route needs a ${roles.join(' or ')} token` });
      return;
    }
    if (seesNothing(principal)) {
      res.status(403).json({ error: 'agent tokens may not read reports here (AGENT_VISIBILITY=none)' });
      return;
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
