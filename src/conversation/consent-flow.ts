/**
 * Consent to quote a promoter's comment (TESTIMONIAL_CONSENT): asked once after the
 * comment, answered by the customer's next message, kept with its time. Only a clear yes
 * grants it (consent-reply.ts reads the answer); the question is never asked again.
 */
import type { ReplyOutcome } from './channel-contract/channel.ts';
import type { ReplyTarget } from '../storage/surveys/index.ts';
import type { EngineCore } from './engine-core.ts';
import type { Category } from './nps-category.ts';
import { readConsent } from './consent-reply.ts';
import type { OwedMessages } from './owed-messages.ts';
import type { Reply } from './reply.ts';

export class ConsentFlow {
  constructor(private readonly core: EngineCore, private readonly owed: OwedMessages) {}

  /** The testimonial fields that ask a promoter for consent, when that is switched on; else null. */
  ask(category: Category, at: Date): { askedAt: Date; until: Date } | null {
    if (!this.core.settings.askTestimonialConsent || category !== 'promoter') return null;
    return { askedAt: at, until: new Date(at.getTime() + this.core.settings.expireMs) };
  }

  /** The customer's answer to the consent question, if one is awaited; null otherwise. */
  async reply(t: ReplyTarget, r: Reply): Promise<ReplyOutcome | null> {
    // The survey's language decides words two languages share ("tak": yes in Polish, thanks in Danish).
    const awaiting = await this.core.repo.findAwaitingConsent(t, r.receivedAt);
    if (!awaiting) return null;
    const granted = readConsent(r.text, awaiting.customer.locale) === 'granted';
    const done = await this.core.repo.recordConsent({ ...t, surveyId: String(awaiting._id) }, r.receivedAt, granted, this.core.owe(granted ? 'consentGranted' : 'consentDeclined'), r.eventId);
    if (!done) return null;
    await this.owed.deliver(done);
    return { status: 'completed', surveyId: String(done._id), score: done.score ?? undefined };
  }
}
