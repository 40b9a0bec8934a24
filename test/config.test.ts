/** Start-up settings: defaults for a first run, and one clear line naming a bad variable. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { ConfigError } from '../src/env-readers.ts';

test('defaults make sense for a first run', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.defaultLocale, 'en');
  assert.equal(c.fatigueMs, 30 * 86_400_000);
  assert.equal(c.askDelayMs, 0);
  assert.equal(c.expireMs, 72 * 3_600_000);
  assert.equal(c.maxReprompts, 1);
  assert.equal(c.mongodbUri, undefined);
  assert.equal(c.webhook, undefined);
  assert.equal(c.reminderAfterMs, undefined, 'no reminder unless set');
  assert.equal(c.surveyEvents, undefined, 'no events unless set');
  const on = loadConfig({ REMINDER_AFTER_HOURS: '4', SURVEY_EVENTS_URL: 'https://crm.example/nps', SURVEY_EVENTS_SECRET: 's'.repeat(32) });
  assert.equal(on.reminderAfterMs, 4 * 3_600_000);
  assert.deepEqual(on.surveyEvents, { url: 'https://crm.example/nps', secret: 's'.repeat(32) });
});

test('a bad value names the variable and what is wrong', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'abc' }, /^PORT: expected a whole number/],
    [{ PORT: '70000' }, /^PORT: must be at most 65535/],
    [{ FATIGUE_DAYS: '-1' }, /^FATIGUE_DAYS: must not be negative/],
    [{ DEFAULT_LOCALE: 'it' }, /^DEFAULT_LOCALE: /],
    [{ MONGODB_URI: 'http://x' }, /^MONGODB_URI: expected a mongodb:\/\//],
    [{ API_TOKEN: 'short' }, /^API_TOKEN: must be at least 32 characters \(got "\[hidden\]"\)/],
    [{ WEBHOOK_OUTBOUND_URL: 'ftp://x' }, /^WEBHOOK_OUTBOUND_URL: /],
    [{ WEBHOOK_OUTBOUND_URL: 'http://127.0.0.1:9/x' }, /^WEBHOOK_SECRET: required/],
    [{ EXPIRE_HOURS: '0' }, /^EXPIRE_HOURS: must be at least 1/],
    [{ REMINDER_AFTER_HOURS: '0' }, /^REMINDER_AFTER_HOURS: must be at least 1/],
    [{ REMINDER_AFTER_HOURS: '4.5' }, /^REMINDER_AFTER_HOURS: expected a whole number/],
    [{ REMINDER_AFTER_HOURS: '72' }, /^REMINDER_AFTER_HOURS: must be shorter than EXPIRE_HOURS \(72\)/],
    [{ SURVEY_EVENTS_URL: 'ftp://x' }, /^SURVEY_EVENTS_URL: /],
    [{ SURVEY_EVENTS_URL: 'http://127.0.0.1:9/e' }, /^SURVEY_EVENTS_SECRET: required/],
    [{ SURVEY_EVENTS_URL: 'http://127.0.0.1:9/e', SURVEY_EVENTS_SECRET: 'short' }, /^SURVEY_EVENTS_SECRET: must be at least 32 characters/],
  ];
  for (const [env, pattern] of cases) {
    assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && pattern.test(err.message), JSON.stringify(env));
  }
});

test('a secret never appears in the error', () => {
  try {
    loadConfig({ API_TOKEN: 'tooshort1' });
    assert.fail('should throw');
  } catch (err) {
    assert.doesNotMatch((err as Error).message, /tooshort1/);
  }
});

test('the config file overrides templates and adds staff; a bad file is refused clearly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nps-config-'));
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify({ templates: { en: { thanks: 'Cheers!' } }, staffIds: ['U1'] }));
  const c = loadConfig({ CONFIG_FILE: good, STAFF_IDS: 'U0' });
  assert.equal(c.templates.en?.thanks, 'Cheers!');
  assert.deepEqual(c.staffIds, ['U0', 'U1']);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ templates: { en: { question: 42 } } }));
  assert.throws(() => loadConfig({ CONFIG_FILE: bad }), /^ConfigError: CONFIG_FILE: templates\.en\.question/);
  writeFileSync(bad, '{oops');
  assert.throws(() => loadConfig({ CONFIG_FILE: bad }), /not valid JSON/);
  assert.throws(() => loadConfig({ CONFIG_FILE: join(dir, 'missing.json') }), /CONFIG_FILE: cannot read/);
});

test('`nps-bot start` with a bad setting stops with one line naming it', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    env: { ...process.env, PORT: 'lots', MONGODB_URI: '' }, encoding: 'utf8', timeout: 30_000,
  });
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), 'nps-bot: PORT: expected a whole number (got "lots")');
});
