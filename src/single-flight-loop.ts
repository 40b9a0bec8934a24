/**
 * Work done in passes, one pass at a time: on request, and every `intervalMs` once started.
 * A request while a pass runs never starts a second one: by default it is folded into one
 * more pass after it (what the request wanted to see may have come after the running pass
 * looked); with `whileRunning: 'join'` it shares the running pass. A pass that throws is
 * handed to `onError` and the loop goes on (with `retry`, the same pass is run again after
 * a growing wait until it completes). `stop()` ends the timer, refuses new passes, aborts the
 * signal passes get (a long pass may end early) and resolves when the running pass has ended.
 * Timers never hold the process open.
 */
export interface SingleFlightLoopOptions {
  /** One pass; `stopping` is aborted by stop(). */
  pass: (stopping: AbortSignal) => Promise<unknown>;
  /** A pass threw (the loop goes on). */
  onError: (err: unknown) => void;
  /** A request while a pass runs: one more pass after it ('again', the default), or the running pass ('join'). */
  whileRunning?: 'again' | 'join';
  /** With start(): a pass every this many milliseconds. */
  intervalMs?: number;
  /** With start(): the first pass at once ('start', the default) or at the first tick ('first-tick'). */
  firstPass?: 'start' | 'first-tick';
  /** Run a pass that threw again after `firstMs`, doubling up to `maxMs`, until it completes (or stop()). */
  retry?: { firstMs: number; maxMs: number };
}

export class SingleFlightLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopping = new AbortController();

  constructor(private readonly options: SingleFlightLoopOptions) {}

  /**
   * A pass now (with `firstPass: 'first-tick'`, none), then every `intervalMs` (if set);
   * resolves when that first pass has ended (at once without one). After stop(), starts the loop again.
   */
  start(): Promise<void> {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    if (this.options.intervalMs !== undefined && !this.timer) {
      this.timer = setInterval(() => void this.request(), this.options.intervalMs);
      this.timer.unref();
    }
    return this.options.firstPass === 'first-tick' ? Promise.resolve() : this.request();
  }

  /**
   * Ask for a pass. Resolves when a pass that began after this call has ended (with 'join',
   * the running one), at once after stop(). Never rejects: a failure goes to `onError`.
   */
  request(): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    if (this.running) {
      if (this.options.whileRunning !== 'join') this.again = true;
      return this.running;
    }
    // The first pass starts on the next microtask, once `running` is set: a request from
    // inside it (or a stop() right after this call) is seen.
    const stopping = this.stopping.signal;
    this.running = Promise.resolve().then(() => this.passes(stopping)).finally(() => { this.running = null; });
    return this.running;
  }

  /** No more passes; resolves when the running one has ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.idle();
  }

  /** Resolves once no pass is running or asked for. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Passes until none was asked for during the last one. */
  private async passes(stopping: AbortSignal): Promise<void> {
    do {
      this.again = false;
      await this.onePass(stopping);
    } while (this.again && !stopping.aborted);
  }

  /** One pass; with `retry`, tried again until it completes. */
  private async onePass(stopping: AbortSignal): Promise<void> {
    const retry = this.options.retry;
    let wait = retry?.firstMs ?? 0;
    while (!stopping.aborted) {
      try {
        await this.options.pass(stopping);
        return;
      } catch (err) {
        this.options.onError(err);
      }
      if (!retry) return;
      await pause(wait, stopping);
      wait = Math.min(wait * 2, retry.maxMs);
    }
  }
}

/** A wait that stop() cuts short. */
function pause(ms: number, stopping: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stopping.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    stopping.addEventListener('abort', done, { once: true });
  });
}
