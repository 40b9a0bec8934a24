/**
 * Stored aggregates: one document per local day × channel × agent × survey type, with
 * the counts a report needs. A bucket is never incremented: it is recounted from its
 * surveys and written only if nobody wrote it since the recount began (`version`, see
 * rollup-store.ts), so a retry or a crash can never double-count.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { NpsCounts } from './nps-math.ts';

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

const rollupSchema = new Schema<RollupDoc>({
  _id: { type: String, required: true },
  day: { type: String, required: true },
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
}, { versionKey: false, _id: false });

rollupSchema.index({ day: 1, type: 1 });

/** Which time zone the stored days are in; a change of REPORT_TZ triggers a rebuild. */
/** Which time zone the stored days are in, and which attribution rule the agent buckets follow; a change of either triggers a rebuild. */
export interface RollupMetaDoc { _id: string; timeZone: string; attribution?: string; rebuiltAt?: Date }

const rollupMetaSchema = new Schema<RollupMetaDoc>({
  _id: { type: String, required: true },
  timeZone: { type: String, required: true },
  attribution: String,
  rebuiltAt: Date,
}, { versionKey: false, _id: false });

export function rollupModel(conn: Connection): Model<RollupDoc> {
  return (conn.models.Rollup as Model<RollupDoc> | undefined) ?? conn.model<RollupDoc>('Rollup', rollupSchema, 'rollups');
}

export function rollupMetaModel(conn: Connection): Model<RollupMetaDoc> {
  return (conn.models.RollupMeta as Model<RollupMetaDoc> | undefined) ?? conn.model<RollupMetaDoc>('RollupMeta', rollupMetaSchema, 'rollup_meta');
}

/** The identity of a bucket: local day in REPORT_TZ, channel, agent id, survey type. */
export interface BucketKey { day: string; channel: string; agentId: string; type: 'transactional' | 'relational' }

export function bucketId(k: BucketKey): string {
  return JSON.stringify([k.day, k.channel, k.agentId, k.type]);
}
