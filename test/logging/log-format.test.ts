/** Logs are readable lines on a terminal and JSON elsewhere, unless LOG_FORMAT says which. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { logFormat } from '../../src/logger.ts';

test('LOG_FORMAT decides; unset, a terminal gets pretty lines and a pipe JSON', () => {
  assert.equal(logFormat({}, true), 'pretty');
  assert.equal(logFormat({}, false), 'json');
  assert.equal(logFormat({ LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(logFormat({ LOG_FORMAT: 'pretty' }, false), 'pretty');
  assert.equal(logFormat({ LOG_FORMAT: 'nonsense' }, false), 'json');
});

test('a pretty line is one line, with secrets still redacted', () => {
  const script = "import('./src/logger.ts').then(({ createLogger }) => createLogger('info', 'pretty').warn({ channel: 'slack', token: 'xoxb-secret' }, 'send failed'))";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  assert.match(lines[0]!, /WARN.*send failed.*"channel":"slack"/);
  assert.doesNotMatch(r.stdout, /xoxb-secret/);
  assert.match(r.stdout, /\[redacted\]/);
});
