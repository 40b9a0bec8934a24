/**
 * The import graph of src/ as the architecture test sees it: every import and
 * re-export specifier of every .ts file (static, type-only and dynamic), with
 * relative specifiers resolved to paths under src/ and packages kept by name.
 * Read from the files themselves, so a new import shows up without any list to update.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface ImportEdge {
  /** The importing file, relative to src/ with forward slashes: "channels/slack/slack-channel.ts". */
  from: string;
  /** A file relative to src/ for a relative specifier ("storage/survey-model.ts"), else the package name ("mongoose", "@slack/bolt"). */
  to: string;
}

// `import x from 'a'`, `import type {…} from 'a'`, `export * from 'a'`, `import 'a'`, `import('a')`
const SPECIFIER = /\b(?:import|export)\s+(?:type\s+)?[\w*{}\s,$]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

/** The package a bare specifier names: "discord.js", "@slack/web-api" (not "@slack/web-api/dist/x"). */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The specifiers one file's source imports from, in order. */
export function importSpecifiers(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2] ?? m[3] ?? '').filter(Boolean);
}

function tsFiles(dir: string, root: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full, root);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path.relative(root, full).split(path.sep).join('/')] : [];
  });
}

/** Every import edge of the .ts files under `srcDir`. */
export function readImportGraph(srcDir: string): ImportEdge[] {
  return tsFiles(srcDir, srcDir).flatMap((from) =>
    importSpecifiers(readFileSync(path.join(srcDir, from), 'utf8')).map((specifier) => ({
      from,
      to: specifier.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)) : packageName(specifier),
    })),
  );
}

/** The part of madge's API used here (madge ships no type declarations). */
export interface MadgeGraph {
  /** Each cycle as the files in it, relative to the root madge read. */
  circular(): string[][];
  /** File → the local files it imports. */
  obj(): Record<string, string[]>;
}
type Madge = (root: string | Record<string, string[]>, config?: { fileExtensions: string[]; tsConfig: object }) => Promise<MadgeGraph>;
const madge = createRequire(import.meta.url)('madge') as Madge;

/**
 * madge's graph of the .ts files under `srcDir`, type-only imports included (a cycle
 * of types is still a cycle for the reader). tsconfig.json goes in parsed: given a
 * path, madge would read it with the root `typescript` package, which is TypeScript 7
 * and has no JavaScript API.
 */
export async function madgeGraph(srcDir: string, tsConfigPath: string): Promise<MadgeGraph> {
  const tsConfig = JSON.parse(readFileSync(tsConfigPath, 'utf8')) as object;
  return madge(srcDir, { fileExtensions: ['ts'], tsConfig });
}

/** The cycles madge finds in a graph given as file → imported files: checks the check. */
export async function cyclesIn(graph: Record<string, string[]>): Promise<string[][]> {
  return (await madge(graph)).circular();
}
