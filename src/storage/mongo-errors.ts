/** What the server's errors mean to us. */

/** A unique index refused the write (code 11000): the thing already exists. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
