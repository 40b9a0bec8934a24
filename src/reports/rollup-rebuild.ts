/**
 * Full recounts: `nps-bot rollup --rebuild` and `--verify`, and the automatic rebuild
 * when REPORT_TZ changes (the stored days would be in the wrong zone).
 *
 * The recount streams the surveys once and buckets them in memory (FerretDB 1.24 has
 * no date operators to group by local day in the database). A rebuild writes every
 * bucket, zeroes buckets no survey feeds any more, then marks every survey changed
 * since the rebuild began as dirty (with a version bump), so a change the scan missed
 * is recounted by the normal sync: it is safe to run while the bot is answering.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Logger } from '../logger.ts';
import { surveyModel } from '../survey-model.ts';
import { emptyCounts, type NpsCounts } from './nps-math.ts';
import { bucketId, rollupMetaModel, rollupModel, type BucketKey } from './rollup-model.ts';
import { addCounted, COUNTED_FILTER } from './survey-counts.ts';
import { dayKeyOf } from './time-zone.ts';

export interface CountedBucket { key: BucketKey; agentName?: string; counts: NpsCounts }

const META_ID = 'rollups';
/** Surveys written this long before a rebuild began are re-marked too (clock skew between processes). */
const SKEW_MS = 5 * 60_000;
const COUNT_FIELDS = ['sent', 'responses', 'promoters', 'passives', 'detractors', 'scoreSum'] as const;

/** Count every survey into its bucket, straight from the surveys collection. */
export async function recountAll(conn: Connection, timeZone: string): Promise<{ buckets: Map<string, CountedBucket>; surveys: number }> {
  const buckets = new Map<string, CountedBucket>();
  let surveys = 0;
  const cursor = surveyModel(conn).collection.find(COUNTED_FILTER, {
    projection: { _id: 0, resolvedAt: 1, channel: 1, 'agent.id': 1, 'agent.name': 1, type: 1, askedAt: 1, category: 1, score: 1 },
    batchSize: 5000,
  });
  for await (const s of cursor) {
    const agent = (s.agent ?? {}) as { id?: string; name?: string };
    if (!(s.resolvedAt instanceof Date) || typeof s.channel !== 'string' || typeof agent.id !== 'string') continue;
    surveys++;
    const key: BucketKey = { day: dayKeyOf(s.resolvedAt, timeZone), channel: s.channel, agentId: agent.id, type: s.type === 'relational' ? 'relational' : 'transactional' };
    const id = bucketId(key);
    let b = buckets.get(id);
    if (!b) {
      b = { key, counts: emptyCounts() };
      buckets.set(id, b);
    }
    if (agent.name) b.agentName = agent.name;
    addCounted(b.counts, s.category as string | undefined, s.score as number | undefined);
  }
  return { buckets, surveys };
}

export interface RebuildResult { surveys: number; buckets: number; zeroed: number; remarked: number; ms: number }

export async function rebuildRollups(conn: Connection, timeZone: string, logger?: Logger): Promise<RebuildResult> {
  const started = Date.now();
  const began = new Date();
  const rollups = rollupModel(conn).collection;
  const { buckets, surveys } = await recountAll(conn, timeZone);
  const rebuild = randomUUID();
  const existing = new Set<string>();
  for await (const d of rollups.find({}, { projection: { _id: 1 } })) existing.add(String(d._id));

  const fresh: object[] = [];
  const updates: object[] = [];
  for (const [id, b] of buckets) {
    const fields = { ...b.key, ...b.counts, ...(b.agentName ? { agentName: b.agentName } : {}), rebuild, computedAt: began };
    if (existing.has(id)) {
      // Counts only: `seq`/`appliedSeq` stay, so live recounts keep their order.
      updates.push({ updateOne: { filter: { _id: id }, update: { $set: fields } } });
    } else {
      fresh.push({ _id: id, ...fields, seq: 0, appliedSeq: 0 });
    }
  }
  for (let i = 0; i < fresh.length; i += 2000) {
    try {
      await rollups.insertMany(fresh.slice(i, i + 2000) as never[], { ordered: false });
    } catch (err) {
      // A live refresh created some of these meanwhile: write those as updates.
      if ((err as { code?: number }).code !== 11000 && !/E11000|duplicate/i.test(String((err as Error).message))) throw err;
      for (const doc of fresh.slice(i, i + 2000) as Array<Record<string, unknown>>) {
        const { _id, seq: _s, appliedSeq: _a, ...fields } = doc;
        await rollups.updateOne({ _id: _id as never }, { $set: fields, $setOnInsert: { seq: 0, appliedSeq: 0 } }, { upsert: true });
      }
    }
  }
  for (let i = 0; i < updates.length; i += 1000) await rollups.bulkWrite(updates.slice(i, i + 1000) as never[], { ordered: false });

  const zero = Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0]));
  const zeroed = await rollups.updateMany({ rebuild: { $ne: rebuild } }, { $set: { ...zero, rebuild, computedAt: began } });
  const remarked = await surveyModel(conn).updateMany(
    { updatedAt: { $gte: new Date(began.getTime() - SKEW_MS) } },
    { $set: { dirty: true }, $inc: { version: 1 } },
  ).exec();
  await rollupMetaModel(conn).updateOne({ _id: META_ID }, { $set: { timeZone, rebuiltAt: new Date() } }, { upsert: true }).exec();
  const result = { surveys, buckets: buckets.size, zeroed: zeroed.modifiedCount, remarked: remarked.modifiedCount, ms: Date.now() - started };
  logger?.info(result, 'rollups rebuilt');
  return result;
}

export interface RollupDifference {
  bucket: BucketKey;
  field: (typeof COUNT_FIELDS)[number];
  stored: number;
  recount: number;
}

/** Compare the stored rollups with a full recount. A missing bucket counts as all zeros. */
export async function verifyRollups(conn: Connection, timeZone: string): Promise<{ differences: RollupDifference[]; buckets: number; surveys: number; dirty: number; timeZone: string; storedTimeZone: string | null }> {
  const { buckets, surveys } = await recountAll(conn, timeZone);
  const stored = new Map<string, { key: BucketKey; counts: NpsCounts }>();
  for await (const d of rollupModel(conn).collection.find({})) {
    const key: BucketKey = { day: String(d.day), channel: String(d.channel), agentId: String(d.agentId), type: d.type === 'relational' ? 'relational' : 'transactional' };
    const counts = emptyCounts();
    for (const f of COUNT_FIELDS) counts[f] = typeof d[f] === 'number' ? d[f] : 0;
    stored.set(String(d._id), { key, counts });
  }
  const differences: RollupDifference[] = [];
  for (const id of new Set([...buckets.keys(), ...stored.keys()])) {
    const a = stored.get(id);
    const b = buckets.get(id);
    const key = (a ?? b)!.key;
    for (const field of COUNT_FIELDS) {
      const s = a?.counts[field] ?? 0;
      const r = b?.counts[field] ?? 0;
      if (s !== r) differences.push({ bucket: key, field, stored: s, recount: r });
    }
  }
  differences.sort((x, y) => x.bucket.day.localeCompare(y.bucket.day) || x.bucket.channel.localeCompare(y.bucket.channel) || x.bucket.agentId.localeCompare(y.bucket.agentId));
  const dirty = await surveyModel(conn).countDocuments({ dirty: true }).exec();
  const meta = await rollupMetaModel(conn).findById(META_ID).lean().exec();
  return { differences, buckets: buckets.size, surveys, dirty, timeZone, storedTimeZone: meta?.timeZone ?? null };
}

/**
 * On start: if the rollups were built in another time zone, or never built while
 * surveys exist (first run of this version), rebuild them. Returns whether it did.
 */
export async function ensureRollupZone(conn: Connection, timeZone: string, logger: Logger): Promise<boolean> {
  const meta = await rollupMetaModel(conn).findById(META_ID).lean().exec();
  if (meta?.timeZone === timeZone) return false;
  const hasSurveys = (await surveyModel(conn).findOne({}, { _id: 1 }).lean().exec()) !== null;
  if (!meta && !hasSurveys) {
    await rollupMetaModel(conn).updateOne({ _id: META_ID }, { $setOnInsert: { timeZone } }, { upsert: true }).exec();
    return false;
  }
  logger.info({ from: meta?.timeZone ?? null, to: timeZone }, 'rollups are not in REPORT_TZ yet: rebuilding them');
  await rebuildRollups(conn, timeZone, logger);
  return true;
}
