/**
 * What a survey event looks like on the wire (docs/reports.md, "Survey events"): one JSON
 * object per POST, fixed when the event is queued.
 */
import type { StagedEvent, SurveyDoc } from '../storage/surveys/index.ts';

export interface SurveyEventBody {
  /** Stable across every attempt: deduplicate on it. */
  id: string;
  /** `survey.resolved`, `survey.asked`, `survey.skipped`, `survey.failed`, `survey.reminded`, `survey.answered`, `survey.commented`, `survey.expired`, `survey.opted_out`, `survey.forgotten`, `followup.opened`, `followup.closed`. */
  type: string;
  occurredAt: string;
  /** The event's place among its survey's events (0, 1, 2…): events of one survey arrive in this order. */
  sequence: number;
  survey: { id: string; channel: string; conversationId: string; type: string; agentId: string; customerId: string };
  /** What the step carries: `reason` (skipped, expired), `score` and `category` (answered), `comment` (commented)… */
  data: Record<string, unknown>;
}

export type SurveyRef = Pick<SurveyDoc, '_id' | 'channel' | 'conversationId' | 'type' | 'agent' | 'customer'>;

export function eventBody(s: SurveyRef, e: StagedEvent, sequence: number): SurveyEventBody {
  return {
    id: e.id,
    type: e.type,
    occurredAt: new Date(e.at).toISOString(),
    sequence,
    survey: {
      id: String(s._id), channel: s.channel, conversationId: s.conversationId, type: s.type,
      agentId: s.agent.id, customerId: s.customer.id,
    },
    data: e.data ?? {},
  };
}
