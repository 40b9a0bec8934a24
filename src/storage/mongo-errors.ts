/** What the server's errors mean to us. */

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
  const e = err as { name?: unknown; errorLabels?: unknown; message?: unknown };
  if (typeof e.name === 'string' && UNAVAILABLE.has(e.name)) return true;
  if (e.errorLabels instanceof Set && (e.errorLabels.has('ResetPool') || e.errorLabels.has('RetryableWriteError'))) return true;
  // Mongoose's "Operation `x.find()` buffering timed out" / "Client must be connected" while disconnected.
  return e.name === 'MongooseError' && typeof e.message === 'string' && /buffering timed out|must be connected/i.test(e.message);
}
