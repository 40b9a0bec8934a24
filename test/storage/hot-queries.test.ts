/**
 * Every hot-path query (src/storage/hot-queries.ts) is served by an index the mongoose
 * schemas declare: the index exists, and the query's filter holds its first key. A query
 * listed without a fitting index fails here, and so do the made-up ones at the end.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import mongoose, { type Model } from 'mongoose';
import { contactModel } from '../../src/conversation/contact-model.ts';
import { optOutModel } from '../../src/conversation/opt-out-model.ts';
import { sessionModel } from '../../src/http/session-model.ts';
import { followupModel } from '../../src/reports/followups/followup-model.ts';
import { rollupModel } from '../../src/reports/rollups/rollup-model.ts';
import { channelStateModel } from '../../src/shared-state/channel-state-model.ts';
import { HOT_QUERIES, indexProblem, type IndexKeys } from '../../src/storage/hot-queries.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { queuedEventModel } from '../../src/survey-events/event-queue-model.ts';

// Models on a connection that never connects: only their schemas are read.
const conn = mongoose.createConnection();
const models: Array<Model<never>> = [surveyModel, followupModel, contactModel, optOutModel, rollupModel, channelStateModel, sessionModel, queuedEventModel]
  .map((factory) => factory(conn) as unknown as Model<never>);
const indexesOf = new Map(models.map((m) => [m.collection.collectionName, m.schema.indexes().map(([keys]) => keys as IndexKeys)]));

describe('hot-path queries', () => {
  test.each(HOT_QUERIES.map((q) => [q.name, q] as const))('%s', (_name, q) => {
    const declared = indexesOf.get(q.collection) ?? [];
    assert.ok(indexesOf.has(q.collection) || Object.keys(q.index).join() === '_id', `no schema for collection ${q.collection}`);
    assert.equal(indexProblem(q, declared), null);
    // The listed query is the one the code runs: its source names every field of the filter.
    const source = readFileSync(q.source, 'utf8');
    for (const field of Object.keys(q.filter)) {
      assert.ok(source.includes(field.includes('.') ? `'${field}'` : field), `${q.source} does not mention "${field}"`);
    }
  });

  test('the list covers every collection the bot queries on a hot path', () => {
    const listed = new Set(HOT_QUERIES.map((q) => q.collection));
    for (const c of ['surveys', 'followups', 'contacts', 'opt_outs', 'rollups', 'channel_state']) assert.ok(listed.has(c as never), c);
  });

  test('the check fails for a query without an index, and for an index the filter does not lead with', () => {
    const surveys = indexesOf.get('surveys')!;
    assert.match(indexProblem({ filter: { 'customer.name': 'x' }, index: { 'customer.name': 1 } }, surveys) ?? '', /no index/);
    assert.match(indexProblem({ filter: { askAt: new Date() }, index: { state: 1, askAt: 1 } }, surveys) ?? '', /first key "state"/);
    assert.match(indexProblem({ filter: { state: 'asked' }, index: { askAt: 1, state: 1 } }, surveys) ?? '', /no index/);
    assert.equal(indexProblem({ filter: { state: 'asked', askAt: 1 }, index: { state: 1, askAt: 1 } }, surveys), null);
  });
});
