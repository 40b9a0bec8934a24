/**
 * Closing surveys in time: a question nobody answered expires (also one whose sending
 * was never confirmed), a score whose comment never came completes (the score counts),
 * and a survey that could not be asked within ASK_WITHIN_HOURS of its resolution expires
 * unasked: a question days late would be about a conversation the customer has forgotten.
 * One conditional write per survey, so a reply landing at the same moment is never overwritten.
 */
import type { EngineCore } from './engine-core.ts';

export class Expiry {
  constructor(private readonly core: EngineCore) {}

  async expireDue(): Promise<{ expired: number; completed: number }> {
    const { core } = this;
    const now = core.now();
    let expired = 0;
    let completed = 0;
    while (core.moved(await core.repo.expireUnanswered(now), 'asked', 'expired')) expired++;
    while (core.moved(await core.repo.completeUncommented(now), 'scored', 'completed')) completed++;
    const hours = Math.round(core.askWithinMs / 3_600_000);
    while (core.moved(await core.repo.expireUnasked(core.askableSince(now), `not asked within ${hours} h of the resolution`), 'scheduled', 'expired')) expired++;
    return { expired, completed };
  }
}
