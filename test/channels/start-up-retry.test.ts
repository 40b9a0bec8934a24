/**
 * The shared start-up retry: what passes is tried again with growing, jittered waits; a refusal or a stop ends it.
 * BackgroundStartUp: the first try in the foreground, the rest in the background once one failed in a way that passes.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/env-readers.ts';
import { retryStartUp, startUpDelayMs, StartUpRefusedError, StartUpStoppedError, type StartUpFailure } from '../../src/channels/start-up-retry.ts';
import { BackgroundStartUp } from '../../src/channels/background-start-up.ts';
import { TransientSendError } from '../../src/conversation/channel-contract/send-errors.ts';
import { eventually } from '../helpers/app.ts';
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

describe('BackgroundStartUp', () => {
  const ERROR = 50;

  test('the first try in the foreground: a refusal rejects start-up, nothing goes on', async () => {
    const log = recordingLogger();
    const startUp = new BackgroundStartUp({ channel: 'x', logger: log.logger, backoff: FAST });
    let calls = 0;
    await assert.rejects(startUp.run((tries) => retryStartUp(async () => { calls++; throw new Error('401'); }, {
      what: 'x: connecting', classify: () => ({ kind: 'refused', message: 'X_TOKEN: refused' }), logger: log.logger, ...tries,
    })), StartUpRefusedError);
    assert.equal(calls, 1);
    assert.equal(startUp.connection, 'off');
  });

  test('after a failure that passes, run() resolves at once and the tries go on; sends are told to come back about when the next try is due', async () => {
    const log = recordingLogger();
    const startUp = new BackgroundStartUp({ channel: 'x', logger: log.logger, backoff: { firstDelayMs: 60_000, maxDelayMs: 60_000 } });
    let release: () => void = () => undefined;
    const up = new Promise<void>((r) => { release = r; });
    let calls = 0;
    await startUp.run((tries) => retryStartUp(async () => {
      if (++calls === 1) throw new Error('502');
      await up;
    }, { what: 'x: connecting', classify: () => passes, logger: log.logger, ...tries, backoff: { firstDelayMs: 1, maxDelayMs: 1 } }));
    assert.equal(startUp.connection, 'connecting');
    const waiting = startUp.notConnected();
    assert.ok(waiting instanceof TransientSendError && waiting.retryAfterMs! >= 1, 'a retry-after, so the engine does not count a failed attempt');
    release();
    await eventually(async () => startUp.connected, 5_000, 'connected in the background');
    assert.ok(log.lines.some((l) => l.msg === 'x: connected (in the background)'));
    await startUp.stop();
    assert.equal(startUp.connected, false, 'stopped is not connected');
  });

  test('a refusal after start-up went on is logged as an error, never thrown', async () => {
    const log = recordingLogger();
    const startUp = new BackgroundStartUp({ channel: 'x', logger: log.logger, backoff: FAST });
    let calls = 0;
    await startUp.run((tries) => retryStartUp(async () => { calls++; throw new Error(calls === 1 ? '502' : '401'); }, {
      what: 'x: connecting', classify: () => (calls === 1 ? passes : { kind: 'refused', message: 'X_TOKEN: refused' }), logger: log.logger, ...tries,
    }));
    await eventually(async () => startUp.connection === 'off', 5_000, 'the channel off');
    assert.ok(log.lines.some((l) => l.level === ERROR && l.msg === 'x channel off: fix the setting and restart the bot' && l.err === 'X_TOKEN: refused'));
  });
});
