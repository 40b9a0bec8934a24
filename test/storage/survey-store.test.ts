/**
 * The survey store on its own: every transition is one conditional write that names the
 * expected state; racing writers get exactly one winner; an event id is applied once;
 * claims go to one process, and never to a survey whose lease is live.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { surveyModel, type SurveyDoc } from '../../src/storage/survey-model.ts';
import { SurveyStore, EVENT_IDS_KEPT } from '../../src/storage/survey-store.ts';
import { openTestDb } from '../helpers/database.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;
let store: SurveyStore;
const now = new Date('2026-03-02T10:00:00Z');
let n = 0;

beforeAll(async () => {
  db = await openTestDb('surveystore');
  store = new SurveyStore(surveyModel(db.conn));
  await store.model.init();
});
afterAll(async () => { await db.drop(); });
beforeEach(async () => { await store.model.deleteMany({}); });

async function survey(state: SurveyDoc['state'], extra: Record<string, unknown> = {}): Promise<SurveyDoc> {
  const doc = await store.model.create({
    channel: 'test', conversationId: `c${++n}`, customer: { id: `u${n}`, locale: 'en' }, agent: { id: 'a' },
    state, resolvedAt: now, askAt: now, ...extra,
  });
  return doc.toObject() as SurveyDoc;
}

describe('survey store', () => {
  test('a transition moves only from the expected state, bumps the version and marks the survey dirty', async () => {
    const s = await survey('asked');
    assert.equal(await store.transition({ _id: s._id }, 'scored', 'completed'), null);
    const after = await store.transition({ _id: s._id }, 'asked', 'scored', { set: { score: 9 } });
    assert.equal(after?.state, 'scored');
    assert.equal(after?.score, 9);
    assert.equal(after?.version, (s.version ?? 0) + 1);
    assert.equal(after?.dirty, true);
  });

  test('twenty racing writers of the same step: exactly one wins', async () => {
    const s = await survey('asked');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.transition({ _id: s._id }, 'asked', 'scored', { set: { score: i % 11 } })));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal((await store.model.findById(s._id).lean())?.version, 1);
  });

  test('an event id is applied once, kept with the change, and only the newest are kept', async () => {
    const s = await survey('asked');
    assert.ok(await store.transition({ _id: s._id }, 'asked', 'asked', { inc: { reprompts: 1 } }, { eventId: 'e1' }));
    assert.equal(await store.transition({ _id: s._id }, 'asked', 'asked', { inc: { reprompts: 1 } }, { eventId: 'e1' }), null);
    for (let i = 2; i <= EVENT_IDS_KEPT + 5; i++) await store.transition({ _id: s._id }, 'asked', 'asked', {}, { eventId: `e${i}` });
    const after = await store.model.findById(s._id).lean();
    assert.equal(after?.reprompts, 1);
    assert.equal(after?.eventIds?.length, EVENT_IDS_KEPT);
    assert.equal(after?.eventIds?.at(-1), `e${EVENT_IDS_KEPT + 5}`);
  });

  test('claims: one process per survey, never a live lease, never one resolved too long ago', async () => {
    const due = await survey('scheduled');
    const leased = await survey('scheduled', { lease: { owner: 'other', until: new Date(now.getTime() + 60_000) } });
    const old = await survey('scheduled', { resolvedAt: new Date(now.getTime() - 72 * 3_600_000) });
    const since = new Date(now.getTime() - 48 * 3_600_000);
    const until = new Date(now.getTime() + 60_000);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => store.claimDue(now, `p${i}`, until, since)));
    const won = claims.filter((c): c is SurveyDoc => c !== null);
    assert.deepEqual(won.map((c) => String(c._id)), [String(due._id)]);
    assert.equal(await store.claimDue(now, 'late', until, since, leased._id), null);
    assert.equal(await store.claimDue(now, 'late', until, since, old._id), null);
  });

  test('release gives a claimed survey back only to its owner, counting the attempt', async () => {
    const s = await survey('scheduled');
    const until = new Date(now.getTime() + 60_000);
    await store.claimDue(now, 'me', until, new Date(0));
    assert.equal(await store.release(s._id, 'someone-else', now, 'x'), null);
    const back = await store.release(s._id, 'me', new Date(now.getTime() + 5_000), 'rate limited');
    assert.equal(back?.lease, undefined);
    assert.equal(back?.attempts, 1);
    assert.equal(back?.lastError, 'rate limited');
  });
});
