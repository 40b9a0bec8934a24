/**
 * `nps-bot forget` on the real engine and database: after it, nothing identifying is
 * left in surveys or follow-ups, nothing more is sent to the customer, the opt-out holds
 * under a keyed hash (older unkeyed hashes still count), and alerts already posted are
 * named so a person can delete them.
 */
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { forgetCustomer } from '../../src/forget.ts';
import { contactModel } from '../../src/conversation/contact-model.ts';
import { forgottenId, forgottenIds, legacyForgottenId, optOutModel, useOptOutKeySecret } from '../../src/conversation/opt-out-model.ts';
import { followupModel } from '../../src/reports/followups/followup-model.ts';
import { surveyModel } from '../../src/storage/surveys/survey-model.ts';
import { openTestDb } from '../helpers/database.ts';
import { DAY, HOUR, makeEngine, TestClock } from '../helpers/engine.ts';
import { RecordingChannel } from '../helpers/recording-channel.ts';

const SECRET = 'forget-test-secret-0123456789abcdefghij';
let db: Awaited<ReturnType<typeof openTestDb>>;

beforeAll(async () => {
  db = await openTestDb('forget');
  useOptOutKeySecret(SECRET);
});
afterEach(() => useOptOutKeySecret(SECRET));
afterAll(async () => {
  useOptOutKeySecret(undefined);
  await db.drop();
});

const resolution = (customerId: string, n: string) => ({
  channel: 'test', conversationId: `dm-${customerId}-${n}`, customer: { id: customerId, name: 'Vera Lind' },
  agent: { id: 'a1' }, link: `https://care.example/c/${customerId}/${n}`,
});

describe('forget', () => {
  test('cancels the scheduled and asked surveys so nothing goes out afterwards, and erases every trace', async () => {
    const clock = new TestClock();
    const channel = new RecordingChannel();
    const engine = makeEngine(db.conn, [channel], clock, { askDelayMs: HOUR, fatigueMs: 0 });
    await engine.init();
    const surveys = surveyModel(db.conn);

    // One survey asked (question out, waiting for the score), one still scheduled, one answered with a comment.
    const asked = await engine.resolved(resolution('U77', '1'));
    clock.advance(HOUR + 1000);
    assert.equal(await engine.askDue(), 1);
    const scheduled = await engine.resolved(resolution('U77', '2'));
    const answered = await surveys.create({
      channel: 'test', conversationId: 'dm-U77-0', type: 'transactional', customer: { id: 'U77', name: 'Vera Lind', locale: 'en' },
      agent: { id: 'a1' }, link: 'https://care.example/c/U77/0', state: 'completed', score: 2, category: 'detractor',
      comment: 'Call me on 555-0101', lastError: 'dm to U77 failed', resolvedAt: clock.now(), askAt: clock.now(),
    });
    await surveys.updateOne({ _id: asked.surveyId }, { $set: { lastError: 'U77: dms closed once' } });
    const followups = followupModel(db.conn);
    const posted = await followups.create({
      surveyId: answered._id, channel: 'test', conversationId: 'dm-U77-0', link: 'https://care.example/c/U77/0', agentId: 'a1',
      type: 'transactional', score: 2, resolvedAt: clock.now(), openedAt: clock.now(), note: 'Vera wants a call back',
      notifiedAt: clock.now(), notifiedTo: 'slack:C0MANAGERS', notifyAfter: clock.now(),
    });
    const sentBefore = channel.to('U77').length;
    assert.equal(sentBefore, 1, 'the first question went out');

    const result = await forgetCustomer(db.conn, 'test', 'U77', clock.now);
    assert.equal(result.surveys, 3);
    assert.equal(result.cancelled, 2);
    assert.equal(result.followups, 1);
    assert.equal(result.unfinished, 0);
    assert.deepEqual(result.alertsPosted, [{ followupId: String(posted._id), postedAt: clock.now().toISOString(), postedTo: 'slack:C0MANAGERS' }]);

    // Nothing more goes out: not the scheduled question, not a re-prompt, not a reply to a late answer.
    clock.advance(2 * DAY);
    assert.equal(await engine.askDue(), 0);
    await engine.expireDue();
    await engine.message({ channel: 'test', customerId: 'U77', text: '9' });
    assert.equal(channel.to('U77').length, sentBefore, 'nothing sent after forget');

    const all = await surveys.find({}).lean().exec();
    const mine = all.filter((s) => s.forgotten);
    assert.equal(mine.length, 3);
    const text = JSON.stringify(mine);
    for (const trace of ['U77', 'Vera', '555-0101', 'care.example']) assert.ok(!text.includes(trace), `no "${trace}" left in surveys`);
    for (const s of mine) {
      assert.match(s.conversationId, /^forgotten:[0-9a-f]{24}$/);
      assert.equal(s.customer.id, forgottenId('test', 'U77'));
    }
    const byId = new Map(mine.map((s) => [String(s._id), s]));
    assert.equal(byId.get(asked.surveyId)?.state, 'skipped');
    assert.equal(byId.get(asked.surveyId)?.skipReason, 'forgotten');
    assert.equal(byId.get(scheduled.surveyId)?.state, 'skipped');
    assert.equal(byId.get(String(answered._id))?.score, 2, 'the count stays');

    const f = await followups.findById(posted._id).lean().exec();
    assert.ok(f);
    const ftext = JSON.stringify(f);
    for (const trace of ['U77', 'Vera', 'care.example']) assert.ok(!ftext.includes(trace), `no "${trace}" left in the follow-up`);
    assert.equal(f.conversationId, byId.get(String(answered._id))?.conversationId);
  });

  test('a survey with only its score is completed (the score counts), its conversation id replaced', async () => {
    const surveys = surveyModel(db.conn);
    const now = new Date();
    const s = await surveys.create({
      channel: 'x', conversationId: 'x-inactivity:1000:4242:1700000000000', customer: { id: '4242', locale: 'en' }, agent: { id: 'a1' },
      state: 'scored', score: 8, category: 'passive', resolvedAt: now, askAt: now, askedAt: now, expiresAt: new Date(now.getTime() + DAY),
    });
    const result = await forgetCustomer(db.conn, 'x', '4242');
    assert.equal(result.cancelled, 0);
    const after = await surveys.findById(s._id).lean().exec();
    assert.equal(after?.state, 'completed');
    assert.equal(after?.score, 8);
    assert.ok(!after?.conversationId.includes('4242'));
  });

  test('the opt-out moves to a keyed hash; the engine still never asks; an older unkeyed hash still counts', async () => {
    const clock = new TestClock();
    const channel = new RecordingChannel();
    const engine = makeEngine(db.conn, [channel], clock, { fatigueMs: 0 });
    await engine.init();
    const optOuts = optOutModel(db.conn);
    await optOuts.create({ _id: 'test:U500', channel: 'test', at: clock.now() });

    await contactModel(db.conn).create({ channel: 'test', customerId: 'U500', lastSurveyedAt: clock.now() });
    const result = await forgetCustomer(db.conn, 'test', 'U500');
    assert.equal(result.optOutKept, true);
    assert.equal(result.contactRemoved, true);
    assert.equal(await contactModel(db.conn).countDocuments({ customerId: 'U500' }), 0);
    const hmac = forgottenId('test', 'U500');
    assert.match(hmac, /^hmac:[0-9a-f]{64}$/);
    assert.deepEqual((await optOuts.find({ channel: 'test', _id: { $in: ['test:U500', hmac] } }).lean().exec()).map((o) => o._id), [hmac]);
    // The unkeyed hash of earlier versions is no longer how it is stored: it cannot be found by hashing candidate ids.
    assert.equal(await optOuts.countDocuments({ _id: `sha256:${createHash('sha256').update('test\u0000U500').digest('hex')}` }), 0);

    await engine.resolved(resolution('U500', '1'));
    await engine.askDue();
    assert.equal(channel.to('U500').length, 0, 'a forgotten opted-out customer is never asked');

    // Opt-outs forgotten by an earlier version (plain SHA-256) still hold.
    await optOuts.create({ _id: legacyForgottenId('test', 'U501'), channel: 'test', at: clock.now() });
    await engine.resolved(resolution('U501', '1'));
    await engine.askDue();
    assert.equal(channel.to('U501').length, 0);
    // And forgetting again re-keys it under the HMAC.
    await forgetCustomer(db.conn, 'test', 'U501');
    assert.equal(await optOuts.countDocuments({ _id: forgottenId('test', 'U501') }), 1);
    assert.equal(await optOuts.countDocuments({ _id: legacyForgottenId('test', 'U501') }), 0);
  });

  test('the key depends on OPT_OUT_KEY_SECRET; without it the public development key is used', () => {
    const withSecret = forgottenId('slack', 'U1');
    useOptOutKeySecret('another-secret-0123456789abcdefghijkl');
    assert.notEqual(forgottenId('slack', 'U1'), withSecret);
    useOptOutKeySecret(undefined);
    const dev = forgottenId('slack', 'U1');
    assert.notEqual(dev, withSecret);
    useOptOutKeySecret(SECRET);
    assert.deepEqual(forgottenIds('slack', 'U1'), [withSecret, dev, legacyForgottenId('slack', 'U1')]);
  });
});

describe('forget leaves nothing of the customer in any collection or channel state', () => {
  test('every collection is swept for the customer\'s id, name, phone, segment, event ids, themes and managers\' reply texts; X\'s inactivity and signed-agent entries go; the tracker does not resurrect the customer', async () => {
    const { InactivityTracker } = await import('../../src/channels/x/x-inactivity-tracker.ts');
    const { SignedAgents } = await import('../../src/channels/x/x-signed-agents.ts');
    const { XChannel } = await import('../../src/channels/x/x-channel.ts');
    const { readXSettings } = await import('../../src/channels/x/x-settings.ts');
    const { MongoChannelStateStore } = await import('../../src/shared-state/channel-state-store.ts');
    const { channelStateModel } = await import('../../src/shared-state/channel-state-model.ts');
    const { silentLogger } = await import('../../src/logger.ts');
    const own = await openTestDb('forget-all');
    try {
      const CUSTOMER = '90817263544';
      const NAME = 'Zelda Quorn';
      const SEGMENT = 'segment-quorn-vip';
      const EVENT = 'evt-quorn-42';
      const REPLY = 'Zelda, we will call 555-0199 about card 4111';
      const now = new Date();
      const surveys = surveyModel(own.conn);
      const done = await surveys.create({
        channel: 'x', conversationId: `x-inactivity:1000:${CUSTOMER}:1700000000000`, type: 'transactional',
        customer: { id: CUSTOMER, name: NAME, locale: 'sv', segment: SEGMENT, value: 987_654 }, agent: { id: 'a1' },
        state: 'completed', score: 1, category: 'detractor', comment: 'Zelda here, slow delivery', themes: ['delivery'],
        eventIds: [EVENT], resolvedAt: now, askAt: now, askedAt: now, completedAt: now,
      });
      await surveys.create({
        channel: 'x', conversationId: `x-inactivity:1000:${CUSTOMER}:1700000099999`, type: 'transactional',
        customer: { id: CUSTOMER, name: NAME, locale: 'sv', segment: SEGMENT, value: 987_654 }, agent: { id: 'a1' },
        state: 'asked', resolvedAt: now, askAt: now, askedAt: now, eventIds: [`${EVENT}-b`],
        owed: { id: 'owed-1', key: 'followupDetractor', attempts: 1, dueAt: now },
        notes: [{ id: 'note-1', text: 'Zelda, we are on it', by: 'manager', attempts: 0, dueAt: now }],
      });
      const followups = followupModel(own.conn);
      await followups.create({
        surveyId: done._id, channel: 'x', conversationId: done.conversationId, agentId: 'a1', type: 'transactional', score: 1,
        resolvedAt: now, openedAt: now, notifiedAt: null, notifyAfter: now, note: `${NAME} is upset`,
        replies: [{ at: now, by: 'manager', status: 'sent', text: REPLY }],
      });
      await contactModel(own.conn).create({ channel: 'x', customerId: CUSTOMER, lastSurveyedAt: now });

      // X's own state, written by its real parts: an open conversation (with the name) and the last signing agent.
      const state = new MongoChannelStateStore(own.conn, 'x');
      await state.init();
      const tracker = new InactivityTracker(state, 60_000);
      await tracker.customerWrote(CUSTOMER, Date.now() - 120_000, NAME);
      await new SignedAgents(state).remember(CUSTOMER, 'agent-anna');
      // The signed-agent entry already expired: it still holds data until the TTL sweep, and must go too.
      await channelStateModel(own.conn).updateOne({ _id: `x/signed-agent:${CUSTOMER}` }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      const stateKeys = async () => (await channelStateModel(own.conn).find({}).lean().exec()).map((d) => d._id);
      assert.ok((await stateKeys()).some((k) => k === `x/inactivity:${CUSTOMER}`));
      assert.ok((await stateKeys()).some((k) => k === `x/signed-agent:${CUSTOMER}`));

      const x = new XChannel(readXSettings({
        X_CONSUMER_KEY: 'ck', X_CONSUMER_SECRET: 'cs', X_ACCESS_TOKEN: 'at', X_ACCESS_TOKEN_SECRET: 'ats', X_BRAND_USER_ID: '1000',
        X_API_URL: 'http://127.0.0.1:9/1.1/',
      })!, silentLogger());
      const result = await forgetCustomer(own.conn, 'x', CUSTOMER, () => now, { adapter: x });
      assert.equal(result.channelState, 'erased');
      assert.equal(result.unfinished, 0);

      // Every collection of the database, every document: no trace.
      const traces = [CUSTOMER, NAME, 'Zelda', SEGMENT, '987654', EVENT, '555-0199', '4111'];
      const collections = await own.conn.db!.listCollections().toArray();
      assert.ok(collections.length >= 5, collections.map((c) => c.name).join(','));
      for (const { name } of collections) {
        const docs = await own.conn.db!.collection(name).find({}).toArray();
        const text = JSON.stringify(docs);
        for (const trace of traces) assert.ok(!text.includes(trace), `"${trace}" left in ${name}`);
      }
      const after = await surveys.findById(done._id).lean().exec();
      assert.equal(after?.customer.locale, undefined, 'locale erased');
      assert.equal(after?.themes, undefined, 'themes erased');
      assert.equal(after?.score, 1, 'the count stays');
      const f = await followups.findOne({ surveyId: done._id }).lean().exec();
      assert.deepEqual(f?.replies?.map((r) => [r.by, r.status, r.text]), [['manager', 'sent', '']], 'who and how stay, not what');

      // The tracker finds nothing due for the customer: no new survey under the erased name.
      assert.deepEqual(await state.due('inactivity:', new Date(Date.now() + 86_400_000), 10), []);
      assert.equal(await new SignedAgents(state).lastFor(CUSTOMER), null);
    } finally {
      await own.drop();
    }
  });

  test('a channel not configured where forget runs is reported, not silently skipped', async () => {
    const r = await forgetCustomer(db.conn, 'x', '5550001', undefined, { adapter: null });
    assert.equal(r.channelState, 'not-configured');
  });
});
