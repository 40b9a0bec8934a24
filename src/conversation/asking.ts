/**
 * Intake and asking: resolved → scheduled → sending → asked (or skipped, failed).
 *
 * Claiming a survey moves it to `sending` and records the question as owed in the same
 * write, before the platform call. Once the platform took the question, the survey is
 * never put back to "not asked": if storing `asked` fails (the database went away), the
 * write is retried for the rest of the lease, and past it the owed question is sent again
 * by whichever process takes it (`OwedMessages`), with the same idempotency key. Replies
 * are applied from `sending` on, so an answer racing its own question is never lost.
 */
import mongoose from 'mongoose';
import type { ResolveOutcome, ResolvedEvent, SendReceipt } from './channel-contract/channel.ts';
import { PermanentSendError, TransientSendError, WindowClosedError } from './channel-contract/send-errors.ts';
import type { SurveyDoc } from '../storage/surveys/index.ts';
import { errorKind, errorText, type EngineCore } from './engine-core.ts';
import { resolvedEventSchema } from './inbound-validation.ts';
import { UnknownChannelError } from './outbox.ts';
import { BACKOFF_PER_ATTEMPT_MS, isWorthRetrying, MAX_RETRY_AFTER_MS, replyBackoffMs, toldToWait } from './send-retry-policy.ts';
import { resolveLocale } from './templates.ts';
import { validate, ValidationError } from '../validation.ts';

export class Asking {
  /**
   * Surveys this process stored already claimed (due at once), waiting for `askNow`. Only
   * a shortcut: if this process dies, the lease lapses and any process sends the question.
   */
  private readonly claimedAtIntake = new Map<string, SurveyDoc>();

  constructor(private readonly core: EngineCore) {}

  async resolved(input: ResolvedEvent): Promise<ResolveOutcome> {
    const { core } = this;
    const e = validate(resolvedEventSchema, input);
    if (!core.outbox.has(e.channel)) throw new ValidationError('channel', `unknown channel "${e.channel}"`);
    const now = core.now();
    const resolvedAt = e.resolvedAt ?? now;
    const askAt = new Date(Math.max(now.getTime(), resolvedAt.getTime() + core.settings.askDelayMs));
    // Due now and resolved recently enough: store it claimed, the question owed.
    const claimNow = askAt.getTime() <= now.getTime() && resolvedAt.getTime() >= core.askableSince(now).getTime() && !e.skipReason;
    const stored = await core.repo.create({
      channel: e.channel,
      conversationId: e.conversationId,
      type: e.type ?? 'transactional',
      customer: {
        id: e.customer.id, name: e.customer.name, segment: e.customer.segment, value: e.customer.value,
        locale: resolveLocale(e.customer.locale, core.settings.defaultLocale),
      },
      agent: { id: e.agent.id, name: e.agent.name },
      link: e.link,
      address: e.address,
      // A reason from the platform (a bot, an e-mail-only ticket) is kept, and applied when it is time to ask.
      skipReason: e.customer.isBot ? 'bot' : e.skipReason,
      participants: e.participants,
      resolvedAt,
      askAt,
      ...(e.eventId ? { eventIds: [e.eventId] } : {}),
    }, claimNow ? { owed: core.owe('question', now), expiresAt: new Date(now.getTime() + core.settings.expireMs) } : undefined);
    if (!stored.created) return { surveyId: stored.id, status: 'duplicate' };
    const id = String(stored.survey._id);
    core.logger.info({ surveyId: id, channel: e.channel }, 'survey scheduled');
    core.moved(stored.survey, null, stored.survey.state);
    if (claimNow) this.keepClaimed(id, stored.survey);
    return { surveyId: id, status: 'scheduled' };
  }

  /** Ask every survey that is due, a few at a time. Returns how many were handled. */
  async askDue(): Promise<number> {
    let handled = 0;
    for (const id of [...this.claimedAtIntake.keys()]) if (await this.askNow(id)) handled++;
    const worker = async (): Promise<void> => {
      for (;;) {
        const claimed = await this.claim();
        if (!claimed) return;
        handled++;
        await this.askClaimed(claimed);
      }
    };
    await Promise.all(Array.from({ length: this.core.settings.concurrency ?? 4 }, worker));
    return handled;
  }

  /**
   * Ask one survey now if it is due and nobody else is asking it: the fast path right
   * after a resolution with no delay. Anything this misses, the scheduler's next tick asks.
   */
  async askNow(surveyId: string): Promise<boolean> {
    if (!mongoose.isValidObjectId(surveyId)) return false;
    const atIntake = this.claimedAtIntake.get(surveyId);
    this.claimedAtIntake.delete(surveyId);
    const claimed = atIntake ?? await this.claim(surveyId);
    if (!claimed) return false;
    await this.askClaimed(claimed);
    return true;
  }

  private keepClaimed(id: string, s: SurveyDoc): void {
    // Bounded: a caller that never asks leaves them to the lease (the owed-message sweep).
    if (this.claimedAtIntake.size >= 1000) this.claimedAtIntake.delete(this.claimedAtIntake.keys().next().value!);
    this.claimedAtIntake.set(id, s);
  }

  private async claim(id?: string): Promise<SurveyDoc | null> {
    const { core } = this;
    const now = core.now();
    const owed = core.owe('question', now);
    const claimed = await core.repo.claimDue(now, core.askableSince(now), owed, new Date(now.getTime() + core.settings.expireMs), id);
    return core.moved(claimed, 'scheduled', 'sending');
  }

  /** An unexpected error (the database) leaves the survey `sending`: its owed question is taken again once the lease runs out. */
  private async askClaimed(s: SurveyDoc): Promise<void> {
    try {
      await this.ask(s);
    } catch (err) {
      this.core.logger.error({ err: errorText(err), surveyId: String(s._id) }, 'asking interrupted; the question stays owed');
    }
  }

  /** Deliver the owed question of a `sending` survey: first time, or again after a crash or an outage. */
  async ask(s: SurveyDoc): Promise<void> {
    const { core } = this;
    const owed = s.owed;
    if (!owed) return;
    const listReason = s.skipReason ?? core.eligibility.listReason(s.channel, s.customer.id);
    // The reservation belongs to this survey: taking it again after a crash is not "too recent".
    const reservation = listReason ? { reason: listReason } : await core.eligibility.reserve(s.channel, s.customer.id, String(s._id), core.now());
    if (reservation.reason) {
      core.moved(await core.repo.skipAsking(s._id, owed.id, reservation.reason), 'sending', 'skipped');
      return;
    }
    let receipt: SendReceipt;
    try {
      receipt = await core.outbox.send(s.channel, core.recipient(s), core.message(s, { id: owed.id, key: core.questionKey(s) }));
    } catch (err) {
      // Taken again after its lease ran out (`owed.attempts` counts the takes): the holder
      // before may have sent it, and the customer may be answering it now. A failure that
      // passes keeps the survey open (`sending`, its reservation kept, the question owed
      // again later) instead of putting it back to `scheduled`, where that answer would
      // match nothing (chaos seed 2 lost a Slack answer so). A refusal still ends it below.
      if (owed.attempts > 0 && isWorthRetrying(err)) {
        await this.askAgainLater(s, owed.id, err);
        return;
      }
      // The platform answered no: the question did not go out, so the survey may go back.
      await core.eligibility.unreserve(s.channel, s.customer.id, String(s._id));
      await this.onAskFailed(s, owed.id, err);
      return;
    }
    // Sent: from here on the survey is never "not asked". If a reply got in first it is
    // already scored (and this matches nothing); if another process took the lease, either write wins.
    const at = core.now();
    const expiresAt = new Date(at.getTime() + core.settings.expireMs);
    const reminder = reminderSlot(core, s, at, expiresAt);
    const asked = await core.persistAfterSend(
      () => core.repo.markAsked(s, owed.id, at, expiresAt, receipt.address, reminder ?? undefined),
      owed.dueAt,
    );
    core.moved(asked, 'sending', 'asked');
  }

  /**
   * A re-sent question that did not go out now: owed again at the platform's retry-after (a
   * wait, not counted against the takes) or after the back-off of a failure. The sweeper
   * takes it then; taken too often without a wait, it fails (owed-messages.ts).
   */
  private async askAgainLater(s: SurveyDoc, owedId: string, err: unknown): Promise<void> {
    const { core } = this;
    const now = core.now();
    const at = new Date(now.getTime() + replyBackoffMs(err, Math.max(1, s.owed?.attempts ?? 1)));
    if (toldToWait(err)) await core.repo.waitOwed(s._id, owedId, at, now, errorText(err));
    else await core.repo.deferOwed(s._id, owedId, at, errorText(err));
  }

  private async onAskFailed(s: SurveyDoc, owedId: string, err: unknown): Promise<void> {
    const { core } = this;
    const now = core.now();
    const attempts = (s.attempts ?? 0) + 1;
    if (err instanceof WindowClosedError) {
      // The platform may not be messaged now: the customer was never asked, so this is a skip, not a failure.
      core.moved(await core.repo.skipAsking(s._id, owedId, 'window-closed', errorText(err)), 'sending', 'skipped');
    } else if (err instanceof TransientSendError && err.retryAfterMs !== undefined && err.retryAfterMs > 0) {
      // The platform said when to come back (a rate limit or a daily cap): being told to wait is not a failed attempt.
      const wait = Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS);
      core.moved(await core.repo.reschedule(s._id, owedId, new Date(now.getTime() + wait), errorText(err), false), 'sending', 'scheduled');
    } else if (err instanceof PermanentSendError || err instanceof UnknownChannelError || attempts >= (core.settings.maxAskAttempts ?? 5)) {
      core.logger.warn({ surveyId: String(s._id), channel: s.channel, err: errorKind(err) }, 'survey failed');
      core.logger.debug({ surveyId: String(s._id), err: errorText(err) }, 'survey failed: the platform said');
      core.moved(await core.repo.failAsking(s._id, owedId, errorText(err), attempts), 'sending', 'failed');
    } else {
      const askAt = new Date(now.getTime() + BACKOFF_PER_ATTEMPT_MS * attempts);
      core.moved(await core.repo.reschedule(s._id, owedId, askAt, errorText(err), true), 'sending', 'scheduled');
    }
  }
}

/**
 * A messaging window's last hour is left alone: the customer's last message may have come
 * a little before the resolution the window is counted from.
 */
const WINDOW_MARGIN_MS = 3_600_000;

/**
 * When the one reminder (REMINDER_AFTER_HOURS) is due and the last moment it may go: before
 * the survey expires and, on a platform with a messaging window, inside it, counted from
 * the resolution (the customer's last message is at or before it). Null when none fits.
 */
export function reminderSlot(core: EngineCore, s: SurveyDoc, askedAt: Date, expiresAt: Date): { at: Date; by: Date } | null {
  const after = core.settings.reminderAfterMs;
  if (!after) return null;
  const at = askedAt.getTime() + after;
  let by = expiresAt.getTime();
  const window = core.outbox.messagingWindowMs(s.channel, core.recipient(s));
  if (window !== null) by = Math.min(by, s.resolvedAt.getTime() + window - WINDOW_MARGIN_MS);
  return at < by ? { at: new Date(at), by: new Date(by) } : null;
}
