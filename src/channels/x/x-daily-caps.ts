/**
 * X's daily DM caps (per app and per sending user, over 24 hours), kept with Bottleneck
 * reservoirs that refill once a day. A send takes one DM from every cap before it goes
 * out; when a cap is empty the send fails at once with a TransientSendError carrying
 * the time to the refill, instead of queueing for hours inside the outbox.
 */
import Bottleneck from 'bottleneck';
import { TransientSendError } from '../send-errors.ts';

export const DAY_MS = 86_400_000;

class DailyCap {
  private readonly limiter: Bottleneck;
  private readonly startedAt: number;

  constructor(readonly label: string, readonly perWindow: number, private readonly windowMs: number) {
    this.limiter = new Bottleneck({ reservoir: perWindow, reservoirRefreshAmount: perWindow, reservoirRefreshInterval: windowMs });
    this.startedAt = Date.now();
  }

  /** Take one DM; false when the cap is used up (nothing is taken then). */
  async take(): Promise<boolean> {
    const left = await this.limiter.incrementReservoir(-1);
    if (left !== null && left >= 0) return true;
    await this.limiter.incrementReservoir(1);
    return false;
  }

  /** Hand one back (the DM did not go out), never above the cap. */
  async giveBack(): Promise<void> {
    const current = await this.limiter.currentReservoir();
    if (current !== null && current < this.perWindow) await this.limiter.incrementReservoir(1);
  }

  /** Milliseconds until Bottleneck refills the reservoir (its refresh runs on a fixed interval). */
  msToRefill(): number {
    const elapsed = Date.now() - this.startedAt;
    return this.windowMs - (elapsed % this.windowMs);
  }

  async stop(): Promise<void> {
    await this.limiter.disconnect();
  }
}

export class DailyDmCaps {
  private readonly caps: DailyCap[];

  constructor(limits: { perApp: number; perUser: number }, windowMs = DAY_MS) {
    // One brand account per bot, so the user cap and the app cap count the same sends.
    this.caps = [new DailyCap('per app', limits.perApp, windowMs), new DailyCap('per user', limits.perUser, windowMs)];
  }

  /** Take one DM from every cap, or throw TransientSendError with the wait until the first refill. */
  async take(): Promise<void> {
    const taken: DailyCap[] = [];
    for (const cap of this.caps) {
      if (await cap.take()) {
        taken.push(cap);
        continue;
      }
      await Promise.all(taken.map((t) => t.giveBack()));
      throw new TransientSendError(`X daily DM limit reached (${cap.perWindow} ${cap.label} per 24 h)`, cap.msToRefill() + 1000);
    }
  }

  async giveBack(): Promise<void> {
    await Promise.all(this.caps.map((c) => c.giveBack()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.caps.map((c) => c.stop()));
  }
}
