/**
 * `forget` takes the customer id in any form its channel accepts and erases the
 * canonical one the surveys hold (WhatsApp `+46 70…` → `4670…`); an id its channel could
 * never have is refused with a clear error, not silently matched against nothing.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { forgetCustomer } from '../../src/forget.ts';
import { useOptOutKeySecret } from '../../src/conversation/opt-out-model.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { ValidationError } from '../../src/validation.ts';
import { openTestDb } from '../helpers/database.ts';
import { HOUR, makeEngine, TestClock } from '../helpers/engine.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';

let db: Awaited<ReturnType<typeof openTestDb>>;

beforeAll(async () => {
  db = await openTestDb('forgetids');
  useOptOutKeySecret('forget-ids-test-secret-0123456789abcdef');
});
afterAll(async () => {
  useOptOutKeySecret(undefined);
  await db.drop();
});

describe('forget: canonical customer ids', () => {
  test('a WhatsApp number typed with + and spaces erases the digits-only customer', async () => {
    const clock = new TestClock();
    const engine = makeEngine(db.conn, [new RecordingChannel('whatsapp')], clock, { askDelayMs: HOUR });
    await engine.init();
    await engine.resolved({ channel: 'whatsapp', conversationId: 'wa-forget-1', customer: { id: '46709999999', name: 'Vera Lind' }, agent: { id: 'a1' } });

    const result = await forgetCustomer(db.conn, 'whatsapp', '+46 70 999 99 99', clock.now);
    assert.equal(result.surveys, 1);
    assert.equal(result.cancelled, 1);
    const left = JSON.stringify(await surveyModel(db.conn).find({}).lean().exec());
    assert.ok(!left.includes('46709999999') && !left.includes('Vera'));
  });

  test('an id its channel could never have is refused, naming the expected form', async () => {
    for (const [channel, id, shape] of [['slack', 'casey', /Slack user id/], ['whatsapp', 'casey@example.com', /WhatsApp number/], ['x', '@casey', /numeric X user id/], ['chatwoot:whatsapp', 'c-1', /Chatwoot contact id/]] as const) {
      await assert.rejects(forgetCustomer(db.conn, channel, id), (err: unknown) => err instanceof ValidationError && err.field === 'customer' && shape.test(err.message));
    }
    // Channels with free-form ids take them as given.
    assert.equal((await forgetCustomer(db.conn, 'webhook', 'anything at all')).surveys, 0);
  });
});
