/**
 * Agents on a shared brand account sign their DMs with initials ("… ^AB"). This maps a
 * brand DM to the agent who wrote it, using X_SIGNATURE_PATTERN and X_AGENT_SIGNATURES.
 */

/** Who a resolution is credited to when the signature's initials are not in the map. */
export const UNKNOWN_AGENT_ID = 'x-brand';

/** Signatures sit at the end of a DM; looking only at the tail bounds the regex's work. */
const TAIL_CHARS = 200;

export interface SignedAgent { initials: string; agentId: string; known: boolean }

export class AgentSignatures {
  constructor(private readonly pattern: RegExp, private readonly agents: ReadonlyMap<string, string>) {}

  /** The agent who signed `text`, or null when it carries no signature. */
  find(text: string): SignedAgent | null {
    const m = this.pattern.exec(text.slice(-TAIL_CHARS));
    const initials = m?.[1]?.trim().toUpperCase();
    if (!initials) return null;
    const agentId = this.agents.get(initials);
    return { initials, agentId: agentId ?? UNKNOWN_AGENT_ID, known: agentId !== undefined };
  }
}
