/**
 * Drives the engine over time: asks due surveys and expires old ones every interval,
 * and at once when `kick()`ed (a new resolution with no delay). Ticks never overlap: a kick
 * during a tick is folded into one more tick after it (single-flight-loop.ts).
 * The conditional claim in the survey repository, not this loop, is what keeps processes apart.
 */
import type { Logger } from '../logger.ts';
import { SingleFlightLoop } from '../single-flight-loop.ts';
import type { SurveyEngine } from './engine.ts';

export class Scheduler {
  private readonly loop: SingleFlightLoop;

  constructor(private readonly engine: SurveyEngine, intervalMs: number, logger: Logger) {
    this.loop = new SingleFlightLoop({
      pass: () => this.tick(),
      onError: (err) => logger.error({ err }, 'scheduler tick failed'),
      intervalMs,
    });
  }

  /** A tick now, then every interval. */
  start(): void {
    void this.loop.start();
  }

  /** Run a tick now (or right after the current one). Resolves when a tick begun after this call is done. */
  kick(): Promise<void> {
    return this.loop.request();
  }

  /** No more ticks; resolves when the running one is done. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async tick(): Promise<void> {
    await this.engine.askDue();
    await this.engine.sendOwed();
    await this.engine.sendReminders();
    await this.engine.expireDue();
  }
}
