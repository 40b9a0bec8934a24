/**
 * Server-side dashboard sessions: `create` after a token checked out, `principal` on
 * every request (null once expired, signed out, or the token is no longer configured),
 * `destroy` on sign-out.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { sessionModel, type SessionDoc } from './session-model.ts';
import { tokenDigest, type Principal, type TokenAuth } from './token-auth.ts';

export const SESSION_TTL_MS = 12 * 3_600_000;

/** 32 random bytes, base64url: what the cookie carries. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  private readonly model: Model<SessionDoc>;

  constructor(conn: Connection, private readonly auth: TokenAuth, private readonly now: () => Date = () => new Date(), readonly ttlMs = SESSION_TTL_MS) {
    this.model = sessionModel(conn);
  }

  /** A new session for a token that checked out; returns the id for the cookie. */
  async create(token: string): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.model.create({
      _id: sessionKey(id),
      tokenDigest: tokenDigest(token).toString('hex'),
      expiresAt: new Date(now.getTime() + this.ttlMs),
      createdAt: now,
    });
    return id;
  }

  /** Who the session belongs to, or null. */
  async principal(id: string | undefined): Promise<Principal | null> {
    if (!id || !SESSION_ID.test(id)) return null;
    const s = await this.model.findOne({ _id: sessionKey(id), expiresAt: { $gt: this.now() } }).lean().exec();
    if (!s) return null;
    return this.auth.checkDigest(Buffer.from(s.tokenDigest, 'hex'));
  }

  async destroy(id: string | undefined): Promise<void> {
    if (!id || !SESSION_ID.test(id)) return;
    await this.model.deleteOne({ _id: sessionKey(id) }).exec();
  }
}

function sessionKey(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}
