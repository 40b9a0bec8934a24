/**
 * The one-pass-at-a-time loop (src/single-flight-loop.ts): no second pass while one runs,
 * requests during a pass folded into one more (or joined), stop() waits for the running pass
 * and leaves no timer and no later pass, a throwing pass is reported and the loop goes on,
 * a failed pass retried after a growing wait. A pure timer module: time is vitest's fake clock;
 * passes are held open by gates the test opens.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { SingleFlightLoop, type SingleFlightLoopOptions } from '../src/single-flight-loop.ts';

const INTERVAL = 1_000;

/** A promise the test resolves. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => { open = resolve; });
  return { promise, open };
}

/**
 * A pass that counts starts and how many run at once; each waits for its own gate
 * (`gates[n]` for the n-th pass) unless `held` is false.
 */
function passes(held = true) {
  const seen = { started: 0, ended: 0, running: 0, most: 0, errors: [] as unknown[], signals: [] as AbortSignal[] };
  const gates: Array<ReturnType<typeof gate>> = [];
  const pass = async (stopping: AbortSignal): Promise<void> => {
    const g = gate();
    gates.push(g);
    seen.signals.push(stopping);
    seen.started++;
    seen.running++;
    seen.most = Math.max(seen.most, seen.running);
    try {
      if (held) await g.promise;
    } finally {
      seen.running--;
      seen.ended++;
    }
  };
  return { seen, gates, pass, onError: (err: unknown) => { seen.errors.push(err); } };
}

/** Lets promise callbacks run (the fake clock does not move). */
const settle = async (): Promise<void> => { await vi.advanceTimersByTimeAsync(0); };

/** Whether a promise has settled by now. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => { done = true; }, () => { done = true; });
  await settle();
  return done;
}

let loops: SingleFlightLoop[] = [];
function loop(options: SingleFlightLoopOptions): SingleFlightLoop {
  const l = new SingleFlightLoop(options);
  loops.push(l);
  return l;
}

/** A loop of held passes on a timer, started: its first pass is running. */
async function startedLoop() {
  const held = passes();
  const l = loop({ pass: held.pass, onError: held.onError, intervalMs: INTERVAL });
  void l.start();
  await settle();
  return { ...held, l };
}

beforeEach(() => { vi.useFakeTimers(); });
afterEach(async () => {
  const open = loops;
  loops = [];
  vi.useRealTimers();
  await Promise.race([Promise.all(open.map((l) => l.stop())), new Promise((r) => setTimeout(r, 1_000))]);
});

describe('one pass at a time', () => {
  test('requests and ticks during a pass start no second pass; they fold into one more pass after it', async () => {
    const { seen, gates, l } = await startedLoop();
    expect(seen.started).toBe(1);

    const asked = [l.request(), l.request()];
    await vi.advanceTimersByTimeAsync(5 * INTERVAL); // five ticks while the first pass runs
    asked.push(l.request());
    expect(seen.started).toBe(1);
    expect(await settled(Promise.race(asked))).toBe(false);

    gates[0]!.open();
    await settle();
    expect(seen.started).toBe(2); // one more pass for all of them
    expect(seen.most).toBe(1);
    expect(await settled(Promise.race(asked))).toBe(false); // they wait for the pass that began after them

    gates[1]!.open();
    await Promise.all(asked);
    expect(seen).toMatchObject({ started: 2, ended: 2, most: 1 });
  });

  test("with 'join', a request during a pass shares it and asks for no other", async () => {
    const { seen, gates, pass, onError } = passes();
    const l = loop({ pass, onError, whileRunning: 'join' });
    const first = l.request();
    await settle();
    const joined = l.request();
    await settle();
    expect(seen.started).toBe(1);
    gates[0]!.open();
    await Promise.all([first, joined]);
    await settle();
    expect(seen).toMatchObject({ started: 1, ended: 1, most: 1 });
  });

  test('a request made from inside a pass, before its first wait, runs after it and not beside it', async () => {
    const { seen, onError } = passes();
    let l!: SingleFlightLoop;
    let inner: Promise<void> | undefined;
    const pass = async (): Promise<void> => {
      seen.started++;
      seen.running++;
      seen.most = Math.max(seen.most, seen.running);
      if (seen.started === 1) inner = l.request();
      await Promise.resolve();
      seen.running--;
    };
    l = loop({ pass, onError });
    await l.request();
    await inner;
    expect(seen).toMatchObject({ started: 2, most: 1 });
  });
});

describe('start', () => {
  test('runs a pass at once, then one every interval', async () => {
    const { seen, pass, onError } = passes(false);
    const l = loop({ pass, onError, intervalMs: INTERVAL });
    l.start();
    await settle();
    expect(seen.started).toBe(1);
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(seen.started).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.started).toBe(2);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(seen.started).toBe(5);
  });

  test("with firstPass 'first-tick', runs no pass until the first tick (and resolves at once)", async () => {
    const { seen, pass, onError } = passes(false);
    const l = loop({ pass, onError, intervalMs: INTERVAL, firstPass: 'first-tick' });
    expect(await settled(l.start())).toBe(true);
    expect(seen.started).toBe(0);
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(seen.started).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.started).toBe(1);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(seen.started).toBe(3);
  });

  test('resolves when the first pass has ended', async () => {
    const { seen, gates, pass, onError } = passes();
    const l = loop({ pass, onError, intervalMs: INTERVAL });
    const first = l.start();
    expect(await settled(first)).toBe(false);
    gates[0]!.open();
    await first;
    expect(seen).toMatchObject({ started: 1, ended: 1 });
  });
});

describe('stop', () => {
  test('waits for the running pass, aborts its signal, and no pass starts after it', async () => {
    const { seen, gates, l } = await startedLoop();
    const asked = l.request(); // would be one more pass
    const stopped = l.stop();
    expect(await settled(stopped)).toBe(false);
    expect(seen.signals[0]!.aborted).toBe(true);
    expect(seen.running).toBe(1);

    gates[0]!.open();
    await stopped;
    await asked;
    expect(seen.running).toBe(0);
    expect(vi.getTimerCount()).toBe(0); // no timer left

    await l.request();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(seen).toMatchObject({ started: 1, ended: 1 });
  });

  test('a request just before stop() starts no pass', async () => {
    const { seen, pass, onError } = passes(false);
    const l = loop({ pass, onError });
    const asked = l.request();
    await l.stop();
    await asked;
    expect(seen.started).toBe(0);
  });

  test('start() after stop() runs the loop again', async () => {
    const { seen, pass, onError } = passes(false);
    const l = loop({ pass, onError, intervalMs: INTERVAL });
    l.start();
    await settle();
    await l.stop();
    l.start();
    await settle();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(seen.started).toBe(3);
  });
});

/** Passes of which the first `failures` throw; what onError was given. */
function failing(failures: number) {
  const seen = { started: 0, errors: [] as unknown[] };
  return {
    seen,
    pass: async (): Promise<void> => {
      seen.started++;
      if (seen.started <= failures) throw new Error(`failure ${seen.started}`);
    },
    onError: (err: unknown) => { seen.errors.push(err); },
  };
}

describe('a pass that throws', () => {
  test('is handed to onError, and the next tick runs a pass', async () => {
    const { seen, pass, onError } = failing(1);
    const l = loop({ pass, onError, intervalMs: INTERVAL });
    void l.start();
    await settle();
    expect(seen.errors.map((e) => (e as Error).message)).toEqual(['failure 1']);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(seen).toMatchObject({ started: 2, errors: [expect.any(Error)] });
  });

  test('a request waiting on it resolves (it never rejects), and the next request runs a pass', async () => {
    const { seen, pass, onError } = failing(Infinity);
    const l = loop({ pass, onError });
    await expect(l.request()).resolves.toBeUndefined();
    await expect(l.request()).resolves.toBeUndefined();
    expect(seen.started).toBe(2);
    expect(seen.errors).toHaveLength(2);
  });

  test('with retry, is run again after a growing wait until it completes', async () => {
    const { seen, pass, onError } = failing(3);
    const l = loop({ pass, onError, retry: { firstMs: 100, maxMs: 150 } });
    const asked = l.request();
    await settle();
    expect(seen.started).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(seen.started).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.started).toBe(2); // after 100 ms
    await vi.advanceTimersByTimeAsync(149);
    expect(seen.started).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.started).toBe(3); // after 150 ms (200, bounded)
    await vi.advanceTimersByTimeAsync(150);
    expect(seen.started).toBe(4);
    await asked;
    expect(seen.errors).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen.started).toBe(4); // done: no more tries
  });

  test('with retry, stop() ends the wait at once', async () => {
    const { seen, pass, onError } = failing(Infinity);
    const l = loop({ pass, onError, retry: { firstMs: 60_000, maxMs: 60_000 } });
    const asked = l.request();
    await settle();
    await l.stop(); // no clock moved: the wait was cut short
    await asked;
    expect(seen.started).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
