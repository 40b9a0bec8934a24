/** Start-up steps wait for a database that does not answer, and only for that. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { untilDatabaseAnswers } from '../../src/storage/wait-for-database.ts';
import { recordingLogger } from '../helpers/log-lines.ts';

/** An error as the driver throws it when the server went away. */
function unavailable(): Error {
  const err = new Error('connect ECONNREFUSED 127.0.0.1:1');
  err.name = 'MongoNetworkError';
  return err;
}

describe('untilDatabaseAnswers', () => {
  test('tries again while the database does not answer, then returns the step\'s result', async () => {
    const { logger } = recordingLogger('info');
    let calls = 0;
    const result = await untilDatabaseAnswers('indexes', async () => {
      calls++;
      if (calls < 3) throw unavailable();
      return 'done';
    }, { logger, firstDelayMs: 5, maxDelayMs: 20 });
    assert.equal(result, 'done');
    assert.equal(calls, 3);
  });

  test('anything else fails at once', async () => {
    const { logger } = recordingLogger('info');
    let calls = 0;
    const refused = Object.assign(new Error('Authentication failed.'), { name: 'MongoServerError', code: 18 });
    await assert.rejects(untilDatabaseAnswers('connecting', async () => { calls++; throw refused; }, { logger, firstDelayMs: 5 }), /Authentication failed/);
    assert.equal(calls, 1);
  });

  test('with a bound, gives up with the last error once the next wait would pass it', async () => {
    const rec = recordingLogger('info');
    let calls = 0;
    await assert.rejects(
      untilDatabaseAnswers('connecting to MONGODB_URI', async () => { calls++; throw unavailable(); }, { logger: rec.logger, giveUpAfterMs: 60, firstDelayMs: 10, maxDelayMs: 10 }),
      /ECONNREFUSED/,
    );
    assert.ok(calls >= 2 && calls <= 8, `tried ${calls} times`);
    const warns = rec.lines.filter((l) => /the database does not answer; trying again/.test(l.msg));
    assert.equal(warns.length, calls - 1, 'one line per wait');
    assert.ok(warns.every((l) => l.err === 'MongoNetworkError' && !JSON.stringify(l).includes('127.0.0.1')));
  });
});
