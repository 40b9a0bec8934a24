/**
 * Customers who asked never to be surveyed again. Insert-only (unique `_id` of
 * `channel:customerId`, or a keyed one-way hash once the customer is forgotten), so no
 * concurrent write elsewhere can ever undo an opt-out.
 */
import { createHash, createHmac } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';

export interface OptOutDoc { _id: string; channel: string; at: Date }

const optOutSchema = new Schema<OptOutDoc>({
  _id: { type: String, required: true },
  channel: { type: String, required: true },
  at: { type: Date, required: true },
}, { versionKey: false });

export function optOutModel(conn: Connection): Model<OptOutDoc> {
  return (conn.models.OptOut as Model<OptOutDoc> | undefined) ?? conn.model<OptOutDoc>('OptOut', optOutSchema, 'opt_outs');
}

export function optOutKey(channel: string, customerId: string): string {
  return `${channel}:${customerId}`;
}

/**
 * The HMAC key for forgotten customers (OPT_OUT_KEY_SECRET). Platform ids are few
 * enough to enumerate, so a plain hash of one could be reversed; a keyed one cannot
 * without the key. Unset (development), a fixed, public key is used: start-up warns,
 * and production refuses to start without a secret. Set once at start-up.
 */
export const DEVELOPMENT_OPT_OUT_KEY = 'nps-bot development opt-out key (public: set OPT_OUT_KEY_SECRET)';
let optOutSecret: string | null = null;

export function useOptOutKeySecret(secret: string | undefined): void {
  optOutSecret = secret && secret.length > 0 ? secret : null;
}

/** The one-way key a forgotten customer's opt-out (and their surveys' customer id) is kept under. */
export function forgottenId(channel: string, customerId: string): string {
  return hmacId(optOutSecret ?? DEVELOPMENT_OPT_OUT_KEY, channel, customerId);
}

/**
 * A keyed one-way digest of a customer for `purpose` (hex), under the same secret: an id
 * shown to managers that nobody can turn back into a phone number by trying them.
 */
export function keyedCustomerDigest(purpose: string, channel: string, customerId: string): string {
  return createHmac('sha256', optOutSecret ?? DEVELOPMENT_OPT_OUT_KEY).update(`${purpose}\u0000${channel}\u0000${customerId}`).digest('hex');
}

/**
 * Every key a forgotten customer's opt-out may be under, newest first: the HMAC with the
 * current key, with the development key (a deployment that ran without a secret first),
 * and the unkeyed SHA-256 of earlier versions. Reads check them all, so nothing needs migrating.
 */
export function forgottenIds(channel: string, customerId: string): string[] {
  const ids = [forgottenId(channel, customerId), hmacId(DEVELOPMENT_OPT_OUT_KEY, channel, customerId), legacyForgottenId(channel, customerId)];
  return [...new Set(ids)];
}

/** What earlier versions kept a forgotten opt-out under. */
export function legacyForgottenId(channel: string, customerId: string): string {
  return `sha256:${createHash('sha256').update(`${channel}\u0000${customerId}`).digest('hex')}`;
}

function hmacId(key: string, channel: string, customerId: string): string {
  return `hmac:${createHmac('sha256', key).update(`${channel}\u0000${customerId}`).digest('hex')}`;
}
