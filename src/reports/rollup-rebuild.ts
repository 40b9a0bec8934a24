/**
 * Full recounts: `nps-bot rollup --rebuild` and `--verify`, and the automatic rebuild
 * when REPORT_TZ changes (the stored days would be in the wrong zone).
 *
 * The recount streams the surveys once and buckets them in memory (FerretDB 1.24 has
 * no date operators to group by local day in the database). A rebuild reads every
 * bucket's version first, then recounts, then writes each bucket as a versioned write
 * at the version it read, exactly like a live refresh (rollup-store.ts): a bucket that
 * a live refresh wrote meanwhile already holds a recount at least as recent and is
 * left alone. Buckets no survey feeds any more are set to zero the same way. So a
 * rebuild is safe while the bot is answering.
 */
import type { Connection } from 'mongoose';
import type { Logger } from '../logger.ts';
import { isDuplicateKey } from '../storage/mongo-errors.ts';
import { versionedUpdate } from '../storage/versioned-update.ts';
import { surveyModel } from '../storage/survey-model.ts';
import { forEachLimit } from './concurrency.ts';
import { emptyCounts, type NpsCounts } from './nps-math.ts';
import { bucketId, rollupMetaModel, rollupModel, type BucketKey } from './rollup-model.ts';
import { addCounted, COUNTED_FILTER } from './survey-counts.ts';
import { dayKeyOf } from './time-zone.ts';

export interface CountedBucket { key: BucketKey; agentName?: string; counts: NpsCounts }

const META_ID = 'rollups';
const COUNT_FIELDS = ['sent', 'responses', 'promoters', 'passives', 'detractors', 'scoreSum'] as const;

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

export interface RebuildResult { surveys: number; buckets: number; written: number; zeroed: number; skipped: number; ms: number }

export async function rebuildRollups(conn: Connection, timeZone: string, logger?: Logger): Promise<RebuildResult> {
  const started = Date.now();
  const rollups = rollupModel(conn);
  // Versions first: every write below is "counted after this version was read".
  const existing = new Map<string, { version: number; empty: boolean }>();
  for await (const d of rollups.collection.find({}, { projection: { version: 1, sent: 1, responses: 1 } })) {
    existing.set(String(d._id), { version: typeof d.version === 'number' ? d.version : 0, empty: !d.sent && !d.responses });
  }
  const { buckets, surveys } = await recountAll(conn, timeZone);
  const computedAt = new Date();

  let written = 0;
  let skipped = 0;
  const fresh: Array<Record<string, unknown>> = [];
  const updates: Array<{ id: string; version: number; fields: Record<string, unknown> }> = [];
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

  // New buckets in batches; one a live refresh created meanwhile is left to it.
  for (let i = 0; i < fresh.length; i += 2000) {
    const batch = fresh.slice(i, i + 2000);
    try {
      await rollups.collection.insertMany(batch as never[]);
      written += batch.length;
    } catch (err) {
      if (!isDuplicateKey(err) && !/E11000|duplicate/i.test(String((err as Error).message))) throw err;
      for (const doc of batch) {
        try {
          await rollups.collection.insertOne(doc as never);
          written++;
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
          skipped++;
        }
      }
    }
  }
  // One versioned write per changed bucket (FerretDB handles large bulk updates slowly).
  await forEachLimit(updates, 8, async (u) => {
    if (await versionedUpdate(rollups, u.id, u.version, { $set: u.fields })) written++;
    else skipped++;
  });
  await rollupMetaModel(conn).updateOne({ _id: META_ID }, { $set: { timeZone, rebuiltAt: new Date() } }, { upsert: true }).exec();
  const result = { surveys, buckets: buckets.size, written, zeroed, skipped, ms: Date.now() - started };
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
