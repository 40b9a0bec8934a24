/**
 * WhatsApp accepts a message with 200 and a `wamid` first and reports what became of it
 * later, on the webhook: `sent`/`delivered`/`read`, or `failed` with an error code —
 * which is how a closed 24-hour window (131047) usually shows. So after sending the
 * question the channel waits here, briefly, for the first status of that `wamid`.
 *
 * Only deliveries in flight are held, in memory, for at most the wait: nothing about a
 * customer or a window is kept. A status may arrive before the send's own answer (the
 * webhook can be faster than the response), so statuses nobody waits for yet are kept
 * for a minute. With several bot processes the status may land on another process,
 * which leaves a failure in the channel's shared state (see whatsapp-channel.ts).
 */

export interface DeliveryStatus { status: string; errors: Array<{ code: number; message: string }> }

interface Waiter { resolve(status: DeliveryStatus | null): void; timer: NodeJS.Timeout }

const EARLY_KEEP_MS = 60_000;
const MAX_EARLY = 10_000;

export class StatusWaiter {
  private readonly waiters = new Map<string, Waiter>();
  private readonly early = new Map<string, { status: DeliveryStatus; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The first status of `wamid`, or null after `timeoutMs`. */
  wait(wamid: string, timeoutMs: number): Promise<DeliveryStatus | null> {
    const seen = this.early.get(wamid);
    if (seen) {
      this.early.delete(wamid);
      return Promise.resolve(seen.status);
    }
    if (timeoutMs <= 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wamid);
        resolve(null);
      }, timeoutMs);
      this.waiters.set(wamid, { resolve, timer });
    });
  }

  /** A status from the webhook; true when somebody was waiting for it. */
  report(wamid: string, status: DeliveryStatus): boolean {
    const waiter = this.waiters.get(wamid);
    if (waiter) {
      this.waiters.delete(wamid);
      clearTimeout(waiter.timer);
      waiter.resolve(status);
      return true;
    }
    // Only the first status counts (a `failed` after `sent` is reported by the webhook too).
    if (!this.early.has(wamid)) {
      this.sweep();
      this.early.set(wamid, { status, at: this.now() });
    }
    return false;
  }

  /** Stop waiting for `wamid` (the waiter resolves null). */
  cancel(wamid: string): void {
    const waiter = this.waiters.get(wamid);
    if (!waiter) return;
    this.waiters.delete(wamid);
    clearTimeout(waiter.timer);
    waiter.resolve(null);
  }

  /** Release every waiter (they resolve null) and forget early statuses. */
  close(): void {
    for (const [wamid, w] of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(null);
      this.waiters.delete(wamid);
    }
    this.early.clear();
  }

  private sweep(): void {
    const cutoff = this.now() - EARLY_KEEP_MS;
    for (const [wamid, e] of this.early) {
      if (e.at >= cutoff && this.early.size < MAX_EARLY) break; // insertion order: the rest are newer
      this.early.delete(wamid);
    }
  }
}
