/**
 * Parser throughput on 100k mixed replies. Prints one JSON line: {"bench":"parser","per_s":...}.
 * Run alone with `node --import tsx bench/reply-parser.bench.ts`, or import run().
 */
import { pathToFileURL } from 'node:url';
import { parseReply } from '../src/conversation/reply-parser.ts';

const SAMPLES = [
  '9', ' 10 ', '8/10', '10/10 would recommend', '9 – Anna was great', "I'd say 8 because the wait was long",
  'nio', 'ti av ti', 'en nia', 'eight out of ten', '9️⃣', '🔟', '７', 'STOP', 'avregistrera mig', 'meld meg av',
  '7 or 8', '7.5', '-3', '11', 'order #12345', '10:30', '2024-05-01', '$10', '3 days', '+46 70 123 45 67',
  'I want to talk to someone', 'the app won’t stop crashing, 3', '', '😀😀😀', 'great service, thanks!',
  'Jag ger er 8 av 10 för snabbt svar', 'a\u0000b\uD800 9',
  'The agent was friendly but it took 3 days and two calls before anyone answered. 6 ' + 'blah '.repeat(200),
];

export async function run(iterations = 100_000): Promise<{ bench: 'parser'; per_s: number }> {
  // warm up so the JIT is not measured
  for (let i = 0; i < 2_000; i++) parseReply(SAMPLES[i % SAMPLES.length] ?? '');
  let found = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    // a varying suffix keeps inputs from being identical strings
    const r = parseReply(`${SAMPLES[i % SAMPLES.length] ?? ''}${i % 7 === 0 ? ` ${i % 13}` : ''}`);
    if (r.score !== null) found++;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const result = { bench: 'parser' as const, per_s: Math.round(iterations / seconds) };
  if (found === 0) throw new Error('bench inputs produced no scores'); // guards against measuring a broken parser
  console.log(JSON.stringify(result));
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
