/**
 * Where a CPU profile's time went: self time by function and by module (node_modules
 * package, our source file, or Node's internals), from a .cpuprofile (bench/engine.bench.ts
 * BENCH_PROFILE). Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 40);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function moduleOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url;
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  const bench = url.indexOf('/bench/');
  return bench >= 0 ? url.slice(bench + 1) : url;
}

const byFn = new Map<string, number>();
const byModule = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  const mod = moduleOf(n.callFrame.url, n.callFrame.functionName);
  const fileName = n.callFrame.url.split('/').pop() ?? '';
  const fn = `${n.callFrame.functionName || '(anonymous)'} ${mod === fileName ? '' : mod + ' '}${fileName}:${n.callFrame.lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  byModule.set(mod, (byModule.get(mod) ?? 0) + us);
}
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
};
// Each sample charged to the nearest frame of our code (src/) above it, with the leaf's module.
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const byCaller = new Map<string, number>();
for (const [id, us] of selfUs) {
  const leaf = byId.get(id)!;
  const leafMod = moduleOf(leaf.callFrame.url, leaf.callFrame.functionName);
  if (leafMod === '(idle)' || leafMod === '(program)' || leafMod === '(garbage collector)') continue;
  let cur: number | undefined = id;
  let caller = '(no src frame)';
  while (cur !== undefined) {
    const f = byId.get(cur)!.callFrame;
    if (f.url.includes('/src/')) { caller = `${f.functionName || '(anonymous)'} ${f.url.slice(f.url.indexOf('/src/') + 1)}:${f.lineNumber + 1}`; break; }
    cur = parent.get(cur);
  }
  const key = `${caller} -> ${leafMod}`;
  byCaller.set(key, (byCaller.get(key) ?? 0) + us);
}
print('self time by module', byModule);
print('self time by nearest src caller -> leaf module', byCaller);
print('self time by function', byFn);
