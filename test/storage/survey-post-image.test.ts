/**
 * The post-image of a grouped survey write (survey-post-image.ts) applies the operators it
 * knows and refuses the rest, so a new kind of grouped write cannot answer a survey the
 * database does not hold. Equality with the stored survey is held in survey-group-commit.test.ts.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { afterUpdate } from '../../src/storage/surveys/survey-post-image.ts';
import type { SurveyDoc } from '../../src/storage/surveys/index.ts';

const s = { _id: 'x', state: 'sending', version: 2, owed: { id: 'o' }, lastError: 'e', outbound: [{ id: 'a' }] } as unknown as SurveyDoc;

describe('survey post-image', () => {
  test('applies top-level $set, $unset, $inc and $push $each, leaving the survey read untouched', () => {
    const after = afterUpdate(s, { $set: { state: 'asked' }, $unset: { owed: '', lastError: '' }, $inc: { version: 1, reprompts: 1 }, $push: { outbound: { $each: [{ id: 'b' }] } } });
    assert.deepEqual(after, { _id: 'x', state: 'asked', version: 3, reprompts: 1, outbound: [{ id: 'a' }, { id: 'b' }] });
    assert.equal(s.state, 'sending');
    assert.deepEqual(s.outbound, [{ id: 'a' }]);
  });

  test('refuses what it does not apply: other operators, dotted paths, $push modifiers', () => {
    assert.throws(() => afterUpdate(s, { $min: { askedAt: new Date() } }), /\$min/);
    assert.throws(() => afterUpdate(s, { $set: { 'owed.dueAt': new Date() } }), /dotted/);
    assert.throws(() => afterUpdate(s, { $push: { eventIds: { $each: ['e'], $slice: -20 } as never } }), /\$each/);
  });
});
