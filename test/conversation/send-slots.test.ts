/** The bound on sends in flight per channel: never more than `max` at once, first come first served, stop waits and then refuses. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { SendSlots } from '../../src/conversation/send-slots.ts';

function gate(): { open(): void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => { open = resolve; });
  return { open, wait };
}

describe('send slots', () => {
  test('at most max jobs run at once; the others start in arrival order as slots free up', async () => {
    const slots = new SendSlots(2);
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const jobs = gates.map((g, i) => slots.run(async () => {
      started.push(i);
      most = Math.max(most, ++running);
      await g.wait;
      running--;
      return i;
    }));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1]);
    gates[1]!.open();
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    gates[4]!.open();
    assert.deepEqual(await Promise.all(jobs), [0, 1, 2, 3, 4]);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(most, 2);
  });

  test('a failing job frees its slot and its error reaches the caller', async () => {
    const slots = new SendSlots(1);
    await assert.rejects(slots.run(async () => { throw new Error('refused'); }), /refused/);
    assert.equal(await slots.run(async () => 'next'), 'next');
  });

  test('stop waits for running and queued jobs, then refuses new ones', async () => {
    const slots = new SendSlots(1);
    const g = gate();
    const done: string[] = [];
    const first = slots.run(async () => { await g.wait; done.push('first'); });
    const second = slots.run(async () => { done.push('second'); });
    const stopped = slots.stop();
    g.open();
    await stopped;
    await Promise.all([first, second]);
    assert.deepEqual(done, ['first', 'second']);
    await assert.rejects(slots.run(async () => 'late'), /stopped/);
  });
});
