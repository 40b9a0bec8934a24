/**
 * Messages the bot owes a customer after the question (re-prompt, follow-up, thanks,
 * opt-out confirmation, consent): each was recorded on the survey (`owed`) in the write
 * that made it owed, before this sends it, and is settled after. One that could not go
 * out (a rate limit, an outage, a crash before it was settled) is taken again once its
 * lease runs out, by any process, and sent with the same idempotency key; one the
 * conversation has moved past, or owed longer than the survey's expiry window, is given
 * up. An owed question goes back to `Asking`.
 */
import type { SurveyDoc } from '../storage/surveys/index.ts';
import type { Asking } from './asking.ts';
import { errorKind, errorText, kindOf, type EngineCore } from './engine-core.ts';
import { nextStep, owedForAtMostMs, owedTooLong, owedTooLongWhy, stillRelevant, type GiveUpReason } from './send-retry-policy.ts';
import type { TemplateKey } from './templates.ts';

export class OwedMessages {
  constructor(private readonly core: EngineCore, private readonly asking: Asking) {}

  /** Send the survey's owed message now (right after the write that made it owed). */
  async deliver(s: SurveyDoc | null): Promise<void> {
    const owed = s?.owed;
    if (!s || !owed) return;
    const { core } = this;
    const kind = kindOf(owed.key as TemplateKey);
    const owedForMs = owedForAtMostMs(core.settings);
    const now = core.now();
    // A reminder is optional: one taken again after a crash still goes to nobody who opted out since.
    const dropped: [GiveUpReason, string] | null = !stillRelevant(s, owed.key as TemplateKey, now)
      ? ['no-longer-relevant', `the survey is ${s.state}${s.expiresAt && now >= s.expiresAt ? ' and past its expiry' : ''}`]
      : owedTooLong(owed, now, owedForMs)
        ? ['owed-too-long', owedTooLongWhy(owedForMs)]
        : owed.key === 'reminder' && await core.eligibility.optedOut(s.channel, s.customer.id) ? ['opted-out', 'opted out'] : null;
    if (dropped) {
      await core.repo.dropOwed(s._id, owed.id, dropped[0] === 'owed-too-long' ? `given up: ${dropped[1]}` : undefined);
      core.gaveUp(s, kind, ...dropped);
      return;
    }
    try {
      await core.outbox.send(s.channel, core.recipient(s), core.message(s, owed));
    } catch (err) {
      // Being told when to come back (a rate limit, or no slot of the shared budget yet) is a
      // wait, not a failure: it does not use up the tries a failing platform gets, and it
      // keeps the message's place until it is no longer worth sending (send-retry-policy.ts).
      const next = nextStep(err, owed, core.now(), owedForMs);
      // A wait is routine under a backlog (the rate-limit metrics count them): debug, not a warning.
      core.logger[next.kind === 'wait' ? 'debug' : 'warn']({ surveyId: String(s._id), channel: s.channel, key: owed.key, err: errorKind(err), retry: next.kind !== 'give-up' }, 'message not delivered');
      if (next.kind === 'give-up') {
        await core.repo.dropOwed(s._id, owed.id, `${errorText(err)}; given up: ${next.why}`);
        core.gaveUp(s, kind, next.reason, next.why);
      } else if (next.kind === 'wait') await core.repo.waitOwed(s._id, owed.id, next.at, core.now(), errorText(err));
      else await core.repo.deferOwed(s._id, owed.id, next.at, errorText(err));
      return;
    }
    // The answer that made this owed is stored: failing to record the send must not fail it.
    // The message then stays owed and goes again after its lease (the at-least-once window).
    await core.persistAfterSend(() => core.repo.settleOwed(s._id, owed.id), owed.dueAt).catch((err: unknown) => {
      core.logger.warn({ surveyId: String(s._id), key: owed.key, err: errorText(err) }, 'a sent message could not be recorded; it may be sent again');
    });
  }

  /**
   * Send every owed message whose lease ran out: after a crash, an outage, or a platform
   * that asked us to wait. One at a time: taken several at a time (as questions are), the
   * chaos run's follow-ups and questions came later, not sooner, and more came twice (seed
   * 2: 61 late follow-ups, 35 late questions and 13 Slack messages sent twice, against 16,
   * 2 and 1 one at a time; not traced further). Returns how many were taken.
   */
  async sendDue(): Promise<number> {
    let taken = 0;
    for (;;) {
      const now = this.core.now();
      const s = await this.core.repo.takeDueOwed(now, this.core.leaseUntil(now));
      if (!s?.owed) return taken;
      taken++;
      try {
        // Takes that were waits (a re-sent question told to wait, asking.ts) do not count.
        if (s.state === 'sending' && s.owed.attempts - (s.owed.waits ?? 0) > (this.core.settings.maxAskAttempts ?? 5)) {
          // Taken again and again and never recorded as sent: stop, with the reason.
          this.core.moved(await this.core.repo.failAsking(s._id, s.owed.id, 'the question could not be recorded as sent', s.owed.attempts), 'sending', 'failed');
        } else if (s.state === 'sending') await this.asking.ask(s);
        else await this.deliver(s);
      } catch (err) {
        this.core.logger.error({ err: errorText(err), surveyId: String(s._id) }, 'an owed message could not be handled; it stays owed');
      }
    }
  }
}
