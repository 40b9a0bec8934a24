/**
 * Overdue reminders: while nobody has contacted a detractor past the follow-up's due
 * time, ALERT_TARGET is reminded once per due period (FOLLOWUP_DUE_HOURS), at most
 * FOLLOWUP_REMINDERS times. Each reminder is claimed like a detractor alert: a versioned
 * write pushes `remindAt` past a lease, so of several processes exactly one posts it;
 * after the post `remindAt` moves to the next period, and contact, an outcome or
 * closing clears it. (Only a crash between the platform accepting the post and that
 * write can repeat a reminder; nothing can lose one.)
 */
import type { Logger } from '../../logger.ts';
import { versionedUpdate } from '../../storage/versioned-update.ts';
import type { FollowupDoc } from './followup-model.ts';
import type { Followups } from './followup-workflow.ts';
import type { Notice, NoticeTarget, PostNotice } from '../notice-target.ts';
import { EVERYTHING } from '../scope.ts';
import { SingleFlightLoop } from '../../single-flight-loop.ts';

/** How long one process may hold a reminder while posting it. */
const LEASE_MS = 5 * 60_000;
/** Reminders claimed per query. */
const BATCH = 20;

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
    const target = this.deps.target;
    if (!target || this.deps.followups.settings.reminders === 0) return;
    for (let round = 0; round < 100 && !stopping.aborted; round++) {
      const claimed = await this.claimOne();
      if (!claimed) break;
      try {
        await this.deps.post(target, reminderNotice(claimed, this.deps.followups.dueAt(claimed), this.deps.now()));
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const wait = Math.min(3_600_000, 30_000 * 2 ** Math.min(10, claimed.remindersSent ?? 0));
        this.deps.logger.warn({ followupId: String(claimed._id), target: target.channel, err: reason, retryInMs: wait }, 'overdue reminder not delivered');
        await this.deps.followups.write(claimed._id, EVERYTHING, {
          $set: { remindAt: new Date(this.deps.now().getTime() + wait), remindError: reason.slice(0, 500) },
        }).catch(() => undefined); // the lease runs out and the reminder is retried anyway
        continue;
      }
      await this.markSent(claimed);
      this.deps.logger.info({ followupId: String(claimed._id), channel: target.channel }, 'overdue follow-up reminder sent');
    }
  }

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

  /** Take one due reminder with a versioned write pushing `remindAt` past the lease. */
  private async claimOne(): Promise<FollowupDoc | null> {
    const now = this.deps.now();
    const due = await this.deps.followups.model.find(
      { status: 'open', remindAt: { $lte: now } },
      { version: 1 },
    ).sort({ remindAt: 1 }).limit(BATCH).lean().exec();
    for (const candidate of due) {
      const claimed = await versionedUpdate(this.deps.followups.model, candidate._id, candidate.version ?? 0, {
        $set: { remindAt: new Date(now.getTime() + LEASE_MS) },
      });
      if (claimed && claimed.status === 'open') return claimed;
    }
    return null;
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
