/**
 * Platform webhooks read their body raw (the signature covers the exact bytes) and only
 * then as JSON. Bad JSON gets the same clear 400 on every platform's route.
 */
import type { Response } from 'express';

/** The verified raw body as JSON, or undefined after answering 400. */
export function jsonOrBadRequest(body: Buffer, res: Response): { json: unknown } | undefined {
  try {
    return { json: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    res.status(400).json({ error: 'body is not valid JSON', field: 'body' });
    return undefined;
  }
}
