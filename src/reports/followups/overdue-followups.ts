/**
 * How many detractor follow-ups are overdue, for the digest. The follow-ups' own due
 * times (FOLLOWUP_DUE_HOURS, in followups.ts) are used when that module offers
 * `overdueCount`; until then an open follow-up older than 48 hours counts as overdue.
 */
import type { Followups } from './followup-workflow.ts';
import type { Scope } from '../scope.ts';

export const FALLBACK_DUE_MS = 48 * 3_600_000;

type WithOverdue = Followups & { overdueCount?: (scope: Scope, now: Date) => Promise<number> };

export async function overdueFollowups(followups: Followups, scope: Scope, now: Date): Promise<number> {
  const own = (followups as WithOverdue).overdueCount;
  if (typeof own === 'function') return own.call(followups, scope, now);
  return followups.model.countDocuments({
    status: 'open',
    openedAt: { $lt: new Date(now.getTime() - FALLBACK_DUE_MS) },
    ...(scope.agentId ? { agentId: scope.agentId } : {}),
  }).exec();
}
