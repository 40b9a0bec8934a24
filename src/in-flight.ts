/**
 * Work a shutdown waits for: every engine call the channels and the HTTP API make, and
 * the questions asked right after a resolution. Once closing, new work is refused with
 * ShuttingDownError (HTTP answers 503; platforms redeliver), and `drain` waits for what
 * is running, up to a deadline, so an orchestrator's grace period is never overrun.
 */
export class ShuttingDownError extends Error {
  override readonly name = 'ShuttingDownError';
  constructor() { super('the bot is shutting down; try again shortly'); }
}

export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private closing = false;

  /** Run `work` unless closing; the shutdown waits for it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new ShuttingDownError());
    const p = work();
    this.running.add(p);
    const forget = () => { this.running.delete(p); };
    p.then(forget, forget);
    return p;
  }

  get size(): number {
    return this.running.size;
  }

  /** Refuse new work, then wait for running work to settle or `deadlineMs` to pass. True if all settled. */
  async drain(deadlineMs: number): Promise<boolean> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), deadlineMs); });
    try {
      for (;;) {
        if (this.running.size === 0) return true;
        const settled = Promise.allSettled([...this.running]).then(() => true as const);
        if (!(await Promise.race([settled, deadline]))) return false;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
