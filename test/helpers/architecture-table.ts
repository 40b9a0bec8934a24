/**
 * The dependency table of docs/architecture.md, read as the architecture test's rules,
 * so the table and the test cannot drift. Each row names parts of src/ in its first
 * column (`src/channels/`, `src/app.ts`; several in one row share it); its last column
 * names what they import: parts of src/ (ending in `/` or `.ts`) and packages, in
 * backticks outside parentheses (parentheses only explain), then after **Never** what
 * they must not import. "anything" instead of a list: the row is not held to one.
 */
import { readFileSync } from 'node:fs';

export interface TableRow {
  /** The parts this row is about, relative to src/: "channels/", "app.ts". */
  parts: string[];
  /** Null: "anything". Else exactly the parts of src/ these parts import. */
  imports: string[] | null;
  /** Packages the row says these parts import (each must be imported). */
  packages: string[];
  /** Parts and packages nothing in this row may import. */
  never: string[];
}

/** Backticked names outside parentheses. */
function names(text: string): string[] {
  let plain = text;
  for (let before = ''; before !== plain;) {
    before = plain;
    plain = plain.replace(/\([^()]*\)/g, '');
  }
  return [...plain.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

const isPart = (name: string): boolean => name.endsWith('/') || name.endsWith('.ts');

export function parseArchitectureTable(markdown: string): TableRow[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((l) => l.startsWith('| folder or file |'));
  if (header < 0) throw new Error('docs/architecture.md has no "| folder or file |" table');
  const rows: TableRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 3) throw new Error(`docs/architecture.md: a table row without exactly three cells: ${line.slice(0, 80)}`);
    const first = cells[0] ?? '';
    const last = cells[cells.length - 1] ?? '';
    const parts = names(first).map((n) => n.replace(/^src\//, ''));
    const [allowed = '', forbidden = ''] = last.split('**Never**');
    const listed = names(allowed);
    rows.push({
      parts,
      imports: /^anything\b/.test(allowed.trim()) ? null : listed.filter(isPart),
      packages: listed.filter((n) => !isPart(n)),
      never: names(forbidden),
    });
  }
  return rows;
}

export function readArchitectureTable(path = 'docs/architecture.md'): TableRow[] {
  return parseArchitectureTable(readFileSync(path, 'utf8'));
}

/** The part a file of src/ belongs to: the longest part of the table that holds it, or undefined. */
export function partOf(file: string, parts: readonly string[]): string | undefined {
  return parts.filter((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)).sort((a, b) => b.length - a.length)[0];
}
