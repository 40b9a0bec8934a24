/** What the server's errors mean to us. */
import type { Outcome } from './group-commit.ts';

/** A unique index refused the write (code 11000): the thing already exists. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/** Errors that mean the database could not be reached (or went away mid-operation): worth a retry later. */
const UNAVAILABLE = new Set([
  'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongooseServerSelectionError',
  'MongoNotConnectedError', 'MongoTopologyClosedError', 'MongoPoolClearedError', 'MongoServerClosedError',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const wrapped = bulkFailureCause(err);
  if (wrapped !== err) return isDatabaseUnavailable(wrapped);
  const e = err as { name?: unknown; errorLabels?: unknown; message?: unknown };
  if (typeof e.name === 'string' && UNAVAILABLE.has(e.name)) return true;
  if (e.errorLabels instanceof Set && (e.errorLabels.has('ResetPool') || e.errorLabels.has('RetryableWriteError'))) return true;
  // Mongoose's "Operation `x.find()` buffering timed out" / "Client must be connected" while disconnected.
  return e.name === 'MongooseError' && typeof e.message === 'string' && /buffering timed out|must be connected/i.test(e.message);
}

/**
 * A bulk write (insertMany, bulkWrite) that failed as a whole (the connection went, the
 * server was not found) reaches us as a MongoBulkWriteError naming no write error, with
 * the driver's own error as its `errorResponse`: that error, as a lone write would have
 * thrown it. Anything else is returned as it is.
 */
export function bulkFailureCause(err: unknown): unknown {
  const e = err as { name?: unknown; writeErrors?: unknown; errorResponse?: unknown } | null;
  if (typeof e !== 'object' || e === null || e.name !== 'MongoBulkWriteError') return err;
  if (Array.isArray(e.writeErrors) && e.writeErrors.length > 0) return err;
  return e.errorResponse instanceof Error ? e.errorResponse : err;
}

/**
 * The writes of an unordered bulk write that failed (by index, with their error: `code`,
 * `errmsg`) when the others were acknowledged; null when the failure may concern the whole batch.
 */
export function failedWrites(err: unknown): Map<number, unknown> | null {
  const e = err as { name?: string; writeErrors?: unknown; result?: { getWriteConcernError?: () => unknown } };
  if (e?.name !== 'MongoBulkWriteError' || !Array.isArray(e.writeErrors) || e.writeErrors.length === 0) return null;
  if (e.result?.getWriteConcernError?.()) return null;
  const failed = new Map<number, unknown>();
  for (const w of e.writeErrors as Array<{ index?: unknown }>) {
    if (typeof w.index !== 'number') return null;
    failed.set(w.index, w);
  }
  return failed;
}

/**
 * Each write's outcome of an unordered bulk write of `count` writes that threw `err`
 * (some failed, the others were acknowledged): `ok` for the acknowledged, `duplicate`
 * for one a unique index refused, the write's own error for any other. Anything that may
 * concern the whole batch (the connection went, a write concern error) is thrown.
 */
export function bulkOutcomes<T>(count: number, err: unknown, ok: T, duplicate: T | null): Array<Outcome<T>> {
  const failed = failedWrites(err);
  if (!failed) throw bulkFailureCause(err);
  return Array.from({ length: count }, (_, i): Outcome<T> => {
    if (!failed.has(i)) return { ok: true, value: ok };
    const e = failed.get(i);
    return duplicate !== null && isDuplicateKey(e) ? { ok: true, value: duplicate } : { ok: false, error: e };
  });
}
