/**
 * How many messages back to one customer a follow-up may send: at most `perWindow` in a
 * window (a fixed window that starts with its first message), and only while the
 * follow-up is open or contacted. Each message is reserved before it is sent with one
 * conditional write (status, scope and count in the filter), so two managers, two tabs
 * or two processes cannot pass the cap together, and a closed follow-up sends nothing.
 */
import type { Model, QueryFilter, Types } from 'mongoose';
import type { FollowupDoc } from './followup-model.ts';

export interface ReplyLimit { perWindow: number; windowMs: number }
export const DEFAULT_REPLY_LIMIT: ReplyLimit = { perWindow: 3, windowMs: 24 * 3_600_000 };

const REPLYABLE = { $in: ['open', 'contacted'] };

export type ReplyReservation =
  | { status: 'reserved' }
  | { status: 'closed' }
  | { status: 'limit'; retryAfterSeconds: number }
  | { status: 'missing' };

export async function reserveReply(
  model: Model<FollowupDoc>,
  id: Types.ObjectId,
  scopeFilter: Record<string, unknown>,
  now: Date,
  limit: ReplyLimit = DEFAULT_REPLY_LIMIT,
): Promise<ReplyReservation> {
  const windowOpen = new Date(now.getTime() - limit.windowMs);
  const base = { _id: id, ...scopeFilter, status: REPLYABLE };
  const filter = (f: Record<string, unknown>): QueryFilter<FollowupDoc> => f as QueryFilter<FollowupDoc>;
  // A new window: none yet, or the last one is over.
  const fresh = await model.updateOne(
    filter({ ...base, $or: [{ replyQuota: { $exists: false } }, { replyQuota: null }, { 'replyQuota.windowStart': { $lte: windowOpen } }] }),
    { $set: { replyQuota: { windowStart: now, count: 1 } } },
  ).exec();
  if (fresh.modifiedCount === 1) return { status: 'reserved' };
  const more = await model.updateOne(
    filter({ ...base, 'replyQuota.windowStart': { $gt: windowOpen }, 'replyQuota.count': { $lt: limit.perWindow } }),
    { $inc: { 'replyQuota.count': 1 } },
  ).exec();
  if (more.modifiedCount === 1) return { status: 'reserved' };
  const current = await model.findOne({ _id: id, ...scopeFilter }, { status: 1, replyQuota: 1 }).lean().exec();
  if (!current) return { status: 'missing' };
  if (current.status !== 'open' && current.status !== 'contacted') return { status: 'closed' };
  const ends = (current.replyQuota?.windowStart?.getTime() ?? now.getTime()) + limit.windowMs;
  return { status: 'limit', retryAfterSeconds: Math.max(1, Math.ceil((ends - now.getTime()) / 1000)) };
}
