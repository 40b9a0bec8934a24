/**
 * What holds across the eleven languages: no word means two numbers, spaced phone
 * numbers are never scores, the number words of every language are read whatever
 * the platform's locale (the parser takes none), and `nps-bot parse` reads them.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseReply } from '../../src/conversation/reply-parser.ts';
import { NUMBER_WORDS_BY_LANGUAGE } from '../../src/conversation/number-words.ts';
import { wordKey } from '../../src/conversation/reply-text.ts';
import { LOCALES } from '../../src/conversation/templates.ts';

describe('number words across languages', () => {
  test('every locale has number words, and no word key has two values', () => {
    assert.deepEqual(Object.keys(NUMBER_WORDS_BY_LANGUAGE).sort(), [...LOCALES].sort());
    const seen = new Map<string, [string, number]>();
    for (const [lang, words] of Object.entries(NUMBER_WORDS_BY_LANGUAGE)) {
      for (const [w, n] of words) {
        const prior = seen.get(wordKey(w));
        assert.ok(!prior || prior[1] === n, `"${w}" (${lang}) = ${n}, but ${prior?.[0]} says ${prior?.[1]}`);
        seen.set(wordKey(w), [lang, n]);
      }
    }
  });

  test('every language has a word for each of 0..10', () => {
    for (const [lang, words] of Object.entries(NUMBER_WORDS_BY_LANGUAGE)) {
      const values = new Set(words.map(([, n]) => n));
      for (let n = 0; n <= 10; n++) assert.ok(values.has(n), `${lang} has no word for ${n}`);
    }
  });

  test.each([
    ['neun', 9], ['yhdeksän', 9], ['dix', 10], ['nueve', 9], ['dziewięć', 9], ['níu', 9], ['negen', 9], ['nio', 9], ['ni', 9], ['nine', 9],
  ])('"%s" alone is %i', (word, n) => {
    assert.equal(parseReply(word).score, n);
  });
});

describe('spaced phone numbers are not scores', () => {
  test.each([
    'call me 07 700 900 123', 'Rappelez-moi au 06 12 34 56 78', '06 12 34 56 78', '+33 6 12 34 56 78', 'bel me op 06 12345678',
    'ring mig på 070 123 45 67', '+49 170 1234567', 'llámame al 612 34 56 78', 'zadzwoń 512 345 678', 'soita 040 123 4567',
  ])('%s', (text) => {
    const r = parseReply(text);
    assert.equal(r.score, null, JSON.stringify(r));
  });

  test('a score before a phone number is still read', () => {
    assert.equal(parseReply('9 555-1234').score, 9);
    assert.equal(parseReply('10, call me on 07 700 900 123').score, 10);
  });
});

describe('nps-bot parse', () => {
  test('reads the new languages from stdin, one JSON line each', () => {
    const input = ['acht von zehn', 'kymppi', 'pas 10', 'darse de baja', '8 z 10', 'call me 07 700 900 123'].join('\n');
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'parse'], { input, encoding: 'utf8', timeout: 60_000 });
    assert.equal(out.status, 0, out.stderr);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { score: number | null; optOut: boolean });
    assert.deepEqual(lines.map((l) => [l.score, l.optOut]), [[8, false], [10, false], [null, false], [null, true], [8, false], [null, false]]);
  });
});
