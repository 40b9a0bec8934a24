import type { ReplyOutcome } from './channel-contract/channel.ts';

/** A customer's message, validated, as the engine's reply flows handle it. */
export interface Reply {
  channel: string;
  customerId: string;
  text: string;
  choice?: number;
  surveyId?: string;
  eventId?: string;
  receivedAt: Date;
  /** Told once a score is stored, before its follow-up is sent (see InboundMessage). */
  onStored?: (outcome: ReplyOutcome) => void;
}
