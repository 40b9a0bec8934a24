/**
 * Detractor alerts: each follow-up's notice goes to ALERT_TARGET once, claimed, posted and
 * backed off as claimed-post.ts says: the claim pushes `notifyAfter` past the lease and
 * counts the try in `notifyAttempts`, the post stamps `notifiedAt`.
 */
import type { Connection } from 'mongoose';
import type { Logger } from '../../logger.ts';
import { SurveyReader, type SurveyDoc } from '../../storage/surveys/index.ts';
import type { FollowupDoc } from './followup-model.ts';
import type { Followups } from './followup-workflow.ts';
import type { Notice, NoticeTarget, PostNotice } from '../notice-target.ts';
import { EVERYTHING } from '../scope.ts';
import { managerTexts } from '../manager-texts.ts';
import type { Locale } from '../../conversation/templates.ts';
import { SingleFlightLoop } from '../../single-flight-loop.ts';
import { postClaimed, type ClaimedNotice } from './claimed-post.ts';

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

  private pass(stopping: AbortSignal): Promise<void> {
    return postClaimed(this.alert, this.deps, stopping);
  }

  /** An alert: due from `notifyAfter` until `notifiedAt`, within a day of opening; each claim counts a try. */
  private readonly alert: ClaimedNotice = {
    due: (now) => ({
      filter: { notifiedAt: null, notifyAfter: { $lte: now }, openedAt: { $gte: new Date(now.getTime() - MAX_AGE_MS) } },
      sort: { openedAt: 1 },
    }),
    claim: (leaseUntil) => ({ $set: { notifyAfter: leaseUntil }, $inc: { notifyAttempts: 1 } }),
    wanted: (claimed) => claimed.notifiedAt == null,
    notice: (claimed) => this.notice(claimed),
    retryStep: (claimed) => claimed.notifyAttempts - 1,
    retryLater: (retryAt, reason) => ({ $set: { notifyAfter: retryAt, notifyError: reason } }),
    // Failing to stamp it, the alert would be posted again once the lease runs out, so try hard.
    posted: (claimed, target) => this.markSent(claimed, target),
    notDelivered: 'detractor alert not delivered',
    sent: 'detractor alert sent',
  };

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
