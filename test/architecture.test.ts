/**
 * The seams of src/, checked on the real import graph against the dependency table of
 * docs/architecture.md: no import cycles; every file in a row of the table; each row
 * names exactly what its files import; nothing imports what a row forbids (adapters
 * never touch the database, the conversation knows no platform, reports know channels
 * only by their types). The rules are also run on made-up edges, so each can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { cyclesIn, importSpecifiers, madgeGraph, readImportGraph, type ImportEdge, type MadgeGraph } from './helpers/import-graph.ts';
import { parseArchitectureTable, partOf, readArchitectureTable, type TableRow } from './helpers/architecture-table.ts';

const SRC = 'src';
const TSCONFIG = 'tsconfig.json';

/**
 * The rules are the table of docs/architecture.md, read as it stands (helpers/architecture-table.ts):
 * each row's **Never** names what its parts must not import. Two rules live only here, being
 * about files, not parts: the survey document's single owner, and the reports' faces.
 */
const TABLE = readArchitectureTable();
const PARTS = TABLE.flatMap((row) => row.parts);
/** config.ts composes the reports' settings schemas from their leaf files (a face would load the whole reports module into it). */
const SETTINGS_SCHEMA_IMPORTERS = new Set(['config.ts']);

interface Rule {
  why: string;
  applies: (from: string) => boolean;
  forbids: (to: string) => boolean;
}

/** A local import's part ("storage/surveys/x.ts" → "storage/"), a package as itself. */
const target = (to: string): string => (to.endsWith('.ts') ? partOf(to, PARTS) ?? to : to);

const RULES: Rule[] = [
  ...TABLE.flatMap((row) => row.never.map((never): Rule => ({
    why: `docs/architecture.md: ${row.parts.join(', ')} never import ${never}`,
    applies: (from) => row.parts.includes(partOf(from, PARTS) ?? ''),
    forbids: (to) => target(to) === never,
  }))),
  {
    why: 'the survey document has one owner: only its repository folder imports the model, the rest use its index',
    applies: (from) => !from.startsWith('storage/surveys/'),
    forbids: (to) => to.startsWith('storage/surveys/') && to !== 'storage/surveys/index.ts',
  },
  {
    why: 'the reports are reached through their faces: reports/index.ts or a sub-folder\'s index.ts',
    applies: (from) => !from.startsWith('reports/') && !SETTINGS_SCHEMA_IMPORTERS.has(from),
    forbids: (to) => to.startsWith('reports/') && !/^reports\/([a-z-]+\/)?index\.ts$/.test(to),
  },
];

/** One line per edge that breaks a rule: "from → to (why)". */
function violations(edges: ImportEdge[]): string[] {
  return edges.flatMap(({ from, to }) => RULES.filter((r) => r.applies(from) && r.forbids(to)).map((r) => `${from} → ${to} (${r.why})`));
}

/**
 * Where a row and the code differ: a part of src/ imported that the row does not name, a
 * part it names that nothing imports, a package it names that is not imported.
 */
function tableDrift(edges: ImportEdge[], table: TableRow[]): string[] {
  const parts = table.flatMap((row) => row.parts);
  return table.flatMap((row) => {
    const mine = edges.filter((e) => row.parts.includes(partOf(e.from, parts) ?? ''));
    const used = new Set(mine.filter((e) => e.to.endsWith('.ts')).map((e) => partOf(e.to, parts) ?? e.to).filter((p) => !row.parts.includes(p)));
    const packages = new Set(mine.filter((e) => !e.to.endsWith('.ts')).map((e) => e.to));
    const name = row.parts.join(', ');
    return [
      ...(row.imports === null ? [] : [
        ...[...used].filter((p) => !row.imports!.includes(p)).map((p) => `${name} imports ${p}, which its row does not name`),
        ...row.imports.filter((p) => !used.has(p)).map((p) => `${name}: its row names ${p}, which none of its files imports`),
      ]),
      ...row.packages.filter((p) => !packages.has(p)).map((p) => `${name}: its row names the package ${p}, which none of its files imports`),
      ...[...(row.imports ?? []), ...row.never].filter((p) => (p.endsWith('/') || p.endsWith('.ts')) && !parts.includes(p))
        .map((p) => `${name}: its row names ${p}, which is no row of the table`),
    ];
  });
}

let srcGraph: Promise<MadgeGraph> | undefined;
/** madge reads src/ once for the tests that need it (a few seconds). */
function srcMadgeGraph(): Promise<MadgeGraph> {
  srcGraph ??= madgeGraph(SRC, TSCONFIG);
  return srcGraph;
}

describe('src/', () => {
  test('has the folders the seams are named for', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders).toEqual(expect.arrayContaining(['channels', 'conversation', 'reports', 'storage', 'http']));
  });

  test('has no import cycle', async () => {
    expect((await srcMadgeGraph()).circular()).toEqual([]);
  });

  test('every file belongs to a row of the table in docs/architecture.md', () => {
    const files = [...new Set(readImportGraph(SRC).map((e) => e.from))];
    expect(files.filter((f) => partOf(f, PARTS) === undefined)).toEqual([]);
  });

  test('each row of the table names exactly what its files import', () => {
    expect(TABLE.length).toBeGreaterThan(8); // the table was read
    expect(tableDrift(readImportGraph(SRC), TABLE)).toEqual([]);
  });

  test('imports break none of the layering rules', () => {
    const edges = readImportGraph(SRC);
    expect(edges.length).toBeGreaterThan(100); // the graph was read, not an empty folder
    expect(violations(edges)).toEqual([]);
  });

  test('the rules read the same local imports madge does', async () => {
    const ours: Record<string, string[]> = {};
    for (const { from, to } of readImportGraph(SRC)) {
      ours[from] ??= [];
      if (to.endsWith('.ts') && !ours[from].includes(to)) ours[from].push(to);
    }
    const theirs = (await srcMadgeGraph()).obj();
    // files that import nothing local are left out on both sides
    const sorted = (g: Record<string, string[]>): Record<string, string[]> =>
      Object.fromEntries(Object.keys(g).sort().filter((k) => g[k]?.length).map((k) => [k, [...(g[k] ?? [])].sort()]));
    expect(sorted(ours)).toEqual(sorted(theirs));
  });
});

/** Lines outside the survey repository that reach the surveys collection by name (a write past its owner). */
function surveyCollectionAccess(files: Array<{ path: string; text: string }>): string[] {
  const byName = /\.collection\(\s*['"`]surveys['"`]|\.model\(\s*['"`]Survey['"`]|models\.Survey\b/;
  return files.filter((f) => !f.path.startsWith('storage/surveys/'))
    .flatMap((f) => f.text.split('\n').map((line, i) => ({ line, i })).filter(({ line }) => byName.test(line)).map(({ i }) => `${f.path}:${i + 1}`));
}

describe('the survey document', () => {
  test('no file outside storage/surveys/ reaches the surveys collection by name', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('.ts'))
      .map((p) => ({ path: p.split('\\').join('/'), text: readFileSync(`${SRC}/${p}`, 'utf8') }));
    expect(files.length).toBeGreaterThan(100);
    expect(surveyCollectionAccess(files)).toEqual([]);
  });

  test('the check finds such a line', () => {
    expect(surveyCollectionAccess([
      { path: 'reports/x.ts', text: "const c = conn.collection('surveys');\nawait c.updateOne({}, {});" },
      { path: 'storage/surveys/survey-model.ts', text: "conn.model('Survey', schema)" },
      { path: 'forget.ts', text: 'conn.models.Survey' },
    ])).toEqual(['reports/x.ts:1', 'forget.ts:1']);
  });
});

describe('the layering rules', () => {
  test.each([
    ['channels/slack/slack-channel.ts', 'mongoose', true],
    ['channels/x/x-channel.ts', 'storage/surveys/survey-model.ts', true],
    ['channels/x/x-channel.ts', 'conversation/engine.ts', true],
    ['channels/x/x-channel.ts', 'conversation/channel-contract/channel.ts', false],
    ['conversation/channel-contract/channel.ts', 'conversation/engine.ts', true],
    ['channels/discord/discord-channel.ts', 'reports/reports-module.ts', true],
    ['channels/webhook-channel.ts', 'reports/dashboard/dashboard-routes.ts', true],
    ['channels/slack/slack-channel.ts', 'channels/held-delivery.ts', false],
    ['channels/slack/slack-channel.ts', '@slack/bolt', false],
    ['conversation/engine.ts', 'discord.js', true],
    ['conversation/engine.ts', '@slack/web-api', true],
    ['conversation/outbox.ts', 'express', true],
    ['conversation/engine.ts', 'channels/slack/slack-channel.ts', true],
    ['conversation/engine.ts', 'channels/registry.ts', true],
    ['conversation/outbox.ts', 'conversation/channel-contract/channel.ts', false],
    ['conversation/outbox.ts', 'channels/channel.ts', true],
    ['conversation/engine.ts', 'conversation/channel-contract/send-errors.ts', false],
    ['conversation/engine.ts', 'mongoose', false],
    ['reports/digest/weekly-digest.ts', 'channels/registry.ts', true],
    ['reports/digest/weekly-digest.ts', 'channels/send-errors.ts', true],
    ['reports/digest/weekly-digest.ts', 'conversation/channel-contract/channel.ts', false],
    ['http/server.ts', 'channels/slack/slack-receiver.ts', false],
    ['reports/rollups/rollup-store.ts', 'storage/surveys/survey-model.ts', true],
    ['conversation/engine.ts', 'storage/surveys/survey-repository.ts', true],
    ['forget.ts', 'storage/surveys/survey-model.ts', true],
    ['reports/rollups/rollup-store.ts', 'storage/surveys/index.ts', false],
    ['storage/surveys/survey-repository.ts', 'storage/surveys/survey-model.ts', false],
    ['commands/report.ts', 'reports/report-query.ts', true],
    ['commands/report.ts', 'reports/insights/insight-views.ts', true],
    ['commands/report.ts', 'reports/insights/index.ts', false],
    ['app.ts', 'reports/index.ts', false],
    ['reports/digest/weekly-digest.ts', 'reports/insights/agent-report.ts', false],
    ['config.ts', 'reports/report-config.ts', false],
    ['storage/migrations/001-followup-due-times.ts', 'reports/followups/index.ts', true],
  ] as const)('%s → %s breaks a rule: %s', (from, to, broken) => {
    expect(violations([{ from, to }]).length > 0).toBe(broken);
  });

  test('the table is read as written: parts, imports, packages, Never; parentheses only explain', () => {
    const table = [
      '| folder or file | what lives there | imports |',
      '| --- | --- | --- |',
      '| `src/a/` | things (`x.ts`) | `b/` (for `c/`), `d.ts`, `zod`. **Never** `e/`, `mongoose` (the database). |',
      '| `src/d.ts`, `src/f.ts` (the ground) | helpers | nothing of src/; `pino`. |',
      '| `src/app.ts` | wiring | anything |',
    ].join('\n');
    expect(parseArchitectureTable(table)).toEqual([
      { parts: ['a/'], imports: ['b/', 'd.ts'], packages: ['zod'], never: ['e/', 'mongoose'] },
      { parts: ['d.ts', 'f.ts'], imports: [], packages: ['pino'], never: [] },
      { parts: ['app.ts'], imports: null, packages: [], never: [] },
    ]);
  });

  test('a row that misses an import, names one no file makes, or names a package not imported is drift', () => {
    const table: TableRow[] = [
      { parts: ['a/'], imports: ['b/'], packages: ['zod'], never: [] },
      { parts: ['b/'], imports: ['c.ts'], packages: [], never: [] },
      { parts: ['c.ts'], imports: [], packages: [], never: [] },
      { parts: ['app.ts'], imports: null, packages: [], never: [] },
    ];
    expect(tableDrift([
      { from: 'a/x.ts', to: 'b/y.ts' }, { from: 'a/x.ts', to: 'c.ts' }, { from: 'a/x.ts', to: 'a/z.ts' }, { from: 'a/x.ts', to: 'zod' },
      { from: 'app.ts', to: 'a/x.ts' },
    ], table)).toEqual([
      'a/ imports c.ts, which its row does not name',
      'b/: its row names c.ts, which none of its files imports',
    ]);
    expect(tableDrift([{ from: 'a/x.ts', to: 'b/y.ts' }, { from: 'b/y.ts', to: 'c.ts' }], table))
      .toEqual(['a/: its row names the package zod, which none of its files imports']);
    expect(tableDrift([], [{ parts: ['a/'], imports: null, packages: [], never: ['src/', 'mongoose'] }]))
      .toEqual(['a/: its row names src/, which is no row of the table']);
  });

  test('madge reports a cycle in a made-up graph and none in its acyclic twin', async () => {
    expect(await cyclesIn({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'], 'd.ts': ['a.ts'] })).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(await cyclesIn({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': [], 'd.ts': ['a.ts'] })).toEqual([]);
  });

  test('the reader finds every form of import', () => {
    const source = [
      "import mongoose, { type Connection } from 'mongoose';",
      "import type {\n  Notice,\n  Recipient,\n} from '../channels/channel.ts';",
      "import * as web from '@slack/web-api';",
      "export { toSendError } from './slack-errors.ts';",
      "export * from './x.ts';",
      "import './side-effect.ts';",
      "const lazy = await import('discord.js');",
      "const s = 'not an import';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual([
      'mongoose', '../channels/channel.ts', '@slack/web-api', './slack-errors.ts', './x.ts', './side-effect.ts', 'discord.js',
    ]);
  });
});

/** `file:line` of each direct `fetch(` in channels/ outside the one platform HTTP client (a library's `x.fetch(` is not one). */
function strayFetches(files: Array<{ path: string; text: string }>): string[] {
  const call = /(^|[^.\w])fetch\(/;
  return files.filter((f) => f.path.startsWith('channels/') && f.path !== 'channels/http-json-client.ts')
    .flatMap((f) => f.text.split('\n').map((line, i) => ({ line, i })).filter(({ line }) => call.test(line)).map(({ i }) => `${f.path}:${i + 1}`));
}

describe('platform HTTP', () => {
  test('adapters call fetch only through the one client (channels/http-json-client.ts)', () => {
    const files = readdirSync(`${SRC}/channels`, { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('.ts'))
      .map((p) => ({ path: `channels/${p.split('\\').join('/')}`, text: readFileSync(`${SRC}/channels/${p}`, 'utf8') }));
    expect(files.length).toBeGreaterThan(50);
    expect(strayFetches(files)).toEqual([]);
  });

  test('the check finds such a line', () => {
    expect(strayFetches([
      { path: 'channels/new/new-client.ts', text: 'const res = await fetch(url, { method: "POST" });' },
      { path: 'channels/discord/x.ts', text: 'await client.channels.fetch(id);' },
      { path: 'channels/http-json-client.ts', text: 'res = await fetch(o.baseUrl + call.path, {' },
    ])).toEqual(['channels/new/new-client.ts:1']);
  });
});
