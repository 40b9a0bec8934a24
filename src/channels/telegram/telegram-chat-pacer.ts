/**
 * Telegram's other limit: about one message a second in one chat (bursts get 429). The
 * outbox paces the whole channel (30/s); this spaces the messages to each chat, in
 * process. Only the time of the next free slot per chat is kept, for a bounded number
 * of chats.
 */

const MAX_CHATS = 10_000;

export class ChatPacer {
  private readonly next = new Map<string, number>();

  constructor(private readonly intervalMs: number, private readonly now: () => number = Date.now) {}

  /** Resolves when a message may go to `chat`, and books that slot. */
  async wait(chat: string): Promise<void> {
    const delay = this.book(chat);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /** Book the next slot of `chat`; how long until it comes (ms). */
  book(chat: string): number {
    if (this.intervalMs <= 0) return 0;
    const now = this.now();
    const at = Math.max(now, this.next.get(chat) ?? 0);
    this.next.delete(chat);
    this.next.set(chat, at + this.intervalMs);
    if (this.next.size > MAX_CHATS) this.sweep(now);
    return at - now;
  }

  private sweep(now: number): void {
    for (const [chat, at] of this.next) {
      if (at > now && this.next.size <= MAX_CHATS) break;
      this.next.delete(chat);
    }
  }
}
