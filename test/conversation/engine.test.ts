/** The survey engine's rules, each against the real MongoDB-protocol server. */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Connection } from 'mongoose';
import { openTestDb } from '../helpers/database.ts';
import { DAY, HOUR, makeEngine, TestClock } from '../helpers/engine.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import type { SurveyEngine } from '../../src/conversation/engine.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;
let conn: Connection;
let n = 0;

beforeAll(async () => {
  db = await openTestDb('engine');
  conn = db.conn;
});
afterAll(async () => { await db.drop(); });

/** A unique customer and conversation per test, so tests never see each other's data. */
function ids() {
  n++;
  return { customer: `cust-${n}-${Date.now()}`, conversation: `conv-${n}-${Date.now()}` };
}

async function askedSurvey(engine: SurveyEngine, ch: RecordingChannel, opts: { locale?: string; name?: string } = {}) {
  const { customer, conversation } = ids();
  const r = await engine.resolved({
    channel: ch.name, conversationId: conversation,
    customer: { id: customer, name: opts.name, locale: opts.locale }, agent: { id: 'agent-a', name: 'Anna' },
  });
  assert.equal(r.status, 'scheduled');
  await engine.askDue();
  return { customer, conversation, surveyId: r.surveyId };
}

async function state(engine: SurveyEngine, surveyId: string) {
  const s = await surveyModel(conn).findById(surveyId).lean().exec();
  assert.ok(s, 'survey exists');
  return s;
}

describe('survey engine', () => {
  let ch: RecordingChannel;
  let clock: TestClock;
  let engine: SurveyEngine;

  beforeEach(async () => {
    ch = new RecordingChannel();
    clock = new TestClock();
    engine = makeEngine(conn, [ch], clock);
    await engine.init();
  });

  test('a promoter is asked, scored, followed up, and the comment completes the survey', async () => {
    const { customer, surveyId } = await askedSurvey(engine, ch, { name: 'Alex Smith' });
    const [question] = ch.to(customer);
    assert.equal(question?.kind, 'question');
    assert.deepEqual(question?.choices, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.match(question!.text, /Acme/);
    assert.match(question!.text, /Alex/);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '10' })).status, 'scored');
    assert.equal(ch.to(customer)[1]?.kind, 'followup');
    assert.match(ch.to(customer)[1]!.text, /great to hear/);
    const done = await engine.message({ channel: 'test', customerId: customer, text: 'Quick and friendly' });
    assert.equal(done.status, 'completed');
    assert.equal(ch.to(customer)[2]?.kind, 'thanks');
    const s = await state(engine, surveyId);
    assert.equal(s.state, 'completed');
    assert.equal(s.score, 10);
    assert.equal(s.category, 'promoter');
    assert.equal(s.comment, 'Quick and friendly');
  });

  test('passive and detractor scores get their own follow-up and category', async () => {
    const p = await askedSurvey(engine, ch);
    await engine.message({ channel: 'test', customerId: p.customer, text: 'eight out of ten' });
    assert.equal((await state(engine, p.surveyId)).category, 'passive');
    assert.match(ch.to(p.customer)[1]!.text, /do better/);
    const d = await askedSurvey(engine, ch);
    await engine.message({ channel: 'test', customerId: d.customer, text: '6' });
    assert.equal((await state(engine, d.surveyId)).category, 'detractor');
    assert.match(ch.to(d.customer)[1]!.text, /honest/);
    const zero = await askedSurvey(engine, ch);
    await engine.message({ channel: 'test', customerId: zero.customer, text: '0' });
    assert.equal((await state(engine, zero.surveyId)).category, 'detractor');
  });

  test('a score that carries a comment completes the survey at once', async () => {
    const { customer, surveyId } = await askedSurvey(engine, ch);
    const r = await engine.message({ channel: 'test', customerId: customer, text: '9 – Anna was great' });
    assert.equal(r.status, 'completed');
    const s = await state(engine, surveyId);
    assert.equal(s.score, 9);
    assert.equal(s.comment, 'Anna was great');
    assert.deepEqual(ch.to(customer).map((m) => m.kind), ['question', 'thanks']);
  });

  test('a button choice is taken exactly, and pressing again is not a comment', async () => {
    const { customer, surveyId } = await askedSurvey(engine, ch);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '', choice: 3, surveyId })).status, 'scored');
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '', choice: 4, surveyId })).status, 'ignored');
    const s = await state(engine, surveyId);
    assert.equal(s.score, 3);
    assert.equal(s.comment, undefined);
  });

  test('a repeated resolution event changes nothing and says duplicate', async () => {
    const { customer, conversation } = ids();
    const event = { channel: 'test', conversationId: conversation, customer: { id: customer }, agent: { id: 'a' } };
    const first = await engine.resolved(event);
    const again = await Promise.all([engine.resolved(event), engine.resolved(event)]);
    assert.equal(first.status, 'scheduled');
    for (const r of again) {
      assert.equal(r.status, 'duplicate');
      assert.equal(r.surveyId, first.surveyId);
    }
    await engine.askDue();
    assert.equal(ch.to(customer).length, 1);
    assert.equal(await surveyModel(conn).countDocuments({ conversationId: conversation }), 1);
  });

  test('"stop" opts the customer out for good, with a confirmation', async () => {
    const { customer, surveyId } = await askedSurvey(engine, ch);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: 'STOP' })).status, 'opted-out');
    assert.equal(ch.to(customer).at(-1)?.kind, 'optout');
    const s = await state(engine, surveyId);
    assert.equal(s.state, 'skipped');
    assert.equal(s.skipReason, 'opted-out');
    // Months later, a new conversation: never asked again.
    clock.advance(400 * DAY);
    const later = await engine.resolved({ channel: 'test', conversationId: `${surveyId}-later`, customer: { id: customer }, agent: { id: 'a' } });
    await engine.askDue();
    const s2 = await state(engine, later.surveyId);
    assert.equal(s2.state, 'skipped');
    assert.equal(s2.skipReason, 'opted-out');
    assert.equal(ch.to(customer).filter((m) => m.kind === 'question').length, 1);
  });

  test('Swedish, Danish and Norwegian opt-outs work too', async () => {
    for (const [text, locale] of [['stopp', 'sv'], ['afmeld', 'da'], ['avslutt', 'nb']] as const) {
      const { customer } = await askedSurvey(engine, ch, { locale });
      assert.equal((await engine.message({ channel: 'test', customerId: customer, text })).status, 'opted-out', text);
    }
  });

  test('a customer surveyed within the fatigue window is skipped; after it, asked again', async () => {
    const first = await askedSurvey(engine, ch);
    clock.advance(10 * DAY);
    const second = await engine.resolved({ channel: 'test', conversationId: `${first.conversation}-2`, customer: { id: first.customer }, agent: { id: 'a' } });
    await engine.askDue();
    const s = await state(engine, second.surveyId);
    assert.equal(s.state, 'skipped');
    assert.equal(s.skipReason, 'fatigue');
    clock.advance(21 * DAY);
    const third = await engine.resolved({ channel: 'test', conversationId: `${first.conversation}-3`, customer: { id: first.customer }, agent: { id: 'a' } });
    await engine.askDue();
    assert.equal((await state(engine, third.surveyId)).state, 'asked');
  });

  test('two surveys for one customer due at once: only one question goes out', async () => {
    const { customer, conversation } = ids();
    const a = await engine.resolved({ channel: 'test', conversationId: `${conversation}-a`, customer: { id: customer }, agent: { id: 'a' } });
    const b = await engine.resolved({ channel: 'test', conversationId: `${conversation}-b`, customer: { id: customer }, agent: { id: 'a' } });
    await engine.askDue();
    const states = [(await state(engine, a.surveyId)).state, (await state(engine, b.surveyId)).state].sort();
    assert.deepEqual(states, ['asked', 'skipped']);
    assert.equal(ch.to(customer).length, 1);
  });

  test('staff and bot accounts are skipped with the reason stored', async () => {
    const staff = await engine.resolved({ channel: 'test', conversationId: ids().conversation, customer: { id: 'staff-1' }, agent: { id: 'a' } });
    const staffOnChannel = await engine.resolved({ channel: 'test', conversationId: ids().conversation, customer: { id: 'staff-2' }, agent: { id: 'a' } });
    const bot = await engine.resolved({ channel: 'test', conversationId: ids().conversation, customer: { id: 'bot-1' }, agent: { id: 'a' } });
    const flagged = await engine.resolved({ channel: 'test', conversationId: ids().conversation, customer: { id: 'some-app', isBot: true }, agent: { id: 'a' } });
    await engine.askDue();
    assert.equal((await state(engine, staff.surveyId)).skipReason, 'staff');
    assert.equal((await state(engine, staffOnChannel.surveyId)).skipReason, 'staff');
    assert.equal((await state(engine, bot.surveyId)).skipReason, 'bot');
    assert.equal((await state(engine, flagged.surveyId)).skipReason, 'bot');
    assert.equal(ch.sent.filter((s) => ['staff-1', 'staff-2', 'bot-1', 'some-app'].includes(s.to.customerId)).length, 0);
  });

  test('an unclear reply gets one polite re-prompt, then the bot stops asking', async () => {
    const { customer, surveyId } = await askedSurvey(engine, ch);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: 'hmm, not sure' })).status, 'reprompted');
    assert.equal(ch.to(customer).at(-1)?.kind, 'reprompt');
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '7 or 8' })).status, 'gave-up');
    assert.equal(ch.to(customer).length, 2, 'nothing more is sent after giving up');
    assert.equal((await state(engine, surveyId)).state, 'expired');
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: '8' })).status, 'ignored');
  });

  test('the re-prompt count is a setting', async () => {
    const patient = makeEngine(conn, [ch], clock, { maxReprompts: 2 });
    const { customer } = await askedSurvey(patient, ch);
    assert.equal((await patient.message({ channel: 'test', customerId: customer, text: '?' })).status, 'reprompted');
    assert.equal((await patient.message({ channel: 'test', customerId: customer, text: '??' })).status, 'reprompted');
    assert.equal((await patient.message({ channel: 'test', customerId: customer, text: '???' })).status, 'gave-up');
  });

  test('a message from a customer with no open survey is left alone', async () => {
    const r = await engine.message({ channel: 'test', customerId: 'never-surveyed', text: '10' });
    assert.equal(r.status, 'ignored');
    assert.equal(ch.sent.filter((s) => s.to.customerId === 'never-surveyed').length, 0);
  });

  test('unanswered surveys expire; a score without a comment still counts', async () => {
    const silent = await askedSurvey(engine, ch);
    const scoredOnly = await askedSurvey(engine, ch);
    await engine.message({ channel: 'test', customerId: scoredOnly.customer, text: '5' });
    clock.advance(71 * HOUR);
    await engine.expireDue();
    assert.equal((await state(engine, silent.surveyId)).state, 'asked');
    clock.advance(2 * HOUR);
    await engine.expireDue();
    assert.equal((await state(engine, silent.surveyId)).state, 'expired');
    const kept = await state(engine, scoredOnly.surveyId);
    assert.equal(kept.state, 'completed');
    assert.equal(kept.score, 5);
    assert.equal(kept.category, 'detractor');
    assert.equal((await engine.message({ channel: 'test', customerId: silent.customer, text: '9' })).status, 'ignored');
  });

  test('the delay before asking is honoured', async () => {
    const delayed = makeEngine(conn, [ch], clock, { askDelayMs: 2 * HOUR });
    const { customer, conversation } = ids();
    const r = await delayed.resolved({ channel: 'test', conversationId: conversation, customer: { id: customer }, agent: { id: 'a' } });
    await delayed.askDue();
    assert.equal((await state(delayed, r.surveyId)).state, 'scheduled');
    clock.advance(2 * HOUR);
    await delayed.askDue();
    assert.equal((await state(delayed, r.surveyId)).state, 'asked');
  });

  test('a restart mid-conversation: a new engine on the same database carries on', async () => {
    const { customer, surveyId } = await askedSurvey(engine, ch);
    await engine.message({ channel: 'test', customerId: customer, text: '4' });
    const restarted = makeEngine(conn, [ch], clock);
    const r = await restarted.message({ channel: 'test', customerId: customer, text: 'Took three days to answer' });
    assert.equal(r.status, 'completed');
    const s = await state(restarted, surveyId);
    assert.equal(s.score, 4);
    assert.equal(s.comment, 'Took three days to answer');
  });

  test('two engine instances racing on the same due surveys ask each customer once', async () => {
    const other = makeEngine(conn, [ch], clock);
    const customers: string[] = [];
    for (let i = 0; i < 25; i++) {
      const { customer, conversation } = ids();
      customers.push(customer);
      await engine.resolved({ channel: 'test', conversationId: conversation, customer: { id: customer }, agent: { id: 'a' } });
    }
    const [a, b] = await Promise.all([engine.askDue(), other.askDue()]);
    assert.equal(a + b, 25);
    for (const c of customers) assert.equal(ch.to(c).filter((m) => m.kind === 'question').length, 1, c);
  });

  test('the same platform event delivered twice is handled once', async () => {
    const { customer, surveyId } = await askedSurvey(engine, ch);
    const event = { channel: 'test', customerId: customer, text: '9', eventId: `evt-${surveyId}` };
    assert.equal((await engine.message(event)).status, 'scored');
    assert.equal((await engine.message(event)).status, 'duplicate');
    assert.equal((await state(engine, surveyId)).comment, undefined, 'the retried "9" did not become the comment');
  });

  test('a platform refusing the DM for good marks the survey failed and frees the customer', async () => {
    const { customer, conversation } = ids();
    ch.refuse.add(customer);
    const r = await engine.resolved({ channel: 'test', conversationId: conversation, customer: { id: customer }, agent: { id: 'a' } });
    await engine.askDue();
    const s = await state(engine, r.surveyId);
    assert.equal(s.state, 'failed');
    assert.match(s.lastError ?? '', /dms_closed/);
    ch.refuse.delete(customer);
    const again = await engine.resolved({ channel: 'test', conversationId: `${conversation}-2`, customer: { id: customer }, agent: { id: 'a' } });
    await engine.askDue();
    assert.equal((await state(engine, again.surveyId)).state, 'asked', 'a failed question does not count for fatigue');
  });

  test('transient failures are retried by the outbox', async () => {
    ch.transientFailures = 2;
    const { customer, surveyId } = await askedSurvey(engine, ch);
    assert.equal((await state(engine, surveyId)).state, 'asked');
    assert.equal(ch.to(customer).length, 1);
  });

  test('the question is asked in the customer\'s language', async () => {
    const cases = [['sv-SE', /rekommendera Acme/], ['da', /anbefale Acme/], ['nb-NO', /anbefale Acme/], ['no', /venn eller kollega/], ['fr', /recommandiez Acme/], ['de-DE', /Sie Acme Freunden/], ['pl', /polecisz Acme/], ['it', /recommend Acme/]] as const;
    for (const [locale, pattern] of cases) {
      const { customer } = await askedSurvey(engine, ch, { locale });
      assert.match(ch.to(customer)[0]!.text, pattern, locale);
    }
  });

  test('a comment is cleaned of NUL bytes and bounded in length', async () => {
    const { customer, surveyId } = await askedSurvey(engine, ch);
    await engine.message({ channel: 'test', customerId: customer, text: '7' });
    await engine.message({ channel: 'test', customerId: customer, text: `bad\u0000${'x'.repeat(50_000)}` });
    const s = await state(engine, surveyId);
    assert.equal(s.comment?.includes('\u0000'), false);
    assert.equal(s.comment?.length, 2000);
  });

  test('bad events are refused with the field named, and nothing is stored', async () => {
    const before = await surveyModel(conn).countDocuments();
    await assert.rejects(engine.resolved({ channel: 'nope', conversationId: 'c', customer: { id: 'x' }, agent: { id: 'a' } }), /channel/);
    await assert.rejects(engine.resolved({ channel: 'test', conversationId: '', customer: { id: 'x' }, agent: { id: 'a' } }), /conversationId/);
    await assert.rejects(engine.resolved({ channel: 'test', conversationId: 'c\u0000', customer: { id: 'x' }, agent: { id: 'a' } }), /conversationId/);
    await assert.rejects(engine.resolved({ channel: 'test', conversationId: 'c', customer: { id: 'x'.repeat(300) }, agent: { id: 'a' } }), /customer\.id/);
    assert.equal(await surveyModel(conn).countDocuments(), before);
  });
});
