/**
 * Testimonials with consent: after a promoter's comment the bot asks once whether the
 * comment may be quoted; only a clear yes (in any of the four languages) is consent,
 * stored with its time; passives and detractors are never asked; off by default.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { SurveyEngine } from '../../src/conversation/engine.ts';
import { readConsent } from '../../src/conversation/consent-reply.ts';
import { openTestDb } from '../helpers/database.ts';
import { HOUR, makeEngine, TestClock } from '../helpers/engine.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;
let clock: TestClock;
let channel: RecordingChannel;
let engine: SurveyEngine;
let n = 0;

beforeAll(async () => { db = await openTestDb('consent'); });
afterAll(async () => { await db.drop(); });
beforeEach(async () => {
  clock = new TestClock();
  channel = new RecordingChannel();
  engine = makeEngine(db.conn, [channel], clock, { askTestimonialConsent: true });
  await engine.init();
});

async function answered(score: string, comment?: string, locale?: string): Promise<{ customer: string; surveyId: string }> {
  const customer = `cust-${++n}`;
  const { surveyId } = await engine.resolved({ channel: 'test', conversationId: `conv-${n}`, customer: { id: customer, ...(locale ? { locale } : {}) }, agent: { id: 'a1' } });
  await engine.askNow(surveyId);
  await engine.message({ channel: 'test', customerId: customer, text: score });
  if (comment) await engine.message({ channel: 'test', customerId: customer, text: comment });
  return { customer, surveyId };
}

describe('testimonial consent', () => {
  test('the survey\'s language reads words two languages share: "tak" is yes from a Polish customer, thanks from a Danish one', async () => {
    const polish = await answered('10', 'Szybko i miło', 'pl');
    await engine.message({ channel: 'test', customerId: polish.customer, text: 'tak' });
    assert.equal((await surveyModel(db.conn).findById(polish.surveyId).lean())?.testimonial?.granted, true);
    const danish = await answered('10', 'Hurtigt og venligt', 'da');
    await engine.message({ channel: 'test', customerId: danish.customer, text: 'tak' });
    const s = await surveyModel(db.conn).findById(danish.surveyId).lean();
    assert.equal(s?.testimonial?.granted, false);
    assert.ok(s?.testimonial?.answeredAt, 'answered, and not consent');
  });

  test('a promoter is asked once; "yes" grants consent with its time, and the comment is untouched', async () => {
    const { customer, surveyId } = await answered('10', 'Anna fixed it in minutes');
    assert.deepEqual(channel.to(customer).map((m) => m.kind), ['question', 'followup', 'followup']);
    assert.match(channel.to(customer)[2]!.text, /quote your comment/);
    const reply = await engine.message({ channel: 'test', customerId: customer, text: 'Yes!' });
    assert.equal(reply.status, 'completed');
    const s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(s?.testimonial?.granted, true);
    assert.equal(s?.testimonial?.answeredAt?.getTime(), clock.now().getTime());
    assert.equal(s?.comment, 'Anna fixed it in minutes');
    assert.equal(s?.state, 'completed');
    // Asked once: a later message is not taken for another answer.
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: 'no actually' })).status, 'ignored');
    assert.equal((await surveyModel(db.conn).findById(surveyId).lean())?.testimonial?.granted, true);
  });

  test('a score with its comment in one message asks too; anything but a clear yes is not consent', async () => {
    const { customer, surveyId } = await answered('9 – quick and friendly');
    assert.match(channel.to(customer).at(-1)!.text, /quote your comment/);
    await engine.message({ channel: 'test', customerId: customer, text: 'hmm, why?' });
    const s = await surveyModel(db.conn).findById(surveyId).lean();
    assert.equal(s?.testimonial?.granted, false);
    assert.match(channel.to(customer).at(-1)!.text, /stays with us/);
  });

  test('passives and detractors are never asked', async () => {
    const passive = await answered('8', 'ok I guess');
    const detractor = await answered('3', 'too slow');
    for (const { customer, surveyId } of [passive, detractor]) {
      assert.equal(channel.to(customer).at(-1)!.kind, 'thanks');
      assert.equal((await surveyModel(db.conn).findById(surveyId).lean())?.testimonial, undefined);
    }
  });

  test('the question lapses with the survey expiry', async () => {
    const { customer, surveyId } = await answered('10', 'great');
    clock.advance(80 * HOUR);
    assert.equal((await engine.message({ channel: 'test', customerId: customer, text: 'yes' })).status, 'ignored');
    assert.equal((await surveyModel(db.conn).findById(surveyId).lean())?.testimonial?.granted, undefined);
  });

  test('off by default', async () => {
    const plain = makeEngine(db.conn, [channel], clock);
    const customer = `cust-${++n}`;
    const { surveyId } = await plain.resolved({ channel: 'test', conversationId: `conv-${n}`, customer: { id: customer }, agent: { id: 'a1' } });
    await plain.askNow(surveyId);
    await plain.message({ channel: 'test', customerId: customer, text: '10 brilliant' });
    assert.equal(channel.to(customer).at(-1)!.kind, 'thanks');
  });

  test.each([
    ['yes', 'granted'], ['Yes please', 'granted'], ['ja', 'granted'], ['Ja gärna!', 'granted'], ['selvfølgelig', 'granted'], ['ja, selvsagt', 'granted'],
    ['no', 'declined'], ['nej tack', 'declined'], ['nei takk', 'declined'],
    ['yes but only my first name', 'unclear'], ['', 'unclear'], ['maybe', 'unclear'], ['yes '.repeat(40), 'unclear'],
  ])('"%s" reads as %s', (text, expected) => {
    assert.equal(readConsent(text), expected);
  });
});
