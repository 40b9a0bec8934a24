/**
 * When a paced send's request actually reached the socket. The pacer hands a send to
 * its adapter within TOO_LATE_MS of its slot, but the adapter's HTTP client may write it
 * later still: a request that needs a new connection waits for it, and a process whose
 * event loop is busy (its first seconds: code still being compiled, the HTTP client
 * loaded by the first fetch; a loaded machine) writes it when it gets round to it. Such a
 * request reaches the platform beside the next slots' sends (measured with
 * bench/rate.bench.ts: written up to ~180 ms after the slot in a process's first half
 * second, and those windows drew the 429s).
 *
 * Node's HTTP client (undici: `fetch`, and the platform libraries built on it) reports
 * each request it writes on `diagnostics_channel`; a request created while a send is
 * watched belongs to that send. The first write of a send later than `lateMs` after its
 * slot calls `onLate` once (the outbox then gives up one more slot). Requests of clients
 * that do not report (Node's `http` module) are not seen.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';

export interface WriteWatch {
  /** The send's slot (epoch ms of `now`). */
  slotAt: number;
  lateMs: number;
  now: () => number;
  onLate: (lateByMs: number) => void;
  /** Set once the send's first request is written. */
  written?: boolean;
}

const watched = new AsyncLocalStorage<WriteWatch>();
const byRequest = new WeakMap<object, WriteWatch>();
let subscribed = false;

function subscribe(): void {
  if (subscribed) return;
  subscribed = true;
  diagnostics.subscribe('undici:request:create', (message) => {
    const watch = watched.getStore();
    const request = (message as { request?: object }).request;
    if (watch && request) byRequest.set(request, watch);
  });
  diagnostics.subscribe('undici:client:sendHeaders', (message) => {
    const request = (message as { request?: object }).request;
    const watch = request ? byRequest.get(request) : undefined;
    if (!watch || watch.written) return;
    watch.written = true;
    const late = watch.now() - watch.slotAt;
    if (late > watch.lateMs) watch.onLate(late);
  });
}

/** Run `job` (one send) with its requests' writes watched. */
export function watchWrites<T>(watch: WriteWatch, job: () => Promise<T>): Promise<T> {
  subscribe();
  return watched.run(watch, job);
}
