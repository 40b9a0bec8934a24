/**
 * Overdue reminders: while nobody has contacted a detractor past the follow-up's due
 * time, ALERT_TARGET is reminded once per due period (FOLLOWUP_DUE_HOURS), at most
 * FOLLOWUP_REMINDERS times. Each reminder is claimed, posted and backed off like a
 * detractor alert (claimed-post.ts), on `remindAt`: after the post `remindAt` moves to the
 * next period, and contact, an outcome or closing clears it.
 */
import type { Logger } from '../../logger.ts';
import type { FollowupDoc } from './followup-model.ts';
import type { Followups } from './followup-workflow.ts';
import type { Notice, NoticeTarget, PostNotice } from '../notice-target.ts';
import { EVERYTHING } from '../scope.ts';
import { SingleFlightLoop } from '../../single-flight-loop.ts';
import { postClaimed, type ClaimedNotice } from './claimed-post.ts';

export interface ReminderDeps {
  followups: Followups;
  target?: NoticeTarget;
  post: PostNotice;
  logger: Logger;
  now: () => Date;
}

export class OverdueReminders {
  /** One pass at a time; a call during a pass shares it (reminders fall due by the clock, not by events). */
  private readonly passes: SingleFlightLoop;

  constructor(private readonly deps: ReminderDeps) {
    this.passes = new SingleFlightLoop({
      pass: (stopping) => this.pass(stopping),
      onError: (err) => deps.logger.error({ err }, 'sending overdue reminders failed'),
      whileRunning: 'join',
    });
  }

  /** Post every reminder that is due; concurrent calls share one pass (a failed pass is logged, not thrown). */
  sendDue(): Promise<void> {
    return this.passes.request();
  }

  /** Start no more passes; resolves when the current one ends. */
  stop(): Promise<void> {
    return this.passes.stop();
  }

  private async pass(stopping: AbortSignal): Promise<void> {
    if (this.deps.followups.settings.reminders === 0) return;
    await postClaimed(this.reminder, this.deps, stopping);
  }

  /** A reminder: due from `remindAt` while the follow-up is open; the wait after a failure grows with the reminders sent. */
  private readonly reminder: ClaimedNotice = {
    due: (now) => ({ filter: { status: 'open', remindAt: { $lte: now } }, sort: { remindAt: 1 } }),
    claim: (leaseUntil) => ({ $set: { remindAt: leaseUntil } }),
    wanted: (claimed) => claimed.status === 'open',
    notice: (claimed) => reminderNotice(claimed, this.deps.followups.dueAt(claimed), this.deps.now()),
    retryStep: (claimed) => claimed.remindersSent ?? 0,
    retryLater: (retryAt, reason) => ({ $set: { remindAt: retryAt, remindError: reason } }),
    posted: (claimed) => this.markSent(claimed),
    notDelivered: 'overdue reminder not delivered',
    sent: 'overdue follow-up reminder sent',
  };

  /** After the post: the next reminder a whole period after this one's (never in the past), or none when the last was sent. */
  private async markSent(f: FollowupDoc): Promise<void> {
    const { dueMs, reminders } = this.deps.followups.settings;
    const sentBefore = f.remindersSent ?? 0;
    const now = this.deps.now();
    const due = this.deps.followups.dueAt(f).getTime();
    const periodsPassed = Math.floor((now.getTime() - due) / dueMs) + 1;
    const next = sentBefore + 1 >= reminders ? null : new Date(due + Math.max(sentBefore + 1, periodsPassed) * dueMs);
    await this.deps.followups.writeWith(f._id, EVERYTHING, (current) => ({
      $set: { remindAt: current.status === 'open' ? next : null, remindedAt: now },
      $inc: { remindersSent: 1 },
      $unset: { remindError: '' },
    })).catch((err) => this.deps.logger.error({ followupId: String(f._id), err }, 'reminder sent but not recorded; it may be sent again'));
  }
}

/** The reminder: who waits, for how long, and what to do. No customer text: the first alert carried the comment. */
export function reminderNotice(f: FollowupDoc, dueAt: Date, now: Date): Notice {
  const agent = f.agentName ? `${f.agentName} (${f.agentId})` : f.agentId;
  const conversation = f.link ?? f.conversationId;
  const waited = Math.floor((now.getTime() - f.openedAt.getTime()) / 3_600_000);
  const lines = [
    `Overdue follow-up: a detractor (score ${f.score}/10) has waited ${waited} h without being contacted (due ${dueAt.toISOString()}).`,
    `Channel: ${f.channel} · Agent: ${agent}`,
    `Conversation: ${conversation}`,
    `Follow-up ${String(f._id)}${f.owner ? ` (owner ${f.owner})` : ''}: contact the customer, then record the outcome (recovered, not recovered, no answer).`,
  ];
  return {
    text: lines.join('\n'),
    fields: { score: String(f.score), channel: f.channel, agent, conversation, followup: String(f._id), dueAt: dueAt.toISOString(), waitedHours: String(waited) },
  };
}
