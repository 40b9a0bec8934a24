/** What a caller may see: a manager everything, an agent only their own figures, comments and follow-ups. */
import type { Principal } from '../http/token-auth.ts';

export interface Scope {
  /** Set for agent tokens: every query is narrowed to this agent. */
  agentId?: string;
}

export function scopeOf(principal: Principal): Scope {
  return principal.role === 'agent' ? { agentId: principal.agentId } : {};
}

export const EVERYTHING: Scope = {};
