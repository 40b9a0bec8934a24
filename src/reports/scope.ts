/** What a caller may see: a manager everything, an agent only their own figures, comments and follow-ups. */
import type { Principal } from '../http/token-auth.ts';

export interface Scope {
  /** Set for agent tokens: every query is narrowed to this agent. */
  agentId?: string;
}

export function scopeOf(principal: Principal): Scope {
  // An ingest token (a care tool's) reads nothing; the routes refuse it first, this is the backstop.
  if (principal.role === 'ingest') throw new Error('an ingest token may not read reports');
  return principal.role === 'agent' ? { agentId: principal.agentId } : {};
}

export const EVERYTHING: Scope = {};
