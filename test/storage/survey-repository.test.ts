/**
 * The survey repository on its own: every named operation is one conditional write that
 * names the expected state; racing writers get exactly one winner; an event id is applied
 * once; a claim records the question as owed; an owed message is taken by one process,
 * settled only by its own id, and never lost when a newer one replaces it.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EVENT_IDS_KEPT, SurveyRepository, type OwedMessage, type SurveyDoc } from '../../src/storage/surveys/index.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { openTestDb } from '../helpers/database.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;
let repo: SurveyRepository;
const now = new Date('2026-03-02T10:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
let n = 0;

beforeAll(async () => {
  db = await openTestDb('surveyrepo');
  repo = new SurveyRepository(db.conn);
  await repo.init();
});
afterAll(async () => { await db.drop(); });
beforeEach(async () => { await surveyModel(db.conn).deleteMany({}); });

function owe(key: string, dueAt = later(60_000)): OwedMessage {
  return { id: randomUUID(), key, attempts: 0, dueAt };
}

async function survey(state: SurveyDoc['state'], extra: Record<string, unknown> = {}): Promise<SurveyDoc> {
  const doc = await surveyModel(db.conn).create({
    channel: 'test', conversationId: `c${++n}`, customer: { id: `u${n}`, locale: 'en' }, agent: { id: 'a' },
    state, resolvedAt: now, askAt: now, ...extra,
  });
  return doc.toObject() as SurveyDoc;
}

const read = (id: unknown) => repo.byId(id);

describe('survey repository', () => {
  test('create: one survey per conversation, a repeat answers with the first id', async () => {
    const first = await repo.create({ channel: 'test', conversationId: 'same', type: 'transactional', customer: { id: 'u', locale: 'en' }, agent: { id: 'a' }, resolvedAt: now, askAt: now });
    const again = await repo.create({ channel: 'test', conversationId: 'same', type: 'transactional', customer: { id: 'u', locale: 'en' }, agent: { id: 'a' }, resolvedAt: now, askAt: now });
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(!again.created && again.id, first.created && String(first.survey._id));
  });

  test('a step moves only from its expected state, bumps the version and marks the survey dirty', async () => {
    const s = await survey('scheduled');
    assert.equal(await repo.score(s._id, { score: 9, category: 'promoter', at: now, expiresAt: later(1), owed: owe('followupPromoter') }), null, 'not asked yet');
    const asked = await survey('asked');
    const after = await repo.score(asked._id, { score: 9, category: 'promoter', at: now, expiresAt: later(1), owed: owe('followupPromoter') });
    assert.equal(after?.state, 'scored');
    assert.equal(after?.score, 9);
    assert.equal(after?.owed?.key, 'followupPromoter', 'the follow-up is owed in the same write');
    assert.equal(after?.version, (asked.version ?? 0) + 1);
    assert.equal(after?.dirty, true);
  });

  test('twenty racing writers of the same step: exactly one wins', async () => {
    const s = await survey('asked');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => repo.score(s._id, { score: i % 11, category: 'passive', at: now, expiresAt: later(1), owed: owe('followupPassive') })));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal((await read(s._id))?.version, 1);
  });

  test('an event id is applied once, kept with the change, and only the newest are kept', async () => {
    const s = await survey('asked');
    assert.ok(await repo.reprompt(s._id, 0, now, owe('reprompt'), 'e1'));
    assert.equal(await repo.reprompt(s._id, 1, now, owe('reprompt'), 'e1'), null);
    for (let i = 2; i <= EVENT_IDS_KEPT + 5; i++) await repo.reprompt(s._id, i - 1, now, owe('reprompt'), `e${i}`);
    const after = await read(s._id);
    assert.equal(after?.eventIds?.length, EVENT_IDS_KEPT);
    assert.equal(after?.eventIds?.at(-1), `e${EVENT_IDS_KEPT + 5}`);
  });

  test('claims: one process per survey, the question owed in the same write, never one resolved too long ago', async () => {
    const due = await survey('scheduled');
    const old = await survey('scheduled', { resolvedAt: later(-72 * 3_600_000) });
    const since = later(-48 * 3_600_000);
    const claims = await Promise.all(Array.from({ length: 10 }, () => repo.claimDue(now, since, owe('question'), later(1))));
    const won = claims.filter((c): c is SurveyDoc => c !== null);
    assert.deepEqual(won.map((c) => String(c._id)), [String(due._id)]);
    assert.equal(won[0]?.state, 'sending');
    assert.equal(won[0]?.owed?.key, 'question');
    assert.equal(await repo.claimDue(now, since, owe('question'), later(1), old._id), null);
  });

  test('an owed message: taken by one process once its lease ran out, settled only by its own id', async () => {
    const owed = owe('followupPassive', now);
    const s = await survey('scored', { owed });
    const takes = await Promise.all(Array.from({ length: 5 }, () => repo.takeDueOwed(now, later(60_000))));
    assert.equal(takes.filter(Boolean).length, 1);
    assert.equal(await repo.takeDueOwed(now, later(60_000)), null, 'its lease is live again');
    await repo.settleOwed(s._id, 'some-other-id');
    assert.equal((await read(s._id))?.owed?.id, owed.id, 'another id settles nothing');
    await repo.settleOwed(s._id, owed.id);
    assert.equal((await read(s._id))?.owed, undefined);
  });

  test('a sent question is never rolled back once a reply moved the survey on', async () => {
    const owed = owe('question');
    const s = await survey('sending', { owed });
    assert.ok(await repo.score(s._id, { score: 7, category: 'passive', at: now, expiresAt: later(1), owed: owe('followupPassive') }));
    assert.equal(await repo.reschedule(s._id, owed.id, later(5_000), 'late refusal', true), null);
    assert.equal(await repo.markAsked(s, owed.id, now, later(1)), null);
    const after = await read(s._id);
    assert.equal(after?.state, 'scored');
    assert.ok(after?.askedAt, 'asked as of the answer');
  });

  test('manager notes: owed before the send, taken once when due, removed by id', async () => {
    const s = await survey('completed');
    const note = { id: randomUUID(), text: 'We fixed it', by: 'manager', attempts: 0, dueAt: now };
    assert.ok(await repo.oweNote(s._id, note));
    const taken = await Promise.all([repo.takeDueNote(now, later(60_000)), repo.takeDueNote(now, later(60_000))]);
    assert.equal(taken.filter(Boolean).length, 1);
    assert.equal(taken.find(Boolean)?.note.id, note.id);
    await repo.settleNote(s._id, note.id);
    assert.deepEqual((await read(s._id))?.notes ?? [], []);
    const forgotten = await survey('completed', { forgotten: true });
    assert.equal(await repo.oweNote(forgotten._id, { ...note, id: randomUUID() }), null, 'nothing is owed to a forgotten customer');
  });

  test('erase: unanswered surveys cancelled, personal fields and owed messages gone', async () => {
    const s = await survey('sending', { customer: { id: 'u-x', name: 'Kim', locale: 'en' }, owed: owe('question'), eventIds: ['e1'], comment: 'call me on 0701234567', themes: ['speed'] });
    const out = await repo.erase(s._id, 'hashed', now);
    assert.equal(out?.cancelled, true);
    const after = await read(s._id);
    assert.equal(after?.state, 'skipped');
    assert.equal(after?.customer.id, 'hashed');
    for (const field of ['owed', 'eventIds', 'comment', 'themes'] as const) assert.equal(after?.[field], undefined, field);
    assert.equal(after?.customer.name, undefined);
  });
});
