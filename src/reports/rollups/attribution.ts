/**
 * Who gets the credit for a survey (ATTRIBUTION_RULE): the agent who resolved the
 * conversation (`resolver`, the default), the agent who replied last (`last-replier`),
 * or every agent who took part, each by their share of the replies (`shared`).
 *
 * The rules read the snapshot of participants stored on the survey at resolution,
 * `participants: [{id, name?, replies}]`, listed in the order of each agent's last
 * reply (the last entry replied last). Surveys are read defensively: the field may be
 * missing (older surveys, platforms that do not tell), and an entry without a usable id
 * or reply count is ignored. Without a usable snapshot every rule falls back to the
 * resolver, so a change of rule never loses a survey. The snapshot never changes, so a
 * change of rule re-reads old surveys the same way (the rollups are rebuilt, see
 * rollup-rebuild.ts). Pure functions.
 */
export const ATTRIBUTION_RULES = ['resolver', 'last-replier', 'shared'] as const;
export type AttributionRule = (typeof ATTRIBUTION_RULES)[number];

/** One agent's share of one survey: weight 1 for one agent, fractions summing to 1 when shared. */
export interface Credit { agentId: string; agentName?: string; weight: number }

export interface Participant { id: string; name?: string; replies: number }

/** The survey fields the rules read. */
export interface AttributableSurvey { agent: { id: string; name?: string }; participants?: unknown }

const MAX_PARTICIPANTS = 50;

/** The usable participants, in stored order, one entry per agent (a repeated id keeps its last place). */
export function participantsOf(raw: unknown): Participant[] {
  if (!Array.isArray(raw)) return [];
  const byId = new Map<string, Participant>();
  for (const p of raw.slice(0, MAX_PARTICIPANTS)) {
    if (typeof p !== 'object' || p === null) continue;
    const { id, name, replies } = p as Record<string, unknown>;
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) continue;
    if (typeof replies !== 'number' || !Number.isFinite(replies) || replies < 0) continue;
    const known = byId.get(id);
    byId.delete(id);
    byId.set(id, { id, ...(typeof name === 'string' && name.length > 0 ? { name: name.slice(0, 200) } : known?.name ? { name: known.name } : {}), replies: replies + (known?.replies ?? 0) });
  }
  return [...byId.values()];
}

export function creditsOf(s: AttributableSurvey, rule: AttributionRule): Credit[] {
  const resolver: Credit[] = [{ agentId: s.agent.id, ...(s.agent.name ? { agentName: s.agent.name } : {}), weight: 1 }];
  if (rule === 'resolver') return resolver;
  const repliers = participantsOf(s.participants).filter((p) => p.replies > 0);
  if (repliers.length === 0) return resolver;
  const nameOf = (p: Participant): string | undefined => p.name ?? (p.id === s.agent.id ? s.agent.name : undefined);
  const credit = (p: Participant, weight: number): Credit => {
    const agentName = nameOf(p);
    return { agentId: p.id, ...(agentName ? { agentName } : {}), weight };
  };
  if (rule === 'last-replier') return [credit(repliers[repliers.length - 1]!, 1)];
  const total = repliers.reduce((a, p) => a + p.replies, 0);
  return repliers.map((p) => credit(p, p.replies / total));
}

/** What a report says about the rule, so nobody reads a shared figure as a resolver's. */
export function attributionNote(rule: AttributionRule): string {
  switch (rule) {
    case 'resolver': return 'Each survey is credited to the agent who resolved the conversation.';
    case 'last-replier': return 'Each survey is credited to the agent who replied last (the resolver when the platform did not say who replied).';
    case 'shared': return 'Each survey is shared among the agents who replied, by their share of the replies (the resolver when the platform did not say who replied); per-agent counts can be fractions.';
  }
}
