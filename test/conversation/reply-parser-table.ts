/**
 * The row shape and runner shared by the per-language reply-parser tables
 * (reply-parser-<lang>.test.ts).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseReply, type ReplyReason } from '../../src/conversation/reply-parser.ts';

/**
 * [input, score, optOut?, comment?, reason?]
 * optOut defaults to false; comment is only checked when given (null = must be null);
 * reason is only checked when given.
 */
export type Row = [input: string, score: number | null, optOut?: boolean, comment?: string | null, reason?: ReplyReason];

export function runTable(language: string, rows: Row[], minimum = 25): void {
  test(`${language}: at least ${minimum} distinct rows (${rows.length})`, () => {
    assert.ok(rows.length >= minimum);
    assert.equal(new Set(rows.map(([input]) => input)).size, rows.length, 'duplicate rows');
  });
  for (const [input, score, optOut = false, comment, reason] of rows) {
    test(`${language}: parseReply(${JSON.stringify(input)})`, () => {
      const r = parseReply(input);
      const seen = JSON.stringify(r);
      assert.equal(r.score, score, `score: ${seen}`);
      assert.equal(r.optOut, optOut, `optOut: ${seen}`);
      if (comment !== undefined) assert.equal(r.comment, comment, `comment: ${seen}`);
      if (reason !== undefined) assert.equal(r.reason, reason, `reason: ${seen}`);
      assert.equal(r.reason === undefined, r.score !== null || r.optOut, `reason presence: ${seen}`);
    });
  }
}
