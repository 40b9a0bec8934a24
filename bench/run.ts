/** `npm run bench`: every benchmark in turn, each printing one JSON line of figures. */
const benches = ['./reply-parser.bench.ts', './engine.bench.ts', './command-cost.bench.ts', './rate.bench.ts', './report.bench.ts'];

for (const path of benches) {
  let mod: { run?: () => Promise<void> };
  try {
    mod = await import(path) as { run?: () => Promise<void> };
  } catch (err) {
    console.error(`skipping ${path}: ${(err as Error).message}`);
    continue;
  }
  await mod.run?.();
}
process.exit(0);
