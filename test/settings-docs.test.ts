/**
 * The settings tables cannot drift from the code: every environment variable a settings
 * schema reads (config.ts `ENV_SCHEMAS`, composed from each part's own schema) is in its
 * part's table (the README's configuration table, or the `## Settings` table of the
 * part's page in docs/), and every variable those tables name is read by some schema.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ENV_SCHEMAS } from '../src/config.ts';

const ROOT = new URL('..', import.meta.url).pathname;

/** Where each part's settings are documented. */
const DOCS: Record<string, string[]> = {
  core: ['README.md'],
  metrics: ['README.md'],
  reports: ['docs/reports.md', 'README.md'],
  slack: ['docs/slack.md'],
  discord: ['docs/discord.md'],
  x: ['docs/x.md'],
  telegram: ['docs/telegram.md'],
  meta: ['docs/meta.md'],
  chatwoot: ['docs/chatwoot.md'],
  zendesk: ['docs/zendesk.md'],
  intercom: ['docs/intercom.md'],
  freshchat: ['docs/freshchat.md'],
};

/** The settings section of a page: the README's `## Configuration`, a docs page's `## Settings`. */
function settingsSection(file: string): string {
  const text = readFileSync(`${ROOT}${file}`, 'utf8');
  const heading = file === 'README.md' ? '## Configuration' : '## Settings';
  const start = text.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `${file} has no "${heading}" section`);
  const end = text.indexOf('\n## ', start + heading.length + 2);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The variables named in the first column of the section's tables (`A`, `B` in one cell counts both). */
function documented(file: string): Set<string> {
  const names = new Set<string>();
  for (const line of settingsSection(file).split('\n')) {
    const cell = line.match(/^\|([^|]*)\|/)?.[1];
    if (!cell) continue;
    for (const m of cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(m[1]!);
  }
  return names;
}

const read = (schemas: readonly { shape: object }[]): string[] => schemas.flatMap((s) => Object.keys(s.shape));

test('every part with settings has its documentation page', () => {
  assert.deepEqual(Object.keys(ENV_SCHEMAS).sort(), Object.keys(DOCS).sort());
});

test('every variable a schema reads is in its part\'s settings table', () => {
  const missing: string[] = [];
  for (const [part, schemas] of Object.entries(ENV_SCHEMAS)) {
    const tables = new Set((DOCS[part] ?? []).flatMap((file) => [...documented(file)]));
    for (const name of read(schemas)) if (!tables.has(name)) missing.push(`${name} (${part}: ${DOCS[part]?.join(' or ')})`);
  }
  assert.deepEqual(missing, []);
});

test('every variable a settings table names is read by a schema', () => {
  const readByCode = new Set(Object.values(ENV_SCHEMAS).flatMap(read));
  const unknown: string[] = [];
  for (const file of new Set(Object.values(DOCS).flat())) {
    for (const name of documented(file)) if (!readByCode.has(name)) unknown.push(`${name} (${file})`);
  }
  assert.deepEqual(unknown, []);
});
