/**
 * Exactly-once steps on any MongoDB-compatible server.
 *
 * Real MongoDB applies a conditional update atomically, but FerretDB 1.x runs it as a
 * read followed by a whole-document write, so two processes can both "win" the same
 * findOneAndUpdate, and a concurrent write can be overwritten. A unique-key insert is
 * atomic on both. So every write to a versioned document (surveys, contacts) first
 * inserts the key `<kind>:<id>:<version>`: one writer per version, the others see a
 * duplicate key and re-read. Keys are swept after the lease time, which also frees
 * the step of a writer that died holding one.
 */
import type { Model, UpdateQuery } from 'mongoose';
import type { StepLockDoc } from '../storage/step-lock-model.ts';

export class StepLocks {
  constructor(private readonly model: Model<StepLockDoc>, private readonly now: () => Date = () => new Date()) {}

  /** True if this caller now holds `key`. */
  async acquire(key: string): Promise<boolean> {
    try {
      await this.model.create({ _id: key, at: this.now() });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async release(key: string): Promise<void> {
    await this.model.deleteOne({ _id: key }).exec();
  }

  /** Remove keys of writers that died mid-step, so the step can be tried again. */
  async sweep(olderThan: Date): Promise<number> {
    return (await this.model.deleteMany({ at: { $lt: olderThan } }).exec()).deletedCount;
  }

  /**
   * Apply `update` to the document `id` only if it is still at `version`, bumping the
   * version. Returns the document after the update, or null if another writer got there first.
   */
  async versionedUpdate<T extends { version: number }>(
    model: Model<T>, kind: string, id: unknown, version: number, update: UpdateQuery<T>,
  ): Promise<T | null> {
    const key = `${kind}:${String(id)}:${version}`;
    if (!(await this.acquire(key))) return null;
    const inc = { ...((update.$inc as Record<string, number> | undefined) ?? {}), version: 1 };
    try {
      // The key stays after success: the version moved on, so nobody needs it again
      // (a late writer holding the old version must fail), and the sweep removes it.
      return await model.findOneAndUpdate(
        { _id: id, version } as never,
        { ...update, $inc: inc } as UpdateQuery<T>,
        { returnDocument: 'after', lean: true },
      ).exec() as T | null;
    } catch (err) {
      await this.release(key);
      throw err;
    }
  }
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
