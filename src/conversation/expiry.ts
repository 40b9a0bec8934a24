/**
 * Closing surveys in time: a question nobody answered expires (also one whose sending
 * was never confirmed), a score whose comment never came completes (the score counts),
 * and a survey that could not be asked within ASK_WITHIN_HOURS of its resolution expires
 * unasked: a question days late would be about a conversation the customer has forgotten.
 * One conditional write per survey, so a reply landing at the same moment is never overwritten.
 * A message still owed then (a re-prompt or follow-up told to wait) is dropped by that same
 * write and reported given up as no longer relevant (`givenUp`, counted by the metrics).
 */
import type { SurveyDoc } from '../storage/surveys/index.ts';
import { kindOf, type EngineCore } from './engine-core.ts';
import type { TemplateKey } from './templates.ts';

export class Expiry {
  constructor(private readonly core: EngineCore) {}

  async expireDue(): Promise<{ expired: number; completed: number }> {
    const { core } = this;
    const now = core.now();
    let expired = 0;
    let completed = 0;
    for (let s; (s = core.moved(await core.repo.expireUnanswered(now), 'asked', 'expired')); expired++) this.dropped(s, 'the survey expired unanswered');
    for (let s; (s = core.moved(await core.repo.completeUncommented(now), 'scored', 'completed')); completed++) this.dropped(s, 'the survey completed at its expiry without the comment');
    const hours = Math.round(core.askWithinMs / 3_600_000);
    while (core.moved(await core.repo.expireUnasked(core.askableSince(now), `not asked within ${hours} h of the resolution`), 'scheduled', 'expired')) expired++;
    return { expired, completed };
  }

  /** The message the expiry took off the survey unsent (a re-prompt, a follow-up told to wait) is given up, and counted. */
  private dropped(s: SurveyDoc, why: string): void {
    if (s.droppedOwed) this.core.gaveUp(s, kindOf(s.droppedOwed.key as TemplateKey), 'no-longer-relevant', why);
  }
}
