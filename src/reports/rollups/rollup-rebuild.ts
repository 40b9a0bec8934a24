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
 * set to zero the same way. So a rebuild is safe while the bot is answering. The month
 * buckets are the same recount folded by month, written the same way; `--verify`
 * compares both with it.
 */
import type { Connection } from 'mongoose';
import type { Logger } from '../../logger.ts';
import { SurveyReader } from '../../storage/surveys/index.ts';
import type { AttributionRule } from './attribution.ts';
import { addCredited, CREDITED_FIELDS, roundedCounts, type CreditedSurvey } from './credited-counts.ts';
import { addCounts, emptyCounts, type NpsCounts } from '../nps-math.ts';
import { bucketId, monthRollupModel, rollupMetaModel, rollupModel, type BucketKey } from './rollup-model.ts';
import { foldMonths } from './rollup-months.ts';
import { insertBuckets, writeVersioned, type BucketModel, type BucketVersion, type VersionedWrite } from './rollup-writes.ts';
import { bucketGroupKey, bucketType, BUCKETABLE_FILTER, COUNT_ACCUMULATORS, COUNTED_FILTER } from '../survey-counts.ts';

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

export interface RebuildResult { surveys: number; buckets: number; months: number; written: number; zeroed: number; skipped: number; ms: number }

type BucketFields = { identity: Record<string, unknown>; counts: NpsCounts; agentName?: string };

/** Every stored bucket's version (read before the recount: each write below is "counted after this version"). */
async function storedVersions(model: BucketModel): Promise<Map<string, BucketVersion>> {
  const existing = new Map<string, BucketVersion>();
  for await (const d of model.collection.find({}, { projection: { version: 1, sent: 1, responses: 1 } })) {
    existing.set(String(d._id), { version: typeof d.version === 'number' ? d.version : 0, empty: !d.sent && !d.responses });
  }
  return existing;
}

/** Write a recount: new buckets inserted, known ones versioned, ones no survey feeds set to zero. */
async function storeRecount(model: BucketModel, recount: Map<string, BucketFields>, existing: Map<string, BucketVersion>, computedAt: Date): Promise<{ written: number; zeroed: number; skipped: number }> {
  const fresh: Array<Record<string, unknown> & { _id: string }> = [];
  const updates: VersionedWrite[] = [];
  for (const [id, b] of recount) {
    const fields = { ...b.counts, ...(b.agentName ? { agentName: b.agentName } : {}), computedAt };
    const known = existing.get(id);
    if (known) updates.push({ id, version: known.version, fields });
    else fresh.push({ _id: id, ...b.identity, ...fields, version: 0 });
  }
  const zero = Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0]));
  for (const [id, known] of existing) {
    if (!recount.has(id) && !known.empty) updates.push({ id, version: known.version, fields: { ...zero, computedAt } });
  }
  const zeroed = updates.filter((u) => !recount.has(u.id)).length;
  // New buckets in bulk; one a live refresh created meanwhile is left to it.
  const { inserted, existing: createdMeanwhile } = await insertBuckets(model, fresh);
  const landed = await writeVersioned(model, updates);
  return { written: inserted + landed.size, zeroed, skipped: createdMeanwhile.length + (updates.length - landed.size) };
}

export async function rebuildRollups(conn: Connection, timeZone: string, logger?: Logger, rule: AttributionRule = 'resolver'): Promise<RebuildResult> {
  const started = Date.now();
  const days = rollupModel(conn);
  const months = monthRollupModel(conn);
  // Versions first: every write below is "counted after this version was read".
  const [dayVersions, monthVersions] = await Promise.all([storedVersions(days), storedVersions(months)]);
  const { buckets, surveys } = await recountAll(conn, timeZone, rule);
  const monthly = foldMonths(buckets.values());
  const computedAt = new Date();

  const d = await storeRecount(days, new Map([...buckets].map(([id, b]) => [id, { identity: { ...b.key }, counts: b.counts, ...(b.agentName ? { agentName: b.agentName } : {}) }])), dayVersions, computedAt);
  const m = await storeRecount(months, new Map([...monthly].map(([id, b]) => [id, { identity: { ...b.key }, counts: b.counts, ...(b.agentName ? { agentName: b.agentName } : {}) }])), monthVersions, computedAt);
  await rollupMetaModel(conn).updateOne({ _id: META_ID }, { $set: { timeZone, attribution: rule, rebuiltAt: new Date(), months: true } }, { upsert: true }).exec();
  const result = {
    surveys, buckets: buckets.size, months: monthly.size,
    written: d.written + m.written, zeroed: d.zeroed + m.zeroed, skipped: d.skipped + m.skipped, ms: Date.now() - started,
  };
  logger?.info({ ...result, attribution: rule }, 'rollups rebuilt');
  return result;
}

export interface RollupDifference {
  /** A day bucket, or a month bucket (then `bucket.day` holds the month, `YYYY-MM`). */
  grain: 'day' | 'month';
  bucket: BucketKey;
  field: (typeof COUNT_FIELDS)[number];
  stored: number;
  recount: number;
}

/** Compare the stored rollups (days and months) with a full recount. A missing bucket counts as all zeros. */
export async function verifyRollups(conn: Connection, timeZone: string, rule: AttributionRule = 'resolver'): Promise<{ differences: RollupDifference[]; buckets: number; months: number; surveys: number; dirty: number; timeZone: string; storedTimeZone: string | null }> {
  const { buckets, surveys } = await recountAll(conn, timeZone, rule);
  const monthly = foldMonths(buckets.values());
  const differences: RollupDifference[] = [];
  const recountDays = new Map([...buckets].map(([id, b]) => [id, { key: b.key, counts: b.counts }]));
  const recountMonths = new Map([...monthly].map(([id, m]) => [id, { key: { ...m.key, day: m.key.month }, counts: m.counts }]));
  differences.push(...compare('day', await storedBuckets(rollupModel(conn), 'day'), recountDays));
  differences.push(...compare('month', await storedBuckets(monthRollupModel(conn), 'month'), recountMonths));
  differences.sort((x, y) => x.grain.localeCompare(y.grain) || x.bucket.day.localeCompare(y.bucket.day) || x.bucket.channel.localeCompare(y.bucket.channel) || x.bucket.agentId.localeCompare(y.bucket.agentId));
  const dirty = await new SurveyReader(conn).count({ dirty: true });
  const meta = await rollupMetaModel(conn).findById(META_ID).lean().exec();
  return { differences, buckets: buckets.size, months: monthly.size, surveys, dirty, timeZone, storedTimeZone: meta?.timeZone ?? null };
}

type Counted = Map<string, { key: BucketKey; counts: NpsCounts }>;

async function storedBuckets(model: BucketModel, period: 'day' | 'month'): Promise<Counted> {
  const stored: Counted = new Map();
  for await (const d of model.collection.find({})) {
    const key: BucketKey = { day: String(d[period]), channel: String(d.channel), agentId: String(d.agentId), type: d.type === 'relational' ? 'relational' : 'transactional' };
    const counts = emptyCounts();
    for (const f of COUNT_FIELDS) counts[f] = typeof d[f] === 'number' ? d[f] : 0;
    stored.set(String(d._id), { key, counts });
  }
  return stored;
}

function compare(grain: 'day' | 'month', stored: Counted, recount: Counted): RollupDifference[] {
  const out: RollupDifference[] = [];
  for (const id of new Set([...recount.keys(), ...stored.keys()])) {
    const a = stored.get(id);
    const b = recount.get(id);
    const key = (a ?? b)!.key;
    for (const field of COUNT_FIELDS) {
      const s = a?.counts[field] ?? 0;
      const r = b?.counts[field] ?? 0;
      if (s !== r) out.push({ grain, bucket: key, field, stored: s, recount: r });
    }
  }
  return out;
}

/**
 * On start: if the rollups were built in another time zone, or never built while
 * surveys exist, or built before month buckets existed, rebuild them. Returns whether it did.
 */
export async function ensureRollupZone(conn: Connection, timeZone: string, logger: Logger, rule: AttributionRule = 'resolver'): Promise<boolean> {
  const meta = await rollupMetaModel(conn).findById(META_ID).lean().exec();
  const sameRule = (meta?.attribution ?? 'resolver') === rule;
  if (meta?.timeZone === timeZone && meta.months && sameRule) return false;
  const hasSurveys = await new SurveyReader(conn).exists({});
  if (!hasSurveys && (!meta || meta.timeZone === timeZone)) {
    await rollupMetaModel(conn).updateOne({ _id: META_ID }, { $set: { timeZone, attribution: rule, months: true } }, { upsert: true }).exec();
    return false;
  }
  if (meta?.timeZone === timeZone && sameRule) logger.info('the month rollups are not built yet: rebuilding the rollups');
  else logger.info({ from: meta?.timeZone ?? null, to: timeZone, attributionFrom: meta?.attribution ?? 'resolver', attribution: rule }, 'rollups are not in REPORT_TZ or ATTRIBUTION_RULE yet: rebuilding them');
  await rebuildRollups(conn, timeZone, logger, rule);
  return true;
}
