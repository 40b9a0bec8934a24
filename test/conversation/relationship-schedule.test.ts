/**
 * Relationship NPS at intervals: customers who talked to care in the look-back get one
 * relational survey per period, with the relationship question, in their last channel;
 * the fatigue window is shared with after-care surveys; opted-out customers are not
 * asked; two processes schedule once; a closed messaging window skips with its reason.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { SurveyEngine } from '../../src/conversation/engine.ts';
import { RelationshipSchedule, type RelationshipSettings } from '../../src/conversation/relationship-schedule.ts';
import { silentLogger } from '../../src/logger.ts';
import { openTestDb } from '../helpers/database.ts';
import { DAY, makeEngine, TestClock } from '../helpers/engine.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';
import { SurveyReader } from '../../src/storage/surveys/index.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { optOutModel } from '../../src/conversation/opt-out-model.ts';
import { contactModel } from '../../src/conversation/contact-model.ts';


let db: Awaited<ReturnType<typeof openTestDb>>;
let clock: TestClock;
let channel: RecordingChannel;
let engine: SurveyEngine;
const settings: RelationshipSettings = { everyMs: 90 * DAY, lookbackMs: 90 * DAY, cron: '0 10 * * *', timeZone: 'UTC' };

beforeAll(async () => { db = await openTestDb('relationship'); });
afterAll(async () => { await db.drop(); });
beforeEach(async () => {
  await db.conn.dropDatabase();
  // The start of a 90-day period (periods count from the epoch), at 10:00.
  clock = new TestClock(229 * 90 * DAY + 10 * 3_600_000);
  channel = new RecordingChannel();
  engine = makeEngine(db.conn, [channel], clock, { fatigueMs: 30 * DAY });
  await engine.init();
});

function schedule(e: SurveyEngine = engine): RelationshipSchedule {
  return new RelationshipSchedule({ surveys: new SurveyReader(db.conn), sink: e, settings, logger: silentLogger(), now: clock.now });
}

/** A finished after-care survey for `customer`, `daysAgo` days before the clock. */
async function careConversation(customer: string, daysAgo: number, extra: Record<string, unknown> = {}): Promise<void> {
  const at = new Date(clock.t - daysAgo * DAY);
  await surveyModel(db.conn).create({
    channel: 'test', conversationId: `care-${customer}-${daysAgo}`, type: 'transactional',
    customer: { id: customer, name: 'Kim Larsen', locale: 'da' }, agent: { id: 'agent-1' }, address: { dm: `D-${customer}` },
    state: 'completed', score: 9, category: 'promoter', resolvedAt: at, askAt: at, askedAt: at, ...extra,
  });
}

describe('relationship surveys', () => {
  test('customers from the look-back get the relationship question once per period, in their language and channel', async () => {
    await careConversation('recent', 40);
    await careConversation('recent', 50); // one customer, two conversations: one survey
    await careConversation('long-ago', 120); // outside the look-back
    const first = await schedule().run();
    assert.deepEqual(first, { scheduled: 1, already: 0 });
    await engine.askDue();
    const sent = channel.to('recent');
    assert.equal(sent.length, 1);
    assert.match(sent[0]!.text, /alt taget i betragtning/, 'the Danish relationship question');
    assert.deepEqual(sent[0]!.choices, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(channel.sent[0]!.to.address, { dm: 'D-recent' });
    const s = await surveyModel(db.conn).findOne({ type: 'relational' }).lean();
    assert.equal(s?.agent.id, 'relationship');
    assert.equal(s?.state, 'asked');
    assert.ok(!s?.conversationId.includes('recent'), 'the conversation id does not carry the customer id');
    // Later in the same period: nothing new. Next period: asked again.
    clock.advance(10 * DAY);
    assert.deepEqual(await schedule().run(), { scheduled: 0, already: 1 });
    clock.advance(85 * DAY);
    await careConversation('recent', 5);
    assert.equal((await schedule().run()).scheduled, 1);
  });

  test('the fatigue window is shared with after-care surveys, and opted-out customers are not asked', async () => {
    // Asked after care 10 days ago: too recent for the relationship question.
    await careConversation('tired', 10);
    await contactModel(db.conn).create({ channel: 'test', customerId: 'tired', lastSurveyedAt: new Date(clock.t - 10 * DAY) });
    await careConversation('gone', 40);
    await optOutModel(db.conn).create({ _id: (await import('../../src/conversation/opt-out-model.ts')).optOutKey('test', 'gone'), channel: 'test', at: new Date() });
    await schedule().run();
    await engine.askDue();
    assert.equal(channel.sent.length, 0);
    const reasons = (await surveyModel(db.conn).find({ type: 'relational' }).lean()).map((s) => [s.state, s.skipReason]).sort();
    assert.deepEqual(reasons, [['skipped', 'fatigue'], ['skipped', 'opted-out']]);
  });

  test('two processes running the schedule at once create each survey once', async () => {
    for (let i = 0; i < 20; i++) await careConversation(`c${i}`, 20);
    const other = makeEngine(db.conn, [channel], clock);
    const [a, b] = await Promise.all([schedule().run(), schedule(other).run()]);
    assert.equal(a.scheduled + b.scheduled, 20);
    assert.equal(await surveyModel(db.conn).countDocuments({ type: 'relational' }), 20);
  });

  test('a closed messaging window skips the survey with reason window-closed, not a failure', async () => {
    await careConversation('quiet', 30);
    channel.closedWindows.add('quiet');
    await schedule().run();
    await engine.askDue();
    const s = await surveyModel(db.conn).findOne({ type: 'relational' }).lean();
    assert.equal(s?.state, 'skipped');
    assert.equal(s?.skipReason, 'window-closed');
    // Not asked means not "surveyed recently": the next after-care survey may still ask.
    assert.equal((await contactModel(db.conn).findOne({ customerId: 'quiet' }).lean())?.lastSurveyedAt, undefined);
  });

  test('off unless RELATIONSHIP_EVERY_DAYS is set', async () => {
    await careConversation('x', 10);
    const off = new RelationshipSchedule({ surveys: new SurveyReader(db.conn), sink: engine, settings: { ...settings, everyMs: 0 }, logger: silentLogger(), now: clock.now });
    assert.deepEqual(await off.run(), { scheduled: 0, already: 0 });
  });
});

describe('relationship conversation ids are keyed', () => {
  test('the id is a keyed HMAC of the customer: not the unkeyed SHA-256 anyone can compute from a phone number, and it changes with OPT_OUT_KEY_SECRET', async () => {
    const { createHash } = await import('node:crypto');
    const { relationshipConversationId } = await import('../../src/conversation/relationship-schedule.ts');
    const { useOptOutKeySecret } = await import('../../src/conversation/opt-out-model.ts');
    const phone = '46709999999';
    const unkeyed = createHash('sha256').update(`whatsapp\u0000${phone}`).digest('hex').slice(0, 32);
    try {
      useOptOutKeySecret('relationship-test-secret-0123456789abcdef');
      const a = relationshipConversationId(229, 'whatsapp', phone);
      assert.match(a, /^relationship:229:[0-9a-f]{32}$/);
      assert.ok(!a.includes(unkeyed), 'a guessed phone number does not reproduce the id');
      assert.equal(relationshipConversationId(229, 'whatsapp', phone), a, 'stable, so two processes schedule once');
      useOptOutKeySecret('another-relationship-secret-0123456789ab');
      assert.notEqual(relationshipConversationId(229, 'whatsapp', phone), a);
    } finally {
      useOptOutKeySecret(undefined);
    }
  });

  test('`nps-bot start` on a MongoDB of its own refuses to run without OPT_OUT_KEY_SECRET, in any NODE_ENV', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
      env: { ...process.env, NODE_ENV: 'development', OPT_OUT_KEY_SECRET: '', PORT: '0', MONGODB_URI: 'mongodb://127.0.0.1:9/' }, encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr.trim(), /^nps-bot: OPT_OUT_KEY_SECRET: required to run the bot/);
  });

  test('the first run on the embedded database makes a local key once, owner-only, and keeps it', async () => {
    const { mkdtempSync, statSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { localKeySecret } = await import('../../src/commands/local-key-secret.ts');
    const dir = mkdtempSync(join(tmpdir(), 'nps-key-'));
    try {
      const first = localKeySecret(join(dir, 'data'));
      assert.equal(first.created, true);
      assert.match(first.secret, /^[0-9a-f]{64}$/);
      assert.equal(statSync(join(dir, 'data', 'opt-out-key-secret')).mode & 0o777, 0o600);
      const again = localKeySecret(join(dir, 'data'));
      assert.deepEqual(again, { secret: first.secret, created: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
