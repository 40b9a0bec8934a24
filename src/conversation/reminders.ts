/**
 * The one reminder (REMINDER_AFTER_HOURS, off unless set): a question still unanswered that
 * long after it was asked gets one short reminder, in the survey's language, only while the
 * platform's messaging window is open (the slot is set when the question is asked, see
 * asking.ts), never after an opt-out, never twice, never after expiry.
 *
 * Claiming is one conditional write that sets `remindedAt` and records the reminder as owed,
 * so it is sent at most once per claim and never claimed again; a process that dies before
 * sending leaves it owed, and `sendOwed` sends it with the same idempotency key.
 */
import { errorText, type EngineCore } from './engine-core.ts';
import type { OwedMessages } from './owed-messages.ts';

export class Reminders {
  constructor(private readonly core: EngineCore, private readonly owed: OwedMessages) {}

  /** Send every reminder that is due (the scheduler's tick). Returns how many were claimed. */
  async sendDue(): Promise<number> {
    const { core } = this;
    if (!core.settings.reminderAfterMs) return 0;
    await core.repo.dropLateReminders(core.now());
    let claimed = 0;
    for (;;) {
      const now = core.now();
      const s = await core.repo.claimReminder(now, core.owe('reminder', now));
      if (!s?.owed) return claimed;
      claimed++;
      try {
        // Opted out on another survey meanwhile: the reminder is not sent.
        if (await core.eligibility.optedOut(s.channel, s.customer.id)) await core.repo.dropOwed(s._id, s.owed.id, 'opted out');
        else await this.owed.deliver(s);
      } catch (err) {
        core.logger.error({ err: errorText(err), surveyId: String(s._id) }, 'a reminder could not be handled; it stays owed');
      }
    }
  }
}
