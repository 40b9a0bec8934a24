/**
 * Detractor alerts: each follow-up's notice goes to ALERT_TARGET once. A process
 * claims a follow-up with a versioned write pushing `notifyAfter` forward (a lease:
 * one writer per version, so one claimer), posts, then stamps `notifiedAt`; a crash
 * after the claim leaves it for the next sweep once the lease runs out. (Only a crash
 * between the platform accepting the post and the stamp can repeat an alert; nothing
 * can lose one.)
 */
import type { Connection, Model } from 'mongoose';
import type { Logger } from '../../logger.ts';
import { SurveyReader, type SurveyDoc } from '../../storage/surveys/index.ts';
import type { FollowupDoc } from './followup-model.ts';
import type { Followups } from './followup-workflow.ts';
import type { Notice, NoticeTarget, PostNotice } from '../notice-target.ts';
import { EVERYTHING } from '../scope.ts';
import { versionedUpdate } from '../../storage/versioned-update.ts';
import { managerTexts } from '../manager-texts.ts';
import type { Locale } from '../../conversation/templates.ts';
import { SingleFlightLoop } from '../../single-flight-loop.ts';

/** How long one process may hold an alert while posting it (the outbox retries inside this). */
const LEASE_MS = 5 * 60_000;
/** Alerts older than this are not sent late (e.g. after ALERT_TARGET is first set); they stay on the dashboard. */
const MAX_AGE_MS = 24 * 3_600_000;
const MAX_COMMENT_CHARS = 500;

export interface AlertDeps {
  conn: Connection;
  followups: Followups;
  target?: NoticeTarget;
  post: PostNotice;
  logger: Logger;
  now: () => Date;
  /** The managers' language (REPORT_LOCALE); English when absent. */
  locale?: Locale;
}

export class DetractorAlerts {
  private readonly surveys: SurveyReader;
  /** One pass at a time; a call during a pass asks for one more (a follow-up opened after it looked). */
  private readonly passes: SingleFlightLoop;

  constructor(private readonly deps: AlertDeps) {
    this.surveys = new SurveyReader(deps.conn);
    this.passes = new SingleFlightLoop({
      pass: (stopping) => this.pass(stopping),
      onError: (err) => deps.logger.error({ err }, 'sending detractor alerts failed'),
    });
  }

  /** Send every due alert; resolves after a pass begun after this call (a failed pass is logged, not thrown). */
  sendDue(): Promise<void> {
    return this.passes.request();
  }

  /** Start no more passes; resolves when the current one ends. */
  stop(): Promise<void> {
    return this.passes.stop();
  }

  private async pass(stopping: AbortSignal): Promise<void> {
    const target = this.deps.target;
    if (!target) return;
    for (let round = 0; round < 100 && !stopping.aborted; round++) {
      const claimed = await this.claimOne();
      if (!claimed) return;
      try {
        await this.deps.post(target, await this.notice(claimed));
      } catch (err) {
        const wait = Math.min(3_600_000, 30_000 * 2 ** Math.min(10, claimed.notifyAttempts - 1));
        const reason = err instanceof Error ? err.message : String(err);
        this.deps.logger.warn({ followupId: String(claimed._id), target: target.channel, err: reason, retryInMs: wait }, 'detractor alert not delivered');
        await this.deps.followups.write(claimed._id, EVERYTHING, {
          $set: { notifyAfter: new Date(this.deps.now().getTime() + wait), notifyError: reason.slice(0, 500) },
        }).catch(() => undefined); // the lease runs out and the alert is retried anyway
        continue;
      }
      // Posted: stamp it. Failing that, the alert would be posted again once the lease runs out, so try hard.
      await this.markSent(claimed, target);
      this.deps.logger.info({ followupId: String(claimed._id), channel: target.channel }, 'detractor alert sent');
    }
  }

  private async markSent(f: FollowupDoc, target: NoticeTarget): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.followups.write(f._id, EVERYTHING, { $set: { notifiedAt: this.deps.now(), notifiedTo: `${target.channel}:${target.channelId}` }, $unset: { notifyError: '' } });
        return;
      } catch (err) {
        if (attempt >= 5) {
          this.deps.logger.error({ followupId: String(f._id), err }, 'alert sent but not recorded; it may be sent again');
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  /**
   * Take one due alert: a versioned write pushing `notifyAfter` past the lease. Only one
   * process can make that write at a given version, so only one posts the alert.
   */
  private async claimOne(): Promise<FollowupDoc | null> {
    const now = this.deps.now();
    const due = await this.deps.followups.model.find(
      { notifiedAt: null, notifyAfter: { $lte: now }, openedAt: { $gte: new Date(now.getTime() - MAX_AGE_MS) } },
      { version: 1 },
    ).sort({ openedAt: 1 }).limit(20).lean().exec();
    for (const candidate of due) {
      const claimed = await versionedUpdate(this.deps.followups.model, candidate._id, candidate.version ?? 0, {
        $set: { notifyAfter: new Date(now.getTime() + LEASE_MS) },
        $inc: { notifyAttempts: 1 },
      });
      if (claimed && claimed.notifiedAt == null) return claimed;
    }
    return null;
  }

  /** The notice, built when sent, so it carries the comment if the customer gave one by then. */
  async notice(f: FollowupDoc): Promise<Notice> {
    const survey = await this.surveys.byId<Pick<SurveyDoc, 'comment'>>(f.surveyId, { comment: 1 });
    const comment = survey?.comment ? truncate(survey.comment, MAX_COMMENT_CHARS) : null;
    const agent = f.agentName ? `${f.agentName} (${f.agentId})` : f.agentId;
    const conversation = f.link ?? f.conversationId;
    const tx = managerTexts(this.deps.locale).alert;
    const lines = [
      tx.headline(f.score, f.type === 'relational'),
      tx.channelAgent(f.channel, agent),
      tx.conversation(conversation),
      tx.comment(comment),
      tx.followupOpen(String(f._id)),
    ];
    return {
      text: lines.join('\n'),
      fields: {
        score: String(f.score),
        channel: f.channel,
        agent,
        conversation,
        ...(comment ? { comment } : {}),
        followup: String(f._id),
      },
    };
  }
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
