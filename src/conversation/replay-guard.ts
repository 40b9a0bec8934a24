/**
 * A decorator around the engine's `message`: a platform event already applied — on any
 * survey, in any state (a score, a comment, a consent answer, an opt-out) — is answered
 * `duplicate` without reaching the engine. The survey's own event ids only guard the
 * survey the event changed; a captured, validly signed delivery replayed after the
 * customer's next resolution would otherwise score that new survey. An event is recorded
 * once the engine handled it without an error (whatever it made of it), so a failure
 * leaves it open for the platform's redelivery.
 */
import type { EngineSink, InboundMessage, ReplyOutcome } from './channel-contract/channel.ts';

/** What the guard needs of the applied-event store (storage/applied-event-store.ts). */
export interface AppliedEvents {
  has(channel: string, eventId: string): Promise<boolean>;
  record(channel: string, eventId: string): Promise<void>;
}

/** Longest event id the engine accepts (inbound-validation.ts); a longer one is the engine's to refuse. */
const MAX_EVENT_ID = 300;

export function guardReplays(sink: EngineSink, applied: AppliedEvents): EngineSink {
  return {
    resolved: (event) => sink.resolved(event),
    async message(event: InboundMessage): Promise<ReplyOutcome> {
      const { channel, eventId } = event;
      if (typeof channel !== 'string' || typeof eventId !== 'string' || eventId === '' || eventId.length > MAX_EVENT_ID) return sink.message(event);
      if (await applied.has(channel, eventId)) return { status: 'duplicate' };
      const outcome = await sink.message(event);
      await applied.record(channel, eventId);
      return outcome;
    },
  };
}
