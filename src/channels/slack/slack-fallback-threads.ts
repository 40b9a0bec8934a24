/**
 * Which care threads hold a survey question the bot posted because the customer's DM
 * was refused, so the customer's replies there are answers and everyone else's talk
 * is not. The truth is in Slack: every message the bot posts in such a thread carries
 * metadata `nps_survey {survey_id, customer_id}`, found again with
 * `conversations.replies`. The maps here only save API calls; after a restart the
 * lookup in Slack answers the same.
 */
import type { Logger } from '../../logger.ts';
import type { MessageMetadata, SlackApi } from './slack-api.ts';
import { slackErrorCode } from './slack-errors.ts';

export const SURVEY_EVENT_TYPE = 'nps_survey';

const MAX_ENTRIES = 5000;
/** A "no survey here" answer is trusted briefly: the bot may ask in this thread later. */
const MISS_TTL_MS = 10_000;

export function surveyMetadata(surveyId: string, customerId: string): MessageMetadata {
  return { event_type: SURVEY_EVENT_TYPE, event_payload: { survey_id: surveyId, customer_id: customerId } };
}

export class FallbackThreads {
  private readonly known = new Map<string, string>();
  private readonly misses = new Map<string, number>();

  /** `ourBotId` is the bot's bot id (auth.test), so another app's look-alike metadata is not trusted. */
  constructor(private readonly api: SlackApi, private readonly logger: Logger, private readonly ourBotId: () => string | undefined) {}

  /** Remember that the bot asked this customer in this thread. */
  remember(channel: string, threadTs: string, customerId: string, surveyId: string): void {
    const key = `${channel}:${threadTs}:${customerId}`;
    this.misses.delete(key);
    bounded(this.known).set(key, surveyId);
  }

  /** The survey the bot asked this customer about in this thread, if any. */
  async surveyIn(channel: string, threadTs: string, customerId: string): Promise<string | undefined> {
    const key = `${channel}:${threadTs}:${customerId}`;
    const hit = this.known.get(key);
    if (hit) return hit;
    const missAt = this.misses.get(key);
    if (missAt !== undefined && Date.now() - missAt < MISS_TTL_MS) return undefined;
    let found: string | undefined;
    try {
      const messages = await this.api.thread(channel, threadTs, { metadata: true, maxMessages: 1000 });
      for (const m of messages) {
        const p = m.metadata?.eventType === SURVEY_EVENT_TYPE ? m.metadata.payload : undefined;
        const ours = m.botId !== undefined && (this.ourBotId() === undefined || m.botId === this.ourBotId());
        if (ours && p && p.customer_id === customerId && typeof p.survey_id === 'string') found = p.survey_id; // the latest wins
      }
    } catch (err) {
      this.logger.warn({ err: slackErrorCode(err) }, 'slack conversations.replies failed; a thread reply could not be matched to a survey');
      return undefined;
    }
    if (found) bounded(this.known).set(key, found);
    else bounded(this.misses).set(key, Date.now());
    return found;
  }
}

function bounded<V>(map: Map<string, V>): Map<string, V> {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  return map;
}
