/**
 * The dashboard's session cookie: HttpOnly, SameSite=Strict, and Secure unless the
 * browser is talking to a loopback address (plain http on localhost while developing).
 * Behind a TLS proxy the bot sees http, so `req.secure` cannot decide this.
 */
import type { CookieOptions, Request } from 'express';
import { isIP } from 'node:net';

export const SESSION_COOKIE = 'nps_session';

/** The session id in the cookie, if any. */
export function sessionCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0 || part.slice(0, at).trim() !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(part.slice(at + 1).trim()) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function sessionCookieOptions(req: Request, maxAgeMs?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: !isLoopbackHost(req.hostname),
    path: '/',
    ...(maxAgeMs !== undefined ? { maxAge: maxAgeMs } : {}),
  };
}

/** `localhost`, 127.0.0.0/8 or ::1 (brackets allowed). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}
