/**
 * Fuzzed customer replies: random unicode (all planes, lone surrogates), huge texts,
 * empty and blank ones, control characters, bidi overrides and zero-width characters,
 * numbers in odd forms (fullwidth, Arabic-Indic, circled, keycaps, exponents, hex,
 * negative, fractions, ranges), opt-out words in odd company, and JSON-breaking text.
 * Seeded: the same seed gives the same replies.
 */
const ODD_NUMBERS = [
  '９', '١٠', '٩', '۹', '⑨', '⑩', '🔟', '9️⃣', '1e1', '0x9', '9.0', '9,5', '−9', '-3', '+7', '10/10', '11', '100', '007', '8½', '⁹', '₉',
  'IX', 'nine', 'nio', 'ni', 'ti', 'ten out of ten', 'Infinity', 'NaN', '-0', '1'.repeat(400), '9'.repeat(30), '0.000000001', '2^3', '8-9',
  '10 10 10', '3 or 4', '9 stars', '7/7', '5 /10', 'ten', '٩/١٠', '五', '९', '๙', '𝟗', '➒',
];
const WORDS = ['stop', 'STOP', 'unsubscribe', 'stopp', 'afmeld', 'avslutt', 'don\'t stop', 'non-stop', 'yes', 'no', 'maybe', 'great', 'awful', 'meh'];
const CONTROL = ['\u0000', '\u0007', '\u0008', '\u001b[31m', '\u001b]8;;http://x\u0007', '\u007f', '\u0085', '\u009b', '\r', '\n', '\t', '\u2028', '\u2029'];
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u202e', '\u202d', '\u2066', '\u2069', '\u00ad', '\u034f', '\u180e'];
const SPECIAL = ['{"score":10}', '</script><script>alert(1)</script>', '${process.exit(1)}', '{{7*7}}', '%00', '\\u0000', '"', '\\', '\'); DROP TABLE surveys;--', '$where', '{"$gt":""}', '__proto__', 'constructor'];

export type Rng = () => number;

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

function randomCodePoint(rng: Rng): string {
  const r = rng();
  if (r < 0.3) return String.fromCharCode(0x20 + Math.floor(rng() * 0x5f));
  if (r < 0.5) return String.fromCharCode(Math.floor(rng() * 0xd800));
  if (r < 0.55) return String.fromCharCode(0xd800 + Math.floor(rng() * 0x800)); // a lone surrogate
  if (r < 0.8) return String.fromCodePoint(0xe000 + Math.floor(rng() * (0x10ffff - 0xe000)));
  if (r < 0.9) return String.fromCodePoint(0x1f300 + Math.floor(rng() * 0x300)); // emoji
  return String.fromCodePoint(0x300 + Math.floor(rng() * 0x70)); // combining marks
}

function randomUnicode(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += randomCodePoint(rng);
  return s;
}

/** One fuzzed reply, at most `maxChars` long (the body limit is the caller's business). */
export function fuzzText(rng: Rng, maxChars: number): string {
  const r = rng();
  let text: string;
  if (r < 0.25) text = randomUnicode(rng, 1 + Math.floor(rng() * 40));
  else if (r < 0.4) text = pick(rng, ODD_NUMBERS);
  else if (r < 0.5) text = `${pick(rng, INVISIBLE)}${pick(rng, ODD_NUMBERS)}${pick(rng, INVISIBLE)}`;
  else if (r < 0.58) text = Array.from({ length: 1 + Math.floor(rng() * 8) }, () => pick(rng, CONTROL)).join(pick(rng, ['', 'a', '9', ' ']));
  else if (r < 0.63) text = pick(rng, ['', ' ', '   ', '\n\n', '\t', '\u00a0', '\u3000']);
  else if (r < 0.7) text = `${pick(rng, WORDS)} ${pick(rng, ODD_NUMBERS)} ${randomUnicode(rng, 3)}`;
  else if (r < 0.76) text = pick(rng, SPECIAL);
  else if (r < 0.8) {
    // Huge: up to the limit, with a number somewhere in it.
    const size = Math.floor(maxChars * (0.5 + rng() / 2));
    const base = rng() < 0.5 ? 'a' : randomUnicode(rng, 16);
    text = `${pick(rng, ODD_NUMBERS)} ${base.repeat(Math.ceil(size / Math.max(1, base.length)))}`;
  } else if (r < 0.9) text = `${pick(rng, ODD_NUMBERS)}${pick(rng, [' ', '', ' - ', ': ', '!!! '])}${randomUnicode(rng, Math.floor(rng() * 60))}`;
  else text = Array.from({ length: 2 + Math.floor(rng() * 5) }, () => pick(rng, [...ODD_NUMBERS, ...WORDS, ...INVISIBLE, ...CONTROL])).join(pick(rng, [' ', '', '\n']));
  return text.length > maxChars ? text.slice(0, maxChars) : text;
}

/** A body that is not what the route expects at all (for the JSON routes). */
export function fuzzBody(rng: Rng, customerId: string): string {
  return pick(rng, [
    '', '{', 'null', '[]', '"text"', '{"customerId":1,"text":2}', `{"customerId":"${customerId}"}`, `{"customerId":"${customerId}","text":null}`,
    `{"customerId":"${customerId}","text":{"$gt":""}}`, `{"customerId":"${customerId}","text":["9"]}`, '{"__proto__":{"admin":true}}',
    `{"customerId":"${customerId}","text":"9","extra":${'['.repeat(2000)}${']'.repeat(2000)}}`, '\u0000\u0000',
  ]);
}
