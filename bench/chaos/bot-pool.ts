/**
 * The bot processes of the run as the platforms see them: a load balancer's view of
 * which processes answer, so a delivery goes to a live one.
 */
import type { BotSlot } from './processes.ts';
import { sleep } from './processes.ts';

/** The manager token the run's deliveries use (at least 32 characters). */
export const API_TOKEN = 'chaos-api-token-0123456789abcdefghijklmnop';

export class BotPool {
  constructor(readonly slots: BotSlot[], private readonly rng: () => number) {}

  /** A ready process, chosen at random; waits up to `waitMs` for one. */
  async pickReady(waitMs: number): Promise<BotSlot | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const ready = this.slots.filter((s) => s.ready);
      if (ready.length > 0) return ready[Math.floor(this.rng() * ready.length)]!;
      if (Date.now() > deadline) return null;
      await sleep(100);
    }
  }
}
