/**
 * A new survey is built as a plain object (not through a mongoose document, a hot path):
 * what it stores must be exactly what the schema would have stored for the same
 * resolution, and it must pass the schema's validation.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SurveyRepository, stageSurveyEvents, type NewSurvey, type SurveyDoc } from '../../src/storage/surveys/index.ts';
import { newSurveyDocument } from '../../src/storage/surveys/new-survey-document.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { openTestDb } from '../helpers/database.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;
const now = new Date('2026-03-02T10:00:00Z');
let n = 0;

beforeAll(async () => { db = await openTestDb('newsurvey'); });
afterAll(async () => { await db.drop(); });

/** What the schema makes of the same fields: a mongoose document, validated, as a plain object. */
async function bySchema(s: NewSurvey, extra: Record<string, unknown>, like: SurveyDoc): Promise<Record<string, unknown>> {
  const doc = new (surveyModel(db.conn))({ ...s, ...extra, _id: like._id, dirty: true });
  await doc.validate();
  return { ...doc.toObject({ depopulate: true }), createdAt: like.createdAt, updatedAt: like.updatedAt };
}

const cases: Array<[string, () => NewSurvey]> = [
  ['the fewest fields', () => ({
    channel: 'test', conversationId: `c${++n}`, type: 'transactional', customer: { id: 'u1', locale: 'en' }, agent: { id: 'a1' }, resolvedAt: now, askAt: now,
  })],
  ['every field, with absent optional ones inside', () => ({
    channel: 'chatwoot:whatsapp', conversationId: `c${++n}`, type: 'relational',
    customer: { id: 'u2', name: 'Kim', locale: 'de', segment: 'enterprise', value: 1200.5 },
    agent: { id: 'a2', name: undefined }, link: 'https://care.example/c/1', address: { dm: 'D123', thread: '17.5' },
    skipReason: 'no-messaging-conversation', participants: [{ id: 'a2', name: 'Ann', replies: 3 }, { id: 'a3', replies: 0 }],
    resolvedAt: new Date(now.getTime() - 60_000), askAt: now, eventIds: ['ev-1'],
  })],
  ['an empty address and optional fields given as undefined', () => ({
    channel: 'test', conversationId: `c${++n}`, type: 'transactional',
    customer: { id: 'u3', name: undefined, locale: 'en', segment: undefined, value: undefined }, agent: { id: 'a1' },
    link: undefined, address: {}, skipReason: undefined, participants: undefined, eventIds: undefined, resolvedAt: now, askAt: now,
  })],
];

describe('a new survey document', () => {
  for (const [name, make] of cases) {
    test(`is what the schema stores: ${name}, scheduled and claimed`, async () => {
      const s = make();
      const scheduled = newSurveyDocument(s, { state: 'scheduled', now });
      assert.deepEqual(scheduled, await bySchema(s, { state: 'scheduled' }, scheduled));
      const claim = { owed: { id: randomUUID(), key: 'question', attempts: 0, dueAt: now }, expiresAt: new Date(now.getTime() + 1000) };
      const claimed = newSurveyDocument(s, { state: 'sending', ...claim, now });
      assert.deepEqual(claimed, await bySchema(s, { state: 'sending', ...claim }, claimed));
      await new (surveyModel(db.conn))(claimed).validate();
    });
  }

  test('with survey events on, the staged resolution event is stored as the schema would', async () => {
    const s = cases[1]![1]();
    const outbound = [{ id: randomUUID(), type: 'survey.resolved', at: now, data: { agentId: 'a2', surveyType: 'relational' } }];
    const doc = newSurveyDocument(s, { state: 'scheduled', outbound, now });
    assert.deepEqual(doc, await bySchema(s, { state: 'scheduled', outbound }, doc));
  });

  test('the repository stores it, and reading it back gives the same survey', async () => {
    const repo = new SurveyRepository(db.conn);
    stageSurveyEvents(db.conn, true);
    try {
      const s = cases[1]![1]();
      const created = await repo.create(s);
      assert.equal(created.created, true);
      const stored = await repo.byId(created.created ? created.survey._id : null);
      assert.ok(stored && created.created);
      assert.deepEqual(stored, created.survey);
      assert.equal(stored.outbound?.[0]?.type, 'survey.resolved');
      assert.equal(stored.customer.name, 'Kim');
      assert.equal('name' in stored.agent, false, 'an absent name is not stored as null');
    } finally {
      stageSurveyEvents(db.conn, false);
    }
  });
});
