/**
 * A survey as an update leaves it, computed here instead of read back: a write grouped with
 * others (an unordered bulk) answers only how many matched, not the documents. Only the
 * operators this folder's grouped writes use are applied (top-level `$set`, `$unset`, `$inc`,
 * `$push` with `$each`); anything else is a programming error, thrown, so a new kind of
 * grouped write cannot silently answer a survey the database does not hold.
 */
import type { SurveyDoc } from './survey-model.ts';

export interface SurveyUpdate {
  $set?: Record<string, unknown>;
  $unset?: Record<string, unknown>;
  $inc?: Record<string, number>;
  $push?: Record<string, { $each: unknown[] }>;
  [op: string]: unknown;
}

const APPLIED = new Set(['$set', '$unset', '$inc', '$push']);

export function afterUpdate(s: SurveyDoc, update: SurveyUpdate): SurveyDoc {
  for (const op of Object.keys(update)) if (!APPLIED.has(op)) throw new Error(`survey post-image: ${op} is not applied here`);
  const after: Record<string, unknown> = { ...s };
  const fields = (o: object | undefined): string[] => {
    const keys = Object.keys(o ?? {});
    for (const k of keys) if (k.includes('.')) throw new Error(`survey post-image: a dotted path (${k}) is not applied here`);
    return keys;
  };
  for (const k of fields(update.$set)) after[k] = update.$set![k];
  for (const k of fields(update.$unset)) delete after[k];
  for (const k of fields(update.$inc)) after[k] = ((after[k] as number | undefined) ?? 0) + update.$inc![k]!;
  for (const k of fields(update.$push)) {
    const push = update.$push![k]!;
    if (Object.keys(push).some((m) => m !== '$each')) throw new Error(`survey post-image: only $each is applied to ${k}`);
    after[k] = [...((after[k] as unknown[] | undefined) ?? []), ...push.$each];
  }
  return after as unknown as SurveyDoc;
}
