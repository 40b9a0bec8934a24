/**
 * Storing new surveys and settling owed messages are group commits: those made while one
 * batch is in the database go together in the next command, each with its own document or
 * filter (a settle removes only its own owed message). Each resolves only once its write is
 * acknowledged, and one whose batch failed rejects, so a settled message stays owed (and
 * is sent again after its lease, as before).
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import type mongooseTypes from 'mongoose';
import { SurveyRepository, type OwedMessage, type SurveyDoc } from '../../src/storage/surveys/index.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { DatabaseOutage } from '../fakes/database-outage.ts';
import { isDatabaseUnavailable } from '../../src/storage/mongo-errors.ts';
import { mongoUri, testDbName } from '../helpers/database.ts';

let outage: DatabaseOutage;
let dbName: string;
let direct: Connection;
const commands: string[] = [];
let n = 0;
const now = new Date('2026-03-02T10:00:00Z');

beforeAll(async () => {
  outage = await DatabaseOutage.start();
  dbName = testDbName('settlegroup');
  direct = await mongoose.createConnection(mongoUri(), { dbName, monitorCommands: true }).asPromise();
  direct.getClient().on('commandStarted', (e: mongooseTypes.mongo.CommandStartedEvent) => { commands.push(e.commandName); });
  await new SurveyRepository(direct).init();
});
afterAll(async () => {
  await direct.dropDatabase();
  await direct.close();
  await outage.stop();
});
beforeEach(() => { outage.restore(); });

function owe(key = 'thanks'): OwedMessage {
  return { id: randomUUID(), key, attempts: 0, dueAt: new Date(now.getTime() + 60_000) };
}

/** `count` completed surveys, each owing its thanks. */
async function owing(count: number): Promise<SurveyDoc[]> {
  const docs = Array.from({ length: count }, () => ({
    channel: 'test', conversationId: `c${++n}`, customer: { id: `u${n}`, locale: 'en' }, agent: { id: 'a' },
    state: 'completed' as const, resolvedAt: now, askAt: now, owed: owe(),
  }));
  const created = await surveyModel(direct).create(docs);
  return created.map((d) => d.toObject() as SurveyDoc);
}

const owedOf = async (id: unknown) => (await surveyModel(direct).findById(id).lean().exec())?.owed;

describe('storing new surveys as a group commit', () => {
  test('surveys created while one insert is in flight go in one command; a repeated conversation answers with the first id', async () => {
    const repo = new SurveyRepository(direct);
    const before = await repo.create({ channel: 'test', conversationId: `g${++n}`, type: 'transactional', customer: { id: 'u', locale: 'en' }, agent: { id: 'a' }, resolvedAt: now, askAt: now });
    assert.ok(before.created);
    const conversations = [`g${++n}`, `g${++n}`, `g${++n}`, `g${++n}`, before.survey.conversationId];
    conversations.splice(3, 0, conversations[1]!); // the same conversation twice in one batch
    commands.length = 0;
    const results = await Promise.all(conversations.map((conversationId) => repo.create({
      channel: 'test', conversationId, type: 'transactional', customer: { id: 'u', locale: 'en' }, agent: { id: 'a' }, resolvedAt: now, askAt: now,
    })));
    assert.equal(commands.filter((c) => c === 'insert').length, 2, `the first alone, the others made meanwhile in one command (${commands.join(', ')})`);
    assert.deepEqual(results.map((r) => r.created), [true, true, true, false, true, false]);
    const idOf = (r: (typeof results)[number]) => (r.created ? String(r.survey._id) : r.id);
    assert.equal(idOf(results[3]!), idOf(results[1]!), 'a repeat in the same batch answers with the stored survey');
    assert.equal(idOf(results[5]!), String(before.survey._id), 'a repeat of an earlier one too');
    for (const r of results.filter((x) => x.created)) assert.deepEqual(await repo.byId(idOf(r)), r.created ? r.survey : null);
    assert.equal(await surveyModel(direct).countDocuments({ conversationId: { $in: conversations } }), 5);
  });

  test('a batch that fails rejects every create in it (the resolution fails, as alone, and its sender retries it)', async () => {
    const viaProxy = await mongoose.createConnection(outage.uri, { dbName, ...outage.fastFailure }).asPromise();
    try {
      const repo = new SurveyRepository(viaProxy);
      await viaProxy.db!.command({ ping: 1 });
      outage.hold();
      const creating = Array.from({ length: 4 }, () => repo.create({
        channel: 'test', conversationId: `g${++n}`, type: 'transactional', customer: { id: 'u', locale: 'en' }, agent: { id: 'a' }, resolvedAt: now, askAt: now,
      }).then(() => 'created', (err: unknown) => (isDatabaseUnavailable(err) ? 'failed' : `failed otherwise: ${(err as Error).name}`)));
      await new Promise((r) => setImmediate(r));
      outage.cut();
      // Each with the database's own error, as a lone insert fails: the API answers 503 with Retry-After, not 500.
      assert.deepEqual(await Promise.all(creating), ['failed', 'failed', 'failed', 'failed']);
    } finally {
      outage.release();
      outage.restore();
      await viaProxy.close(true);
    }
  });
});

describe('settling owed messages as a group commit', () => {
  test('settles made while one is in flight go together in one command; each settles only its own owed message', async () => {
    const repo = new SurveyRepository(direct);
    const surveys = await owing(10);
    commands.length = 0;
    // The last one names an owed message that was replaced since: it must stay.
    const settled = surveys.map((s, i) => repo.settleOwed(s._id, i === 9 ? randomUUID() : s.owed!.id));
    await Promise.all(settled);
    const updates = commands.filter((c) => c === 'update').length;
    assert.equal(updates, 2, `the first alone, the nine made meanwhile in one command (${commands.join(', ')})`);
    for (const s of surveys.slice(0, 9)) assert.equal(await owedOf(s._id), undefined);
    assert.equal((await owedOf(surveys[9]!._id))?.id, surveys[9]!.owed!.id, 'a newer owed message is not settled by an old id');
  });

  test('alone, a settle leaves at once: nothing waits for a batch to fill', async () => {
    const repo = new SurveyRepository(direct);
    const [s] = await owing(1);
    commands.length = 0;
    await repo.settleOwed(s!._id, s!.owed!.id);
    assert.deepEqual(commands.filter((c) => c === 'update'), ['update']);
    assert.equal(await owedOf(s!._id), undefined);
  });

  test('a settle resolves only once the database acknowledged it', async () => {
    const viaProxy = await mongoose.createConnection(outage.uri, { dbName, ...outage.fastFailure }).asPromise();
    try {
      const repo = new SurveyRepository(viaProxy);
      const [s] = await owing(1);
      await viaProxy.db!.command({ ping: 1 });
      outage.hold();
      let done = false;
      const settling = repo.settleOwed(s!._id, s!.owed!.id).then(() => { done = true; });
      // Held: the write has not reached the database, and the settle has not resolved.
      await new Promise((r) => setImmediate(r));
      assert.equal(done, false);
      assert.equal((await owedOf(s!._id))?.id, s!.owed!.id);
      outage.release();
      await settling;
      assert.equal(await owedOf(s!._id), undefined);
    } finally {
      outage.release();
      await viaProxy.close(true);
    }
  });

  test('a batch that fails rejects every settle in it, and every message stays owed; settling again later works', async () => {
    const viaProxy = await mongoose.createConnection(outage.uri, { dbName, ...outage.fastFailure }).asPromise();
    try {
      const repo = new SurveyRepository(viaProxy);
      const surveys = await owing(6);
      await viaProxy.db!.command({ ping: 1 });
      // The first settle is stalled in the database; the five made meanwhile wait for it, then the database is gone.
      outage.hold();
      const settling = surveys.map((s) => repo.settleOwed(s._id, s.owed!.id).then(() => 'settled', (err: unknown) => (isDatabaseUnavailable(err) ? 'failed' : `failed otherwise: ${(err as Error).name}`)));
      await new Promise((r) => setImmediate(r));
      outage.cut();
      assert.deepEqual(await Promise.all(settling), surveys.map(() => 'failed'));
      for (const s of surveys) assert.equal((await owedOf(s._id))?.id, s.owed!.id, 'still owed: the sweeper sends it again after its lease');
      outage.release();
      await outage.restoreFor(viaProxy);
      await Promise.all(surveys.map((s) => repo.settleOwed(s._id, s.owed!.id)));
      for (const s of surveys) assert.equal(await owedOf(s._id), undefined);
    } finally {
      outage.release();
      outage.restore();
      await viaProxy.close(true);
    }
  });
});

describe('the asked step as a group commit, beside settles', () => {
  /** `count` surveys whose question is owed (sending), as the engine holds them before the send. */
  async function sending(count: number): Promise<SurveyDoc[]> {
    const docs = Array.from({ length: count }, () => ({
      channel: 'test', conversationId: `s${++n}`, customer: { id: `u${n}`, locale: 'en' }, agent: { id: 'a' },
      state: 'sending' as const, resolvedAt: now, askAt: now, owed: owe('question'), lastError: 'an earlier try',
    }));
    const created = await surveyModel(direct).create(docs);
    return Promise.all(created.map(async (d) => (await surveyModel(direct).findById(d._id).lean().exec()) as SurveyDoc));
  }
  const stored = async (id: unknown) => surveyModel(direct).findById(id).lean().exec();
  const asked = new Date(now.getTime() + 1_000);
  const expires = new Date(now.getTime() + 86_400_000);

  test('steps and settles made while one update is in flight go in one command; each step answers the survey exactly as stored', async () => {
    const repo = new SurveyRepository(direct);
    const questions = await sending(6);
    const thanks = await owing(4);
    commands.length = 0;
    const steps = questions.map((s, i) => repo.markAsked(s, s.owed!.id, asked, expires, i % 2 ? { thread: `t${i}` } : undefined,
      i === 0 ? { at: new Date(now.getTime() + 3_600_000), by: expires } : undefined));
    const settles = thanks.map((s) => repo.settleOwed(s._id, s.owed!.id));
    const [answers] = await Promise.all([Promise.all(steps), Promise.all(settles)]);
    assert.deepEqual(commands, ['update', 'update'], 'the first alone, the nine made meanwhile in one command, no read');
    for (const [i, s] of questions.entries()) {
      const after = await stored(s._id);
      assert.equal(after?.state, 'asked');
      assert.equal(after?.version, (s.version ?? 0) + 1);
      assert.equal(after?.owed, undefined);
      assert.equal(after?.lastError, undefined);
      assert.deepEqual(answers[i], after, `survey ${i}: the answer is the stored survey`);
    }
    for (const s of thanks) assert.equal(await owedOf(s._id), undefined);
  });

  test('a step whose survey moved on since it was read answers as the plain conditional write: the stored survey, or null after a reply', async () => {
    const repo = new SurveyRepository(direct);
    const [synced, answered, plain] = await sending(3);
    // A rollup sync cleared `dirty` meanwhile (a versioned write), and a reply scored the second first.
    assert.ok(await repo.markSynced(synced!._id, synced!.version ?? 0));
    assert.ok(await repo.score(answered!._id, { score: 9, category: 'promoter', at: now, expiresAt: expires, owed: owe('followupPromoter') }));
    const [thanks] = await owing(1);
    commands.length = 0;
    const [a, b, c] = await Promise.all([
      repo.markAsked(synced!, synced!.owed!.id, asked, expires),
      repo.markAsked(answered!, answered!.owed!.id, asked, expires),
      repo.markAsked(plain!, plain!.owed!.id, asked, expires),
      repo.settleOwed(thanks!._id, randomUUID()), // names a message that is not owed: matches nothing
    ]);
    // A batch that matched fewer than it carried reads which steps landed; the two that did not are written again.
    assert.ok(commands.includes('find'), commands.join(', '));
    assert.equal(commands.filter((x) => x === 'findAndModify').length, 2, commands.join(', '));
    assert.deepEqual(a, await stored(synced!._id));
    assert.equal(a?.state, 'asked');
    assert.equal(a?.version, (synced!.version ?? 0) + 2, 'the sync, then the step');
    assert.equal(b, null, 'a reply got in first: nothing rolled back');
    assert.equal((await stored(answered!._id))?.state, 'scored');
    assert.deepEqual(c, await stored(plain!._id), 'the one that landed in the batch, known by its read');
    assert.equal((await owedOf(thanks!._id))?.id, thanks!.owed!.id, 'the other id settled nothing');
  });

  test('a step written again after its batch failed answers the survey once, as asked, whether or not the first write landed', async () => {
    const viaProxy = await mongoose.createConnection(outage.uri, { dbName, ...outage.fastFailure }).asPromise();
    try {
      const repo = new SurveyRepository(viaProxy);
      const [first, second] = await sending(2);
      await viaProxy.db!.command({ ping: 1 });
      outage.hold();
      const failing = [first!, second!].map((s) => repo.markAsked(s, s.owed!.id, asked, expires).then(() => 'answered', (err: unknown) => (isDatabaseUnavailable(err) ? 'failed' : `failed otherwise: ${(err as Error).name}`)));
      await new Promise((r) => setImmediate(r));
      outage.cut();
      assert.deepEqual(await Promise.all(failing), ['failed', 'failed']);
      // The first's write landed anyway (as if only its acknowledgement was lost); the second's did not.
      await surveyModel(direct).updateOne({ _id: first!._id }, { $set: { state: 'asked', askedAt: asked, expiresAt: expires, dirty: true }, $unset: { owed: '', lastError: '' }, $inc: { version: 1 } });
      outage.release();
      await outage.restoreFor(viaProxy);
      const [a, b] = await Promise.all([first!, second!].map((s) => repo.markAsked(s, s.owed!.id, asked, expires)));
      assert.equal(a?.state, 'asked', 'it landed: known by the read, not taken for a reply that came first');
      assert.equal(a?.version, (first!.version ?? 0) + 1);
      assert.deepEqual({ ...b, updatedAt: undefined }, { ...(await stored(second!._id)), updatedAt: undefined });
      assert.equal(b?.state, 'asked');
    } finally {
      outage.release();
      outage.restore();
      await viaProxy.close(true);
    }
  });
});
