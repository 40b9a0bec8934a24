/**
 * At most `max` sends of one channel in flight in this process, the rest waiting in
 * arrival order. The outbox used Bottleneck for this alone (maxConcurrent, no other
 * setting); its scheduler handles each job over several event-loop turns, which capped a
 * process at ~290 jobs a second on the loaded benchmark machine (no-op jobs, 16 at a
 * time), below Meta's 300/s by itself. This is a counter and a queue.
 */
export class SendSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private stopped: Promise<void> | null = null;
  private idle: (() => void) | null = null;
  private closed = false;

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error('SendSlots: max must be at least 1');
  }

  /** Run `job` once fewer than `max` are running; refused once stopped. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the outbox has stopped');
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next in line
      else if (--this.running === 0) this.idle?.();
    }
  }

  /** Refuse new jobs; resolves once nothing is running or waiting (jobs already queued still run). */
  stop(): Promise<void> {
    this.closed = true;
    if (this.running === 0) return Promise.resolve();
    this.stopped ??= new Promise<void>((resolve) => { this.idle = resolve; });
    return this.stopped;
  }
}
