/**
 * A wait that a stopping adapter can cut short. `keepAlive: false` (the default) lets the
 * process exit during the wait (a retry of a running adapter); start-up waits keep it
 * alive, since nothing else may hold the process open yet.
 */
export function sleep(ms: number, signal?: AbortSignal, opts: { keepAlive?: boolean } = {}): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    if (!opts.keepAlive) timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
