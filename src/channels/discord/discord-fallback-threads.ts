/**
 * The support threads where the bot asked in the thread because the customer's DMs
 * are closed, so a message the customer types there is read as their answer (and
 * nobody else's messages, and no other thread).
 *
 * Nothing here is the source of truth: every process learns it from the bot's own
 * question arriving over the gateway, and after a restart a thread is looked up once
 * by reading its latest messages for the bot's question (its buttons name the survey
 * and the customer). Both maps are bounded.
 */
import type { DiscordRest } from './discord-rest.ts';
import { parseButtonCustomId } from './discord-survey-message.ts';

export interface AskedInThread { customerId: string; surveyId: string }

const MAX_THREADS = 10_000;
const LOOKBACK_MESSAGES = 25;

export class FallbackThreads {
  private readonly asked = new Map<string, AskedInThread>();
  private readonly looked = new Set<string>();

  constructor(private readonly rest: DiscordRest, private readonly botId: () => string | undefined) {}

  remember(threadId: string, asked: AskedInThread): void {
    this.asked.delete(threadId);
    this.asked.set(threadId, asked);
    this.looked.add(threadId);
    trim(this.asked);
    trimSet(this.looked);
  }

  forget(threadId: string): void {
    this.asked.delete(threadId);
  }

  /** Learn from a message the bot itself posted (raw component JSON): a question with our buttons. */
  learn(threadId: string, components: unknown[]): void {
    const asked = askedFromComponents(components);
    if (asked) this.remember(threadId, asked);
  }

  /** The survey this customer was asked in this thread, if any. */
  async surveyFor(threadId: string, customerId: string): Promise<AskedInThread | null> {
    const known = this.asked.get(threadId);
    if (known) return known.customerId === customerId ? known : null;
    if (this.looked.has(threadId)) return null;
    this.looked.add(threadId);
    trimSet(this.looked);
    const me = this.botId();
    const messages = await this.rest.recentMessages(threadId, LOOKBACK_MESSAGES);
    for (const m of messages) {
      if (m.author.id !== me) continue;
      const asked = askedFromComponents(m.components);
      if (asked) {
        this.remember(threadId, asked);
        return asked.customerId === customerId ? asked : null;
      }
    }
    return null;
  }
}

function askedFromComponents(rows: unknown[]): AskedInThread | null {
  for (const row of rows) {
    const buttons = typeof row === 'object' && row !== null && Array.isArray((row as { components?: unknown }).components)
      ? (row as { components: unknown[] }).components
      : [];
    for (const button of buttons) {
      const id = typeof button === 'object' && button !== null ? (button as { custom_id?: unknown }).custom_id : undefined;
      const choice = parseButtonCustomId(id);
      if (choice) return { customerId: choice.customerId, surveyId: choice.surveyId };
    }
  }
  return null;
}

function trim<K, V>(map: Map<K, V>): void {
  while (map.size > MAX_THREADS) map.delete(map.keys().next().value as K);
}

function trimSet<K>(set: Set<K>): void {
  while (set.size > MAX_THREADS) set.delete(set.values().next().value as K);
}
