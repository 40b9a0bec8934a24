/**
 * Stored aggregates: one document per local day × channel × agent × survey type, with
 * the counts a report needs, and beside them one per local month × channel × agent ×
 * type (collection `rollup_months`), the sum of that month's day buckets, so a year's
 * trend reads twelve documents per agent instead of 365. A bucket is never incremented:
 * it is recounted (a day from its surveys, a month from its days) and written only if
 * nobody wrote it since the recount began (`version`, see rollup-store.ts), so a retry
 * or a crash can never double-count.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { NpsCounts } from '../nps-math.ts';

export interface RollupDoc extends NpsCounts {
  /** The bucket's identity as a JSON array `[day, channel, agentId, type]`, see bucketId(). */
  _id: string;
  day: string;
  channel: string;
  agentId: string;
  agentName?: string;
  type: 'transactional' | 'relational';
  /** Bumped by every write (a conditional write on the version read, see storage/versioned-update.ts). */
  version: number;
  computedAt?: Date;
  /** The bulk write that last stored the counts (rollup-writes.ts tells its landed writes by it). */
  writeId?: string;
}

/** Every bucket's fields but its period (a day or a month): the same counts at either grain. */
const BUCKET_FIELDS = {
  _id: { type: String, required: true },
  channel: { type: String, required: true },
  agentId: { type: String, required: true },
  agentName: String,
  type: { type: String, required: true },
  sent: { type: Number, default: 0 },
  responses: { type: Number, default: 0 },
  promoters: { type: Number, default: 0 },
  passives: { type: Number, default: 0 },
  detractors: { type: Number, default: 0 },
  scoreSum: { type: Number, default: 0 },
  version: { type: Number, default: 0 },
  computedAt: Date,
  writeId: String,
} as const;

const rollupSchema = new Schema<RollupDoc>({ ...BUCKET_FIELDS, day: { type: String, required: true } }, { versionKey: false, _id: false });

rollupSchema.index({ day: 1, type: 1 });

/** A month bucket: the same counts as its days summed; `month` is `YYYY-MM` in REPORT_TZ. */
export interface MonthRollupDoc extends Omit<RollupDoc, 'day'> { month: string }

const monthRollupSchema = new Schema<MonthRollupDoc>({ ...BUCKET_FIELDS, month: { type: String, required: true } }, { versionKey: false, _id: false });

monthRollupSchema.index({ month: 1, type: 1 });

/**
 * Which time zone the stored days are in and which attribution rule the agent buckets
 * follow (a change of either triggers a rebuild), and whether the month buckets were built
 * (a rebuild on the first start of this version).
 */
export interface RollupMetaDoc { _id: string; timeZone: string; attribution?: string; rebuiltAt?: Date; months?: boolean }

const rollupMetaSchema = new Schema<RollupMetaDoc>({
  _id: { type: String, required: true },
  timeZone: { type: String, required: true },
  attribution: String,
  rebuiltAt: Date,
  months: Boolean,
}, { versionKey: false, _id: false });

export function rollupModel(conn: Connection): Model<RollupDoc> {
  return (conn.models.Rollup as Model<RollupDoc> | undefined) ?? conn.model<RollupDoc>('Rollup', rollupSchema, 'rollups');
}

export function monthRollupModel(conn: Connection): Model<MonthRollupDoc> {
  return (conn.models.MonthRollup as Model<MonthRollupDoc> | undefined) ?? conn.model<MonthRollupDoc>('MonthRollup', monthRollupSchema, 'rollup_months');
}

export function rollupMetaModel(conn: Connection): Model<RollupMetaDoc> {
  return (conn.models.RollupMeta as Model<RollupMetaDoc> | undefined) ?? conn.model<RollupMetaDoc>('RollupMeta', rollupMetaSchema, 'rollup_meta');
}

/** The identity of a bucket: local day in REPORT_TZ, channel, agent id, survey type. */
export interface BucketKey { day: string; channel: string; agentId: string; type: 'transactional' | 'relational' }

export function bucketId(k: BucketKey): string {
  return JSON.stringify([k.day, k.channel, k.agentId, k.type]);
}

/** A month bucket's identity: the day bucket's, with the month (`YYYY-MM`) for the day. */
export interface MonthKey { month: string; channel: string; agentId: string; type: 'transactional' | 'relational' }

export function monthKeyOf(k: BucketKey): MonthKey {
  return { month: k.day.slice(0, 7), channel: k.channel, agentId: k.agentId, type: k.type };
}

export function monthBucketId(k: MonthKey): string {
  return JSON.stringify([k.month, k.channel, k.agentId, k.type]);
}
