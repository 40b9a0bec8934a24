/**
 * The MongoDB side of `ChannelStateStore` (conversation/channel-contract/channel-state.ts): each key is one
 * document and each operation one conditional write on it, so processes sharing the
 * database count and swap without locks. An expired document is treated as missing
 * (and replaced in place by the next write), whether or not the TTL sweep has run yet.
 *
 * @example
 * const state = new MongoChannelStateStore(conn, 'x'); // keys live under "x/"
 * await state.increment('dm-cap:app:20000', 1, endOfWindow);
 */
import type { Connection, Model } from 'mongoose';
import type { ChannelStateStore, DueEntry } from '../conversation/channel-contract/channel-state.ts';
import { channelStateModel, type ChannelStateDoc } from './channel-state-model.ts';
import { isDuplicateKey } from '../storage/mongo-errors.ts';

/** Attempts when a concurrent writer keeps taking the key between our conditional writes. */
const MAX_RACES = 8;
/** Longest key an adapter may use: ids are short, and a key is a document id. */
const MAX_KEY = 400;

export class ChannelStateRaceError extends Error {
  override readonly name = 'ChannelStateRaceError';
}

export class MongoChannelStateStore implements ChannelStateStore {
  private readonly model: Model<ChannelStateDoc>;

  /** `namespace` is the channel name: one channel never sees another's keys. */
  constructor(conn: Connection, private readonly namespace: string, private readonly now: () => Date = () => new Date()) {
    this.model = channelStateModel(conn);
  }

  /** Build the indexes (the TTL sweep, the due index); the app calls it once at start. */
  async init(): Promise<void> {
    await this.model.init();
  }

  async increment(key: string, by: number, expiresAt: Date): Promise<number> {
    const _id = this.id(key);
    if (!Number.isFinite(by)) throw new RangeError('channel state: increment needs a finite number');
    for (let race = 0; race < MAX_RACES; race++) {
      const now = this.now();
      const live = await this.model.findOneAndUpdate(
        { _id, expiresAt: { $gt: now } }, { $inc: { n: by } }, { returnDocument: 'after', lean: true, projection: { n: 1 } },
      ).exec();
      if (live) return live.n ?? by;
      // Missing or expired: the counter starts over at `by`.
      if (await this.replaceExpired(_id, now, { n: by, expiresAt })) return by;
      if (await this.insert({ _id, n: by, expiresAt })) return by;
    }
    throw new ChannelStateRaceError(`channel state: increment of "${key.slice(0, 80)}" lost ${MAX_RACES} races in a row`);
  }

  async get(key: string): Promise<string | null> {
    const doc = await this.model.findOne({ _id: this.id(key), expiresAt: { $gt: this.now() } }, { value: 1 }).lean().exec();
    return doc?.value ?? null;
  }

  async set(key: string, value: string, opts: { expiresAt: Date; dueAt?: Date }): Promise<void> {
    await this.model.updateOne(
      { _id: this.id(key) },
      { $set: { value, expiresAt: opts.expiresAt, ...(opts.dueAt ? { dueAt: opts.dueAt } : {}) }, $unset: { n: 1, ...(opts.dueAt ? {} : { dueAt: 1 }) } },
      { upsert: true },
    ).exec();
  }

  async compareAndSet(key: string, expected: string | null, next: string | null, opts: { expiresAt: Date; dueAt?: Date }): Promise<boolean> {
    const _id = this.id(key);
    const now = this.now();
    if (expected !== null) {
      const live = { _id, value: expected, expiresAt: { $gt: now } };
      if (next === null) return (await this.model.deleteOne(live).exec()).deletedCount === 1;
      const r = await this.model.updateOne(live, this.setValue(next, opts)).exec();
      return r.matchedCount === 1;
    }
    // Expected missing: an expired document counts as missing.
    if (next === null) return !(await this.model.exists({ _id, expiresAt: { $gt: now } }));
    const fields = { value: next, expiresAt: opts.expiresAt, ...(opts.dueAt ? { dueAt: opts.dueAt } : {}) };
    if (await this.replaceExpired(_id, now, fields)) return true;
    return this.insert({ _id, ...fields });
  }

  async due(prefix: string, now: Date, limit: number): Promise<DueEntry[]> {
    const from = this.id(prefix);
    const docs = await this.model.find(
      { _id: { $gte: from, $lt: `${from}\uffff` }, dueAt: { $lte: now }, expiresAt: { $gt: now } },
      { value: 1, dueAt: 1 },
    ).sort({ dueAt: 1 }).limit(Math.max(1, Math.min(limit, 1000))).lean().exec();
    const start = this.namespace.length + 1;
    return docs.flatMap((d) => (d.value !== undefined && d.dueAt ? [{ key: d._id.slice(start), value: d.value, dueAt: d.dueAt }] : []));
  }

  async delete(key: string): Promise<void> {
    await this.model.deleteOne({ _id: this.id(key) }).exec();
  }

  private setValue(value: string, opts: { expiresAt: Date; dueAt?: Date }) {
    return opts.dueAt
      ? { $set: { value, expiresAt: opts.expiresAt, dueAt: opts.dueAt }, $unset: { n: 1 } }
      : { $set: { value, expiresAt: opts.expiresAt }, $unset: { n: 1, dueAt: 1 } };
  }

  /** Overwrite an expired document in place; false when there is none (missing, or alive). */
  private async replaceExpired(_id: string, now: Date, fields: Partial<ChannelStateDoc>): Promise<boolean> {
    const unset: Record<string, 1> = {};
    for (const f of ['n', 'value', 'dueAt'] as const) if (fields[f] === undefined) unset[f] = 1;
    const update = Object.keys(unset).length > 0 ? { $set: fields, $unset: unset } : { $set: fields };
    const r = await this.model.updateOne({ _id, expiresAt: { $lte: now } }, update).exec();
    return r.matchedCount === 1;
  }

  /** Create the document; false when another writer created it first. */
  private async insert(doc: ChannelStateDoc): Promise<boolean> {
    try {
      await this.model.create(doc);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  private id(key: string): string {
    if (key.length === 0 || key.length > MAX_KEY) throw new RangeError(`channel state: a key has 1–${MAX_KEY} characters`);
    return `${this.namespace}/${key}`;
  }
}
