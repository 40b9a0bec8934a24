/**
 * Optimistic concurrency for documents with a `version` field: one conditional
 * `findOneAndUpdate` whose filter holds the version the caller read. MongoDB applies it
 * atomically, so of two writers that read the same version exactly one lands; the other
 * gets null and re-reads. (The fidelity test checks the server honours this.)
 */
import type { Model, UpdateQuery } from 'mongoose';

/** Apply `update` to `id` only if it is still at `version`, bumping the version; null if another writer got there first. */
export async function versionedUpdate<T extends { version: number }>(
  model: Model<T>, id: unknown, version: number, update: UpdateQuery<T>,
): Promise<T | null> {
  const inc = { ...((update.$inc as Record<string, number> | undefined) ?? {}), version: 1 };
  return model.findOneAndUpdate(
    { _id: id, version } as never,
    { ...update, $inc: inc } as UpdateQuery<T>,
    { returnDocument: 'after', lean: true },
  ).exec() as Promise<T | null>;
}
