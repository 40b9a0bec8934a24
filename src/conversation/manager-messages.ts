/**
 * A manager's message back to a surveyed customer ("we fixed what you told us"), through
 * the survey's channel and address, within the platform's rules: never to a customer who
 * opted out or was forgotten, and a closed messaging window is said, not retried.
 *
 * The message is recorded on the survey (`notes`) before the platform call and removed
 * after it; one that could not go out now is sent again when due, by any process, with
 * the same idempotency key (`queued`).
 */
import { randomUUID } from 'node:crypto';
import { WindowClosedError } from './channel-contract/send-errors.ts';
import type { OwedNote, SurveyDoc } from '../storage/surveys/index.ts';
import { errorKind, errorText, type EngineCore } from './engine-core.ts';
import { nextStep, owedForAtMostMs, owedTooLong, owedTooLongWhy } from './send-retry-policy.ts';

export type ManagerMessageStatus = 'sent' | 'queued' | 'window-closed' | 'opted-out' | 'unavailable';

export class ManagerMessages {
  constructor(private readonly core: EngineCore) {}

  async send(req: { surveyId: string; text: string; by: string }): Promise<{ status: ManagerMessageStatus; messageId?: string }> {
    const { core } = this;
    const s = await core.repo.byId(req.surveyId);
    if (!s || s.forgotten || !core.outbox.has(s.channel)) return { status: 'unavailable' };
    if (await core.eligibility.optedOut(s.channel, s.customer.id)) return { status: 'opted-out' };
    const now = core.now();
    const note: OwedNote = { id: randomUUID(), text: req.text.slice(0, core.settings.maxCommentChars), by: req.by, attempts: 0, dueAt: core.leaseUntil(now), since: now };
    const owing = await core.repo.oweNote(s._id, note);
    if (!owing) return { status: 'unavailable' };
    const outcome = await this.deliver(owing, note);
    if (outcome.status === 'sent') core.logger.info({ surveyId: req.surveyId, channel: s.channel, by: req.by }, 'message sent back to the customer');
    return outcome;
  }

  /** Send every manager message whose lease ran out (a crash, an outage, a rate limit). */
  async sendDue(): Promise<number> {
    let taken = 0;
    for (;;) {
      const now = this.core.now();
      const due = await this.core.repo.takeDueNote(now, this.core.leaseUntil(now));
      if (!due) return taken;
      taken++;
      try {
        const { survey, note } = due;
        if (survey.forgotten || !this.core.outbox.has(survey.channel) || await this.core.eligibility.optedOut(survey.channel, survey.customer.id)) {
          await this.core.repo.settleNote(survey._id, note.id);
        } else if (owedTooLong(note, now, owedForAtMostMs(this.core.settings))) {
          // Every process was away longer than a message waits: too late to say now.
          await this.core.repo.settleNote(survey._id, note.id);
          this.core.gaveUp(survey, 'manager', 'owed-too-long', owedTooLongWhy(owedForAtMostMs(this.core.settings)));
        } else {
          await this.deliver(survey, note);
        }
      } catch (err) {
        this.core.logger.error({ err: errorText(err) }, 'a manager message could not be handled; it stays owed');
      }
    }
  }

  private async deliver(s: SurveyDoc, note: OwedNote): Promise<{ status: ManagerMessageStatus; messageId?: string }> {
    const { core } = this;
    let messageId: string | undefined;
    try {
      const receipt = await core.outbox.send(s.channel, core.recipient(s), { kind: 'reply', text: note.text, choices: null, idempotencyKey: note.id });
      messageId = receipt.messageId;
    } catch (err) {
      if (err instanceof WindowClosedError) {
        await core.repo.settleNote(s._id, note.id);
        return { status: 'window-closed' };
      }
      // A wait keeps the message's place (send-retry-policy.ts); failures use up its tries.
      const now = core.now();
      const next = nextStep(err, note, now, owedForAtMostMs(core.settings));
      core.logger[next.kind === 'wait' ? 'debug' : 'warn']({ surveyId: String(s._id), channel: s.channel, err: errorKind(err), retry: next.kind !== 'give-up' }, 'message back to the customer not delivered');
      if (next.kind === 'give-up') {
        await core.repo.settleNote(s._id, note.id);
        core.gaveUp(s, 'manager', next.reason, next.why);
        return { status: 'unavailable' };
      }
      if (next.kind === 'wait') await core.repo.waitNote(s._id, note.id, next.at, now);
      else await core.repo.deferNote(s._id, note.id, next.at);
      return { status: 'queued' };
    }
    // Sent: say so. Failing to record it leaves it owed, to go again after its lease.
    await core.persistAfterSend(() => core.repo.settleNote(s._id, note.id), note.dueAt).catch((err: unknown) => {
      core.logger.warn({ surveyId: String(s._id), err: errorText(err) }, 'a sent message could not be recorded; it may be sent again');
    });
    return { status: 'sent', ...(messageId ? { messageId } : {}) };
  }
}
