/**
 * The dashboard's session cookie: HttpOnly, SameSite=Strict, and Secure by default under
 * the `__Host-` name (the browser then refuses it over plain HTTP, from a subdomain, or
 * with a Domain or Path an attacker chose). SESSION_COOKIE_SECURE decides: `true`
 * (default) always Secure; `auto` Secure when Express sees the request as HTTPS
 * (`req.secure`, which believes X-Forwarded-Proto only from a TRUST_PROXY proxy);
 * `false` never (plain HTTP off loopback, not recommended). The Host header never
 * decides: a proxy's default `Host` is its upstream's loopback address.
 */
import type { CookieOptions, Request } from 'express';

export type CookieSecurity = 'true' | 'auto' | 'false';

export const SECURE_SESSION_COOKIE = '__Host-nps_session';
export const PLAIN_SESSION_COOKIE = 'nps_session';

export class SessionCookie {
  constructor(private readonly security: CookieSecurity = 'true') {}

  /** Whether this request's cookie is Secure, and so named `__Host-…`. */
  secure(req: Request): boolean {
    return this.security === 'true' || (this.security === 'auto' && req.secure);
  }

  name(req: Request): string {
    return this.secure(req) ? SECURE_SESSION_COOKIE : PLAIN_SESSION_COOKIE;
  }

  /** The session id in the cookie this request should carry (never the other name, which a network attacker could plant). */
  read(req: Request): string | undefined {
    const header = req.headers.cookie;
    if (!header) return undefined;
    const wanted = this.name(req);
    for (const part of header.split(';')) {
      const at = part.indexOf('=');
      if (at < 0 || part.slice(0, at).trim() !== wanted) continue;
      try {
        return decodeURIComponent(part.slice(at + 1).trim()) || undefined;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Options for setting or clearing it (`__Host-` needs Secure, Path=/ and no Domain). */
  options(req: Request, maxAgeMs?: number): CookieOptions {
    return {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.secure(req),
      path: '/',
      ...(maxAgeMs !== undefined ? { maxAge: maxAgeMs } : {}),
    };
  }
}
