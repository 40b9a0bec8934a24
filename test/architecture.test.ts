/**
 * The seams of src/, checked on the real import graph: no import cycles, adapters
 * never touch the database, the conversation knows no platform, reports know channels
 * only by their types. The rules are also run on made-up edges, so each can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { cyclesIn, importSpecifiers, madgeGraph, readImportGraph, type ImportEdge, type MadgeGraph } from './helpers/import-graph.ts';

const SRC = 'src';
const TSCONFIG = 'tsconfig.json';

const PLATFORM_LIBRARIES = new Set(['@slack/bolt', '@slack/web-api', 'discord.js', 'twit', 'express']);
/** The contract adapters implement: the engine owns it (as bolt's core owns `Receiver`), so adapters point up at it. */
const CONTRACT = 'conversation/channel-contract/';
/** config.ts composes the reports' settings schemas from their leaf files (a face would load the whole reports module into it). */
const SETTINGS_SCHEMA_IMPORTERS = new Set(['config.ts']);

interface Rule {
  why: string;
  applies: (from: string) => boolean;
  forbids: (to: string) => boolean;
}

const RULES: Rule[] = [
  {
    why: 'adapters never touch the database or the reports',
    applies: (from) => from.startsWith('channels/'),
    forbids: (to) => to === 'mongoose' || to === 'mongodb' || to.startsWith('storage/') || to.startsWith('reports/'),
  },
  {
    why: 'adapters know the conversation only by its channel contract',
    applies: (from) => from.startsWith('channels/'),
    forbids: (to) => to.startsWith('conversation/') && !to.startsWith(CONTRACT),
  },
  {
    why: 'the conversation knows no platform and no adapter',
    applies: (from) => from.startsWith('conversation/') && !from.startsWith(CONTRACT),
    forbids: (to) => PLATFORM_LIBRARIES.has(to) || to.startsWith('channels/'),
  },
  {
    why: 'the channel contract is types and errors only: nothing of the engine, no adapter, no platform but the router type of the one HTTP port',
    applies: (from) => from.startsWith(CONTRACT),
    forbids: (to) => (to.startsWith('conversation/') && !to.startsWith(CONTRACT)) || to.startsWith('channels/') || (PLATFORM_LIBRARIES.has(to) && to !== 'express'),
  },
  {
    why: 'the survey document has one owner: only its repository folder imports the model, the rest use its index',
    applies: (from) => !from.startsWith('storage/surveys/'),
    forbids: (to) => to.startsWith('storage/surveys/') && to !== 'storage/surveys/index.ts',
  },
  {
    why: 'reports know no channel: notices go out through the contract\'s types and a post function app.ts hands in',
    applies: (from) => from.startsWith('reports/'),
    forbids: (to) => to.startsWith('channels/'),
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
  ] as const)('%s → %s breaks a rule: %s', (from, to, broken) => {
    expect(violations([{ from, to }]).length > 0).toBe(broken);
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
