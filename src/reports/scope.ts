/** What a caller may see: a manager everything, an agent only their own figures, comments and follow-ups. */
import type { Principal } from '../http/token-auth.ts';

export interface Scope {
  /** Set for agent tokens: every query is narrowed to this agent. */
  agentId?: string;
  /** Agent tokens under AGENT_VISIBILITY=figures: figures only, no customer's comment. */
  hideComments?: boolean;
}

export function scopeOf(principal: Principal): Scope {
  // An ingest token (a care tool's) reads nothing; the routes refuse it first, this is the backstop.
  if (principal.role === 'ingest') throw new Error('an ingest token may not read reports');
  if (principal.role !== 'agent') return {};
  // The auth middleware refuses these first; this is the backstop.
  if (principal.sees === 'none') throw new Error('this agent token may not read reports (AGENT_VISIBILITY=none)');
  return principal.sees === 'figures' ? { agentId: principal.agentId, hideComments: true } : { agentId: principal.agentId };
}

export const EVERYTHING: Scope = {};
