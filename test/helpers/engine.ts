/** A bare engine (no HTTP) on a test database, with a clock the test moves. */
import type { Connection } from 'mongoose';
import { SurveyEngine, type EngineSettings } from '../../src/conversation/engine.ts';
import { Outbox } from '../../src/conversation/outbox.ts';
import { Templates } from '../../src/conversation/templates.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import type { ChannelAdapter } from '../../src/conversation/channel-contract/channel.ts';

export class TestClock {
  constructor(public t = new Date('2026-03-02T10:00:00Z').getTime()) {}
  now = (): Date => new Date(this.t);
  advance(ms: number): void { this.t += ms; }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function makeEngine(conn: Connection, channels: ChannelAdapter[], clock: TestClock, settings: Partial<EngineSettings> = {}, logger: Logger = silentLogger()): SurveyEngine {
  const outbox = new Outbox(new Map(channels.map((c) => [c.name, c])), { logger, baseDelayMs: 5, maxDelayMs: 50 });
  return new SurveyEngine({
    conn,
    outbox,
    templates: new Templates({}, 'Acme'),
    logger,
    now: clock.now,
    settings: {
      fatigueMs: 30 * DAY,
      askDelayMs: 0,
      expireMs: 72 * HOUR,
      maxReprompts: 1,
      staffIds: ['staff-1', 'test:staff-2'],
      botIds: ['bot-1'],
      leaseMs: 60_000,
      defaultLocale: 'en',
      maxCommentChars: 2000,
      ...settings,
    },
  });
}

/** Each resolution stored and its question asked at once; their survey ids, in order. */
export async function askedSurveys(engine: SurveyEngine, resolutions: Array<Parameters<SurveyEngine['resolved']>[0]>): Promise<string[]> {
  const ids: string[] = [];
  for (const r of resolutions) {
    const { surveyId } = await engine.resolved(r);
    if (!(await engine.askNow(surveyId))) throw new Error(`survey ${surveyId} was not asked`);
    ids.push(surveyId);
  }
  return ids;
}
