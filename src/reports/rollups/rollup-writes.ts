/**
 * Writing many rollup buckets at once: versions read in one query, new buckets
 * inserted and counts written with unordered bulk writes (one round trip per thousand
 * buckets instead of one per bucket), every count still a versioned write: its filter
 * holds the version read before the recount, so it lands only if nobody wrote the
 * bucket since (see rollup-store.ts for why that keeps rollups equal to their surveys).
 */
import { randomUUID } from 'node:crypto';
import type { Model, mongo } from 'mongoose';
import { isDuplicateKey } from '../../storage/mongo-errors.ts';
import type { MonthRollupDoc, RollupDoc } from './rollup-model.ts';

/** Day or month buckets: written the same way. */
export type BucketModel = Model<RollupDoc> | Model<MonthRollupDoc>;

/** Operations per bulkWrite call (the driver splits further to the server's batch size). */
const CHUNK = 5000;

export interface BucketVersion { version: number; empty: boolean }

/** The versions of the given buckets (absent ones are missing from the map). */
export async function readVersions(rollups: BucketModel, ids: string[]): Promise<Map<string, BucketVersion>> {
  const out = new Map<string, BucketVersion>();
  for (const chunk of chunks(ids)) {
    const docs = await rollups.collection.find({ _id: { $in: chunk as never[] } }, { projection: { version: 1, sent: 1, responses: 1 } }).toArray();
    for (const d of docs) out.set(String(d._id), { version: typeof d.version === 'number' ? d.version : 0, empty: !d.sent && !d.responses });
  }
  return out;
}

/**
 * Insert new buckets (unordered). A bucket another writer created first is left to it:
 * returns how many were inserted and the ids that already existed.
 */
export async function insertBuckets(rollups: BucketModel, docs: Array<Record<string, unknown> & { _id: string }>): Promise<{ inserted: number; existing: string[] }> {
  let inserted = 0;
  const existing: string[] = [];
  for (const chunk of chunks(docs)) {
    try {
      inserted += (await rollups.collection.insertMany(chunk as never[], { ordered: false })).insertedCount;
    } catch (err) {
      const { writeErrors, insertedCount } = bulkFailure(err);
      inserted += insertedCount;
      for (const e of writeErrors) existing.push(chunk[e.index]!._id);
    }
  }
  return { inserted, existing };
}

export interface VersionedWrite { id: string; version: number; fields: Record<string, unknown> }

/**
 * Write each bucket's fields if it is still at the version given, bumping the version.
 * Returns the ids whose write landed. A bulk result only counts matches, so when some
 * did not match, each write carries a fresh token and the landed ones are those still
 * holding it (one overwritten since by a newer recount is reported as not landed, which
 * costs at most a harmless recount).
 */
export async function writeVersioned(rollups: BucketModel, writes: VersionedWrite[]): Promise<Set<string>> {
  const landed = new Set<string>();
  for (const chunk of chunks(writes)) {
    const writeId = randomUUID();
    const ops: Array<mongo.AnyBulkWriteOperation> = chunk.map((w) => ({
      updateOne: {
        filter: { _id: w.id as never, version: w.version },
        update: { $set: { ...w.fields, writeId }, $inc: { version: 1 } },
      },
    }));
    const result = await rollups.collection.bulkWrite(ops, { ordered: false });
    if (result.matchedCount === chunk.length) {
      for (const w of chunk) landed.add(w.id);
      continue;
    }
    const held = await rollups.collection.find({ _id: { $in: chunk.map((w) => w.id) as never[] }, writeId }, { projection: { _id: 1 } }).toArray();
    for (const d of held) landed.add(String(d._id));
  }
  return landed;
}

/** The parts of an unordered bulk failure we can continue from: only duplicate keys are expected. */
function bulkFailure(err: unknown): { writeErrors: Array<{ index: number }>; insertedCount: number } {
  const e = err as { writeErrors?: unknown; result?: { insertedCount?: number } };
  const raw = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
  if (raw.length === 0 || !raw.every((w) => isDuplicateKey(w))) throw err;
  return { writeErrors: raw as Array<{ index: number }>, insertedCount: e.result?.insertedCount ?? 0 };
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
