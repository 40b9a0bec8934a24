/**
 * Drives the engine over time: asks due surveys and expires old ones every interval,
 * and at once when `kick()`ed (a new resolution with no delay). Ticks never overlap.
 * The conditional claim in the survey repository, not this loop, is what keeps processes apart.
 */
import type { Logger } from '../logger.ts';
import type { SurveyEngine } from './engine.ts';

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly engine: SurveyEngine, private readonly intervalMs: number, private readonly logger: Logger) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Run a tick now (or right after the current one). Resolves when that tick is done. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.tick().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.kick();
      }
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    try {
      // Side by side: a follow-up a customer is waiting for does not queue behind a backlog of new questions.
      // Both finish before the tick does (ticks never overlap), whichever fails.
      const [asked, owed] = await Promise.allSettled([this.engine.askDue(), this.engine.sendOwed()]);
      if (asked.status === 'rejected') throw asked.reason;
      if (owed.status === 'rejected') throw owed.reason;
      await this.engine.sendReminders();
      await this.engine.expireDue();
    } catch (err) {
      this.logger.error({ err }, 'scheduler tick failed');
    }
  }
}
