/**
 * Claim, post, back off: how a notice about a follow-up reaches ALERT_TARGET once, shared
 * by the detractor alert and the overdue reminder. A process claims a due follow-up with a
 * versioned write pushing its due time past a lease (one writer per version, so one
 * claimer), posts the notice, then records the post. A post that fails makes the follow-up
 * due again after a growing wait, with the reason; a crash after the claim leaves it to a
 * later pass once the lease runs out. (Only a crash between the platform accepting the post
 * and the record can repeat a notice; nothing can lose one.)
 */
import type { QueryFilter, UpdateQuery } from 'mongoose';
import type { Logger } from '../../logger.ts';
import { versionedUpdate } from '../../storage/versioned-update.ts';
import type { FollowupDoc } from './followup-model.ts';
import type { Followups } from './followup-workflow.ts';
import type { Notice, NoticeTarget, PostNotice } from '../notice-target.ts';
import { EVERYTHING } from '../scope.ts';

/** How long one process may hold a notice while posting it (the outbox retries inside this). */
const LEASE_MS = 5 * 60_000;
/** Due follow-ups read per claim. */
const BATCH = 20;
/** Notices posted per pass at most. */
const MAX_PER_PASS = 100;
/** The wait after a failed post: 30 s doubling per step (at most 10 steps), at most an hour. */
const RETRY_FIRST_MS = 30_000;
const RETRY_MAX_STEPS = 10;
const RETRY_MAX_MS = 3_600_000;
/** The failure reason kept on the follow-up, at most. */
const MAX_REASON_CHARS = 500;

/** What one kind of notice decides: which follow-ups are due, its fields, its text, its record. */
export interface ClaimedNotice {
  /** The follow-ups due this notice now, and the order they go in. */
  due(now: Date): { filter: QueryFilter<FollowupDoc>; sort: Record<string, 1 | -1> };
  /** The claim: the due time pushed to `leaseUntil` (and whatever else counts a try). */
  claim(leaseUntil: Date): UpdateQuery<FollowupDoc>;
  /** Whether the follow-up, as claimed, still wants the notice. */
  wanted(claimed: FollowupDoc): boolean;
  /** The notice, built when posted. */
  notice(claimed: FollowupDoc): Notice | Promise<Notice>;
  /** After a failed post: how many times the wait has doubled. */
  retryStep(claimed: FollowupDoc): number;
  /** After a failed post: due again at `retryAt`, and why it failed. */
  retryLater(retryAt: Date, reason: string): UpdateQuery<FollowupDoc>;
  /** After the post: record it (failures are its own to handle; the notice may go again). */
  posted(claimed: FollowupDoc, target: NoticeTarget): Promise<void>;
  /** Log messages: a post failed, a notice went. */
  notDelivered: string;
  sent: string;
}

export interface ClaimedPostDeps {
  followups: Followups;
  /** ALERT_TARGET; without it nothing is posted. */
  target?: NoticeTarget;
  post: PostNotice;
  logger: Logger;
  now: () => Date;
}

/** Post every due notice of one kind to the target, one claimed follow-up at a time (bounded per pass; stops when `stopping` aborts). */
export async function postClaimed(kind: ClaimedNotice, deps: ClaimedPostDeps, stopping: AbortSignal): Promise<void> {
  const target = deps.target;
  if (!target) return;
  for (let round = 0; round < MAX_PER_PASS && !stopping.aborted; round++) {
    const claimed = await claimOne(kind, deps);
    if (!claimed) return;
    try {
      await deps.post(target, await kind.notice(claimed));
    } catch (err) {
      const wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(RETRY_MAX_STEPS, kind.retryStep(claimed)));
      const reason = err instanceof Error ? err.message : String(err);
      deps.logger.warn({ followupId: String(claimed._id), target: target.channel, err: reason, retryInMs: wait }, kind.notDelivered);
      await deps.followups.write(claimed._id, EVERYTHING, kind.retryLater(new Date(deps.now().getTime() + wait), reason.slice(0, MAX_REASON_CHARS)))
        .catch(() => undefined); // the lease runs out and the notice is retried anyway
      continue;
    }
    await kind.posted(claimed, target);
    deps.logger.info({ followupId: String(claimed._id), channel: target.channel }, kind.sent);
  }
}

/**
 * Take one due follow-up: a versioned write pushing its due time past the lease. Only one
 * process can make that write at a given version, so only one posts the notice.
 */
async function claimOne(kind: ClaimedNotice, deps: ClaimedPostDeps): Promise<FollowupDoc | null> {
  const now = deps.now();
  const { filter, sort } = kind.due(now);
  const due = await deps.followups.model.find(filter, { version: 1 }).sort(sort).limit(BATCH).lean().exec();
  for (const candidate of due) {
    const claimed = await versionedUpdate(deps.followups.model, candidate._id, candidate.version ?? 0, kind.claim(new Date(now.getTime() + LEASE_MS)));
    if (claimed && kind.wanted(claimed)) return claimed;
  }
  return null;
}
