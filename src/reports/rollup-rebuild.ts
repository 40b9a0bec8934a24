/**
 * Full recounts: `nps-bot rollup --rebuild` and `--verify`, and the automatic rebuild
 * when REPORT_TZ changes (the stored days would be in the wrong zone).
 *
 * The recount is one `$group` over the surveys in the database, bucketed by local day
 * in REPORT_TZ (`$dateToString` with the zone). A rebuild reads every bucket's version
 * first, then recounts, then writes each bucket as a versioned write at the version it
 * read, exactly like a live refresh (rollup-store.ts), in unordered bulk writes
 * (rollup-writes.ts): a bucket that a live refresh wrote meanwhile already holds a
 * recount at least as recent and is left alone. Buckets no survey feeds any more are
 * set to zero the same way. So a rebuild is safe while the bot is answering.
 */
import type { Connection } from 'mongoose';
import type { Logger } from '../logger.ts';
import { SurveyReader } from '../storage/surveys/index.ts';
import { addCounts, emptyCounts, type NpsCounts } from './nps-math.ts';
import { bucketId, rollupMetaModel, rollupModel, type BucketKey } from './rollup-model.ts';
import { insertBuckets, writeVersioned, type BucketVersion, type VersionedWrite } from './rollup-writes.ts';
import { bucketGroupKey, bucketType, BUCKETABLE_FILTER, COUNT_ACCUMULATORS, COUNTED_FILTER } from './survey-counts.ts';
import type { AttributionRule } from './attribution.ts';
import { addCredited, CREDITED_FIELDS, roundedCounts, type CreditedSurvey } from './credited-counts.ts';

export interface CountedBucket { key: BucketKey; agentName?: string; counts: NpsCounts }

const META_ID = 'rollups';
const COUNT_FIELDS = ['sent', 'responses', 'promoters', 'passives', 'detractors', 'scoreSum'] as const;

type GroupedBucket = NpsCounts & { _id: Omit<BucketKey, 'type'> & { type?: unknown }; agentName: string | null };

export async function recountAll(conn: Connection, timeZone: string, rule: AttributionRule = 'resolver'): Promise<{ buckets: Map<string, CountedBucket>; surveys: number }> {
  if (rule !== 'resolver') return recountCredited(conn, timeZone, rule);
  const buckets = new Map<string, CountedBucket>();
  let surveys = 0;
  const cursor = new SurveyReader(conn).aggregateCursor<GroupedBucket>([
    { $match: { ...BUCKETABLE_FILTER, ...COUNTED_FILTER } },
    { $group: {
      _id: bucketGroupKey(timeZone),
      ...COUNT_ACCUMULATORS,
      agentName: { $max: '$agent.name' },
    } },
  ], { allowDiskUse: true, batchSize: 10_000 });
  for await (const g of cursor) {
    const key: BucketKey = { day: g._id.day, channel: g._id.channel, agentId: g._id.agentId, type: bucketType(g._id.type) };
    const counts = emptyCounts();
    for (const f of COUNT_FIELDS) counts[f] = g[f];
    surveys += g.sent;
    // Untyped surveys fold into the transactional bucket: add to a group already seen.
    const known = buckets.get(bucketId(key));
    if (known) {
      addCounts(known.counts, counts);
      if (g.agentName && (!known.agentName || g.agentName > known.agentName)) known.agentName = g.agentName;
    } else {
      buckets.set(bucketId(key), { key, counts, ...(g.agentName ? { agentName: g.agentName } : {}) });
    }
  }
  return { buckets, surveys };
}

/** The full recount under `last-replier` or `shared`: every counted survey read once, its weighted counts added to each credited agent's bucket. */
async function recountCredited(conn: Connection, timeZone: string, rule: AttributionRule): Promise<{ buckets: Map<string, CountedBucket>; surveys: number }> {
  const buckets = new Map<string, CountedBucket>();
  let surveys = 0;
  const cursor = new SurveyReader(conn).findCursor({ ...BUCKETABLE_FILTER, ...COUNTED_FILTER }, CREDITED_FIELDS, 10_000);
  for await (const s of cursor) {
    surveys++;
    addCredited(buckets, s as unknown as CreditedSurvey, rule, timeZone);
  }
  for (const b of buckets.values()) b.counts = roundedCounts(b.counts);
  return { buckets, surveys };
}

export interface RebuildResult { surveys: number; buckets: number; written: number; zeroed: number; skipped: number; ms: number }

export async function rebuildRollups(conn: Connection, timeZone: string, logger?: Logger, rule: AttributionRule = 'resolver'): Promise<RebuildResult> {
  const started = Date.now();
  const rollups = rollupModel(conn);
  // Versions first: every write below is "counted after this version was read".
  const existing = new Map<string, BucketVersion>();
  for await (const d of rollups.collection.find({}, { projection: { version: 1, sent: 1, responses: 1 } })) {
    existing.set(String(d._id), { version: typeof d.version === 'number' ? d.version : 0, empty: !d.sent && !d.responses });
  }
  const { buckets, surveys } = await recountAll(conn, timeZone, rule);
  const computedAt = new Date();

  const fresh: Array<Record<string, unknown> & { _id: string }> = [];
  const updates: VersionedWrite[] = [];
  for (const [id, b] of buckets) {
    const fields = { ...b.counts, ...(b.agentName ? { agentName: b.agentName } : {}), computedAt };
    const known = existing.get(id);
    if (known) updates.push({ id, version: known.version, fields });
    else fresh.push({ _id: id, ...b.key, ...fields, version: 0 });
  }
  const zero = Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0]));
  for (const [id, known] of existing) {
    if (!buckets.has(id) && !known.empty) updates.push({ id, version: known.version, fields: { ...zero, computedAt } });
  }
  const zeroed = updates.filter((u) => !buckets.has(u.id)).length;

  // New buckets in bulk; one a live refresh created meanwhile is left to it.
  const { inserted, existing: createdMeanwhile } = await insertBuckets(rollups, fresh);
  const landed = await writeVersioned(rollups, updates);
  const written = inserted + landed.size;
  const skipped = createdMeanwhile.length + (updates.length - landed.size);
  await rollupMetaModel(conn).updateOne({ _id: META_ID }, { $set: { timeZone, attribution: rule, rebuiltAt: new Date() } }, { upsert: true }).exec();
  const result = { surveys, buckets: buckets.size, written, zeroed, skipped, ms: Date.now() - started };
  logger?.info({ ...result, attribution: rule }, 'rollups rebuilt');
  return result;
}

export interface RollupDifference {
  bucket: BucketKey;
  field: (typeof COUNT_FIELDS)[number];
  stored: number;
  recount: number;
}

/** Compare the stored rollups with a full recount. A missing bucket counts as all zeros. */
export async function verifyRollups(conn: Connection, timeZone: string, rule: AttributionRule = 'resolver'): Promise<{ differences: RollupDifference[]; buckets: number; surveys: number; dirty: number; timeZone: string; storedTimeZone: string | null }> {
  const { buckets, surveys } = await recountAll(conn, timeZone, rule);
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
  const dirty = await new SurveyReader(conn).count({ dirty: true });
  const meta = await rollupMetaModel(conn).findById(META_ID).lean().exec();
  return { differences, buckets: buckets.size, surveys, dirty, timeZone, storedTimeZone: meta?.timeZone ?? null };
}

/**
 * On start: if the rollups were built in another time zone or under another attribution
 * rule (ATTRIBUTION_RULE: the agent buckets differ), or never built while surveys exist
 * (first run of this version), rebuild them. Returns whether it did.
 */
export async function ensureRollupZone(conn: Connection, timeZone: string, logger: Logger, rule: AttributionRule = 'resolver'): Promise<boolean> {
  const meta = await rollupMetaModel(conn).findById(META_ID).lean().exec();
  if (meta?.timeZone === timeZone && (meta.attribution ?? 'resolver') === rule) return false;
  const hasSurveys = await new SurveyReader(conn).exists({});
  if (!meta && !hasSurveys) {
    await rollupMetaModel(conn).updateOne({ _id: META_ID }, { $setOnInsert: { timeZone, attribution: rule } }, { upsert: true }).exec();
    return false;
  }
  logger.info({ from: meta?.timeZone ?? null, to: timeZone, attributionFrom: meta?.attribution ?? 'resolver', attribution: rule }, 'rollups are not in REPORT_TZ or ATTRIBUTION_RULE yet: rebuilding them');
  await rebuildRollups(conn, timeZone, logger, rule);
  return true;
}
