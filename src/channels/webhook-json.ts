/**
 * Platform webhooks read their body raw (the signature covers the exact bytes) and only
 * then as JSON. Every platform's route answers the same way: bad JSON or a payload that is
 * not what the route expects is a clear 400 (never retried into the engine); an engine
 * failure is a 500, so the platform delivers again; 200 only once the payload is handled.
 */
import type { Response } from 'express';
import type { z } from 'zod';

/** A signed body that is not the payload this route expects: answered 400, never retried into the engine. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
  constructor(readonly field: string, message: string) { super(message); }
}

/** Parse a verified body with a zod schema; a mismatch is a PayloadError naming the first bad field. */
export function parsePayload<S extends z.ZodType>(schema: S, json: unknown): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new PayloadError(issue.path.map(String).join('.') || 'body', issue.message);
}

/** The verified raw body as JSON, or undefined after answering 400. */
export function jsonOrBadRequest(body: Buffer, res: Response): { json: unknown } | undefined {
  try {
    return { json: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    res.status(400).json({ error: 'body is not valid JSON', field: 'body' });
    return undefined;
  }
}

/**
 * Hand a verified body to `onPayload` and answer the platform: 200 when handled, 400 for
 * bad JSON or a PayloadError (`refused` is told why, for a warn line), and any other error
 * is thrown on (express answers 500, the platform redelivers).
 */
export async function deliverVerifiedJson(
  body: Buffer, res: Response, onPayload: (json: unknown) => Promise<void>,
  refused: (problem: { field: string; problem: string }) => void,
): Promise<void> {
  const parsed = jsonOrBadRequest(body, res);
  if (!parsed) return;
  try {
    await onPayload(parsed.json);
  } catch (err) {
    if (!(err instanceof PayloadError)) throw err;
    refused({ field: err.field, problem: err.message });
    res.status(400).json({ error: `${err.field}: ${err.message}`, field: err.field });
    return;
  }
  res.status(200).json({ ok: true });
}
