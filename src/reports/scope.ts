/** What a caller may see: a manager everything, an agent only their own figures, comments and follow-ups. */
import type { Principal } from '../http/token-auth.ts';

export interface Scope {
  /** Set for agent tokens: every query is narrowed to this agent. */
  agentId?: string;
  /** Agent tokens under AGENT_VISIBILITY=figures: figures only, no customer's comment. */
  hideComments?: boolean;
  /** Set for agent tokens that name their channel: follow-ups are narrowed to it too. */
  channel?: string;
}

export function scopeOf(principal: Principal): Scope {
  // An ingest token (a care tool's) reads nothing; the routes refuse it first, this is the backstop.
  if (principal.role === 'ingest') throw new Error('an ingest token may not read reports');
  if (principal.role !== 'agent') return {};
  // The auth middleware refuses these first; this is the backstop.
  if (principal.sees === 'none') throw new Error('this agent token may not read reports (AGENT_VISIBILITY=none)');
  return {
    agentId: principal.agentId,
    ...(principal.channel ? { channel: principal.channel } : {}),
    ...(principal.sees === 'figures' ? { hideComments: true } : {}),
  };
}

/** The follow-up filter of a scope: the agent's id and, when the token names it, its channel. */
export function followupScopeFilter(scope: Scope): { agentId?: string; channel?: string } {
  return {
    ...(scope.agentId ? { agentId: scope.agentId } : {}),
    ...(scope.agentId && scope.channel ? { channel: scope.channel } : {}),
  };
}

/** Whether a follow-up (its agent and channel) is inside the scope. */
export function inFollowupScope(scope: Scope, doc: { agentId: string; channel: string }): boolean {
  if (!scope.agentId) return true;
  return doc.agentId === scope.agentId && (!scope.channel || doc.channel === scope.channel);
}

export const EVERYTHING: Scope = {};
