/** The shared start-up retry: what passes is tried again with growing, jittered waits; a refusal or a stop ends it. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/env-readers.ts';
import { retryStartUp, startUpDelayMs, StartUpRefusedError, StartUpStoppedError, type StartUpFailure } from '../../src/channels/start-up-retry.ts';
import { recordingLogger, WARN } from '../helpers/log-lines.ts';

const passes: StartUpFailure = { kind: 'transient', reason: 'HTTP 502' };
const FAST = { firstDelayMs: 5, maxDelayMs: 20 };

describe('retryStartUp', () => {
  test('a failure that passes is tried again, with a warn per try, until it works', async () => {
    const log = recordingLogger();
    let calls = 0;
    const value = await retryStartUp(async () => {
      if (++calls < 4) throw new Error('502');
      return 'up';
    }, { what: 'x: connecting', classify: () => passes, logger: log.logger, backoff: FAST });
    assert.equal(value, 'up');
    assert.equal(calls, 4);
    assert.deepEqual(log.lines.filter((l) => l.level === WARN).map((l) => [l.msg, l.attempt, l.reason]), [
      ['x: connecting failed; trying again', 1, 'HTTP 502'],
      ['x: connecting failed; trying again', 2, 'HTTP 502'],
      ['x: connecting failed; trying again', 3, 'HTTP 502'],
    ]);
  });

  test('a refusal ends it at once, as a ConfigError (one line at the CLI) with the cause kept', async () => {
    const log = recordingLogger();
    let calls = 0;
    const cause = new Error('401');
    await assert.rejects(retryStartUp(async () => { calls++; throw cause; }, {
      what: 'x', classify: () => ({ kind: 'refused', message: 'X_TOKEN: refused' }), logger: log.logger, backoff: FAST,
    }), (err: Error) => err instanceof StartUpRefusedError && err instanceof ConfigError && err.message === 'X_TOKEN: refused' && err.cause === cause);
    assert.equal(calls, 1);
    assert.equal(log.lines.length, 0);
  });

  test('stopping while it waits ends the wait at once', async () => {
    const log = recordingLogger();
    const stop = new AbortController();
    let calls = 0;
    const running = retryStartUp(async () => { calls++; throw new Error('502'); }, {
      what: 'x', classify: () => passes, logger: log.logger, backoff: { firstDelayMs: 3_600_000, maxDelayMs: 3_600_000 }, signal: stop.signal,
      onRetry: () => stop.abort(),
    });
    await assert.rejects(running, StartUpStoppedError);
    assert.equal(calls, 1);
  });

  test('the waits double up to the cap, ±25 %, and are never shorter than a Retry-After', () => {
    const backoff = { firstDelayMs: 1000, maxDelayMs: 60_000 };
    for (let i = 0; i < 200; i++) {
      const first = startUpDelayMs(1, backoff);
      assert.ok(first >= 750 && first <= 1250, String(first));
      const third = startUpDelayMs(3, backoff);
      assert.ok(third >= 3000 && third <= 5000, String(third));
      const late = startUpDelayMs(40, backoff);
      assert.ok(late >= 45_000 && late <= 75_000, String(late));
      assert.ok(startUpDelayMs(1, backoff, 30_000) >= 30_000);
    }
  });
});
