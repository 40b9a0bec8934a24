/**
 * Claim, post, back off (src/reports/followups/claimed-post.ts), through its two users:
 * a detractor alert or an overdue reminder whose post fails is due again after a wait that
 * doubles, with the reason (bounded) on the follow-up; it is not posted before the wait is
 * over, goes once it is, and the record of the post clears the reason. The other tests
 * cover the happy path and two processes; this one the failures. Real server, a fake clock.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Types, type Connection } from 'mongoose';
import { silentLogger } from '../../src/logger.ts';
import { DetractorAlerts } from '../../src/reports/followups/detractor-alerts.ts';
import { OverdueReminders } from '../../src/reports/followups/followup-reminders.ts';
import { followupModel, type FollowupDoc } from '../../src/reports/followups/followup-model.ts';
import { Followups } from '../../src/reports/followups/followup-workflow.ts';
import type { Notice, NoticeTarget } from '../../src/reports/notice-target.ts';
import { openTestDb } from '../helpers/database.ts';

const SECOND = 1_000;
const HOUR = 3_600_000;
const TARGET: NoticeTarget = { channel: 'webhook', channelId: 'managers' };

/** A clock the test moves. */
function clock(start: string): { now: () => Date; advance(ms: number): void } {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance(ms) { t += ms; } };
}

/** A receiver that refuses the next `failures` posts (with `reason`), then takes them. */
function receiver() {
  const tries: Notice[] = [];
  let failures = 0;
  let reason = '';
  return {
    tries,
    failNext(n: number, why: string) { failures = n; reason = why; },
    post: async (_target: NoticeTarget, notice: Notice): Promise<void> => {
      tries.push(notice);
      if (failures > 0) {
        failures--;
        throw new Error(reason);
      }
    },
  };
}

describe('claim, post, back off', () => {
  let db: { conn: Connection; drop(): Promise<void> };
  let followups: Followups;
  beforeAll(async () => {
    db = await openTestDb('claimed-post');
    followups = new Followups(db.conn, { dueMs: 48 * HOUR, reminders: 3 });
    await followups.model.init();
  });
  afterAll(async () => { await db.drop(); });

  async function followup(fields: Partial<FollowupDoc>): Promise<Types.ObjectId> {
    const doc = await followupModel(db.conn).create({
      surveyId: new Types.ObjectId(), channel: 'webhook', conversationId: `conv-${String(new Types.ObjectId())}`, agentId: 'a1',
      type: 'transactional', score: 3, status: 'open', ...fields,
    });
    return doc._id;
  }
  const stored = async (id: Types.ObjectId) => (await followupModel(db.conn).findById(id).lean().exec())!;

  test('a detractor alert that fails is due again 30 s later, then 60 s; it goes once the wait is over, and the record clears the reason', async () => {
    const time = clock('2024-06-03T09:00:00Z');
    const hook = receiver();
    const alerts = new DetractorAlerts({ conn: db.conn, followups, target: TARGET, post: hook.post, logger: silentLogger(), now: time.now });
    const id = await followup({ resolvedAt: time.now(), openedAt: time.now(), notifiedAt: null, notifyAfter: new Date(time.now().getTime() - SECOND), notifyAttempts: 0 });
    hook.failNext(2, `receiver down ${'x'.repeat(600)}`);

    await alerts.sendDue();
    assert.equal(hook.tries.length, 1);
    let f = await stored(id);
    assert.equal(f.notifiedAt ?? null, null);
    assert.equal(f.notifyAttempts, 1);
    assert.equal(f.notifyAfter?.getTime(), time.now().getTime() + 30 * SECOND, 'the first wait: 30 s');
    assert.equal(f.notifyError?.length, 500, 'the reason, bounded');
    assert.match(f.notifyError ?? '', /^receiver down x/);

    time.advance(29 * SECOND);
    await alerts.sendDue();
    assert.equal(hook.tries.length, 1, 'not posted again before the wait is over');

    time.advance(SECOND);
    await alerts.sendDue();
    assert.equal(hook.tries.length, 2);
    f = await stored(id);
    assert.equal(f.notifyAttempts, 2);
    assert.equal(f.notifyAfter?.getTime(), time.now().getTime() + 60 * SECOND, 'the second wait: doubled');

    time.advance(60 * SECOND);
    await alerts.sendDue();
    assert.equal(hook.tries.length, 3);
    f = await stored(id);
    assert.equal(f.notifiedAt?.getTime(), time.now().getTime());
    assert.equal(f.notifiedTo, 'webhook:managers');
    assert.equal(f.notifyError, undefined, 'the reason cleared');

    time.advance(HOUR);
    await alerts.sendDue();
    assert.equal(hook.tries.length, 3, 'posted once');
    await alerts.stop();
  });

  test('an overdue reminder that fails waits 30 s times 2 per reminder already sent, then goes and plans the next period', async () => {
    const time = clock('2024-06-10T09:00:00Z');
    const hook = receiver();
    const reminders = new OverdueReminders({ followups, target: TARGET, post: hook.post, logger: silentLogger(), now: time.now });
    const openedAt = new Date(time.now().getTime() - 96 * HOUR - SECOND);
    const dueAt = new Date(openedAt.getTime() + 48 * HOUR);
    const id = await followup({
      resolvedAt: openedAt, openedAt, dueAt, notifiedAt: openedAt, notifyAfter: openedAt, notifyAttempts: 1,
      remindAt: new Date(time.now().getTime() - SECOND), remindersSent: 1,
    });
    hook.failNext(1, 'receiver down');

    await reminders.sendDue();
    assert.equal(hook.tries.length, 1);
    let f = await stored(id);
    assert.equal(f.remindAt?.getTime(), time.now().getTime() + 60 * SECOND, 'one reminder sent before: 60 s');
    assert.equal(f.remindError, 'receiver down');
    assert.equal(f.remindersSent, 1);

    time.advance(59 * SECOND);
    await reminders.sendDue();
    assert.equal(hook.tries.length, 1, 'not posted again before the wait is over');

    time.advance(SECOND);
    await reminders.sendDue();
    assert.equal(hook.tries.length, 2);
    assert.match(hook.tries[1]!.text, /^Overdue follow-up/);
    f = await stored(id);
    assert.equal(f.remindersSent, 2);
    assert.equal(f.remindError, undefined, 'the reason cleared');
    assert.equal(f.remindedAt?.getTime(), time.now().getTime());
    assert.equal(f.remindAt?.getTime(), dueAt.getTime() + 2 * 48 * HOUR, 'the next reminder a whole period on');
    await reminders.stop();
  });
});
