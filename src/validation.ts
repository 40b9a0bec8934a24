/**
 * Validating outside data with zod at every edge (HTTP bodies, platform events, CLI
 * options), with one error class that names the field, so callers answer with a clear
 * message (HTTP 400, a CLI line) instead of a stack trace.
 */
import type { z } from 'zod';

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(readonly field: string, message: string) { super(`${field}: ${message}`); }
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ValidationError(issue.path.map(String).join('.') || 'body', issue.message);
}
