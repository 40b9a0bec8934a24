/**
 * Dashboard sign-ins. The browser holds only a random session id; the database keeps
 * its SHA-256 (so a copy of the database cannot sign anyone in), the digest of the token
 * that signed in (so a token removed from the settings ends its sessions at once), and
 * an expiry. MongoDB's TTL index removes expired sessions; reads check expiry as well.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface SessionDoc {
  /** hex SHA-256 of the session id in the cookie. */
  _id: string;
  /** hex SHA-256 of the API token used to sign in. */
  tokenDigest: string;
  expiresAt: Date;
  createdAt: Date;
}

const sessionSchema = new Schema<SessionDoc>({
  _id: { type: String, required: true },
  tokenDigest: { type: String, required: true },
  expiresAt: { type: Date, required: true },
  createdAt: { type: Date, required: true },
}, { versionKey: false });

sessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export function sessionModel(conn: Connection): Model<SessionDoc> {
  return (conn.models.DashboardSession as Model<SessionDoc> | undefined) ?? conn.model<SessionDoc>('DashboardSession', sessionSchema, 'dashboard_sessions');
}
