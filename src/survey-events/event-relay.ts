/**
 * Moves survey events from the surveys they were staged on (in the same write as their
 * step, see the survey repository) into the durable queue. Queue first, then unstage: a
 * crash in between hands the same events over again, with the same ids and numbers, and
 * the queue stores each once.
 */
import type { SurveyRepository } from '../storage/surveys/index.ts';
import { eventBody } from './event-body.ts';
import type { SurveyEventQueue } from './event-queue.ts';

const SURVEYS_PER_PASS = 200;

export class SurveyEventRelay {
  constructor(private readonly surveys: SurveyRepository, private readonly queue: SurveyEventQueue) {}

  /** Hand every staged event to the queue. Returns how many were handed over. */
  async relay(now: Date): Promise<number> {
    let moved = 0;
    for (;;) {
      const batch = await this.surveys.withStagedEvents(SURVEYS_PER_PASS);
      let progressed = false;
      for (const s of batch) {
        const staged = s.outbound ?? [];
        if (staged.length === 0) continue;
        const first = s.eventSeq ?? 0;
        await this.queue.add(staged.map((e, i) => {
          const body = eventBody(s, e, first + i);
          return { _id: e.id, surveyId: String(s._id), seq: body.sequence, type: e.type, body: JSON.stringify(body) };
        }), now);
        // Another relay may have unstaged them first: the same events, already queued.
        if (await this.surveys.unstageEvents(s._id, staged.map((e) => e.id), first)) {
          moved += staged.length;
          progressed = true;
        }
      }
      if (batch.length < SURVEYS_PER_PASS || !progressed) return moved;
    }
  }
}
