/**
 * What the channel remembers about a customer's Telegram Business chat, in the channel's
 * shared state (every bot process sees it), for 30 days: the customer's `language_code`
 * (for the question after the business types /resolve, whose update names only the
 * business) and when the customer last wrote. Telegram lets a business bot write only in
 * chats "that had incoming messages in the last 24 hours" (BusinessBotRights.can_reply):
 * a question for a chat quiet for longer would be refused, so it is skipped as a closed
 * window instead.
 */
import { z } from 'zod';
import type { ChannelStateStore } from '../../conversation/channel-contract/channel-state.ts';

export const BUSINESS_REPLY_WINDOW_MS = 24 * 3_600_000;
const KEEP_MS = 30 * 86_400_000;

const storedSchema = z.object({ lang: z.string().max(35).optional(), at: z.number().int().min(0) });
export type BusinessChatMemory = z.infer<typeof storedSchema>;

export class BusinessChats {
  constructor(private readonly state: ChannelStateStore, private readonly now: () => number = Date.now) {}

  /** The customer wrote in their business chat at `atMs`. */
  async customerWrote(userId: number, language: string | undefined, atMs: number): Promise<void> {
    const value: BusinessChatMemory = { at: atMs, ...(language && language.length <= 35 ? { lang: language } : {}) };
    await this.state.set(key(userId), JSON.stringify(value), { expiresAt: new Date(this.now() + KEEP_MS) });
  }

  async recall(userId: number | string): Promise<BusinessChatMemory | null> {
    const raw = await this.state.get(key(userId));
    if (!raw) return null;
    try {
      const parsed = storedSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** False only when we know the customer last wrote more than 24 hours ago. */
  async mayWrite(userId: number | string): Promise<boolean> {
    const seen = await this.recall(userId);
    return !seen || this.now() - seen.at <= BUSINESS_REPLY_WINDOW_MS;
  }
}

const key = (userId: number | string) => `business-chat:${userId}`;
