import { test } from 'vitest';
import assert from 'node:assert/strict';
import { MAX_SCAN_CHARS, normalizeText, parseReply, type ReplyReason } from '../../src/conversation/reply-parser.ts';
import { prng } from '../helpers/prng.ts';

/**
 * [input, score, optOut?, comment?, reason?]
 * optOut defaults to false; comment is only checked when given (null = must be null);
 * reason is only checked when given.
 */
type Row = [input: string, score: number | null, optOut?: boolean, comment?: string | null, reason?: ReplyReason];

const CASES: Row[] = [
  // --- plain digits and decoration
  ['9', 9, false, null],
  [' 9 ', 9, false, null],
  ['9!', 9, false, null],
  ['9.', 9, false, null],
  ['(9)', 9, false, null],
  ['[9]', 9, false, null],
  ['**9**', 9, false, null],
  ['*9*', 9, false, null],
  ['"9"', 9, false, null],
  ['0', 0, false, null],
  ['10', 10, false, null],
  ['10!!!', 10, false, null],
  ['09', 9, false, null],
  ['\n\t7\n', 7, false, null],
  ['9 :)', 9, false, null],
  ['10 ❤️', 10, false, '❤️'],
  ['9 👍', 9, false, '👍'],
  ['👍 9', 9, false, '👍'],
  ['10+', 10, false, null],
  ['9.0', 9, false, null],

  // --- scales
  ['9/10', 9, false, null],
  ['9 / 10', 9, false, null],
  ['9 /10', 9, false, null],
  ['9 of 10', 9, false, null],
  ['9 out of 10', 9, false, null],
  ['8 out of 10', 8, false, null],
  ['0/10', 0, false, null],
  ['10/10', 10, false, null],
  ['10/10 would recommend', 10, false, 'would recommend'],
  ['8/10', 8, false, null],
  ['8 out of ten', 8, false, null],
  ['9 av 10', 9, false, null],
  ['9 utav 10', 9, false, null],
  ['9 ut av 10', 9, false, null],
  ['9 ud af 10', 9, false, null],
  ['9 af 10', 9, false, null],
  ['7 av tio', 7, false, null],
  ['10/10!! Anna saved my day', 10, false, 'Anna saved my day'],
  ['9/10 - quick and friendly', 9, false, 'quick and friendly'],
  ['9⁄10', 9, false, null],

  // --- lead-ins (no comment left)
  ['a 7', 7, false, null],
  ["I'd say 8", 8, false, null],
  ['I’d say 8', 8, false, null],
  ['score: 6', 6, false, null],
  ['Score 6', 6, false, null],
  ['My rating is 8', 8, false, null],
  ['I would give you a 9', 9, false, null],
  ['A solid 8.', 8, false, null],
  ['Hmm, maybe 7', 7, false, null],
  ['Definitely a 10', 10, false, null],
  ['jag ger er en 9:a', 9, false, null],
  ['en 9:a', 9, false, null],
  ['jeg giver 8', 8, false, null],
  ['en 9er', 9, false, null],
  ["jeg gir en 9'er", 9, false, null],
  ['jeg gir en 9-er', 9, false, null],
  ['9 points', 9, false, null],
  ['8 poäng', 8, false, null],

  // --- comments
  ['9 – Anna was great', 9, false, 'Anna was great'],
  ['9 - Anna was great', 9, false, 'Anna was great'],
  ['9: fast answer', 9, false, 'fast answer'],
  ['9, fast answer', 9, false, 'fast answer'],
  ['9. The agent was friendly', 9, false, 'The agent was friendly'],
  ['9! Thanks for the help', 9, false, 'Thanks for the help'],
  ['Anna was great, 9', 9, false, 'Anna was great'],
  ['Anna was great - 9', 9, false, 'Anna was great'],
  ['Anna was great! 9', 9, false, 'Anna was great!'],
  ['Great service, 9 - Anna was lovely', 9, false, 'Great service, Anna was lovely'],
  ["I'd say 8 because the wait was long", 8, false, 'because the wait was long'],
  ['10 thanks!', 10, false, 'thanks!'],
  ['7\nToo slow to answer', 7, false, 'Too slow to answer'],
  ['the app won’t stop crashing, 3', 3, false, 'the app won’t stop crashing'],
  ['2-3 days to get an answer, 6', 6, false, '2-3 days to get an answer'],
  ['9 - waited 3 days though', 9, false, 'waited 3 days though'],
  ['order #12345 arrived late, 4', 4, false, 'order #12345 arrived late'],
  ['In 2023 you were better. 6', 6, false, 'In 2023 you were better.'],
  ['24/7 support is great, 9', 9, false, '24/7 support is great'],
  ['9... yes 9', 9, false, null],
  ['9 9 9', 9, false, null],
  ['10 🔟', 10, false, null],
  ['9 see https://example.com/10', 9, false, 'see https://example.com/10'],
  ['8, mail me at a10@example.com', 8, false, 'mail me at a10@example.com'],
  ['0 to 10? 8', 8, false, null],
  ['stop 3', 3, false, 'stop'],

  // --- English number words
  ['zero', 0, false, null],
  ['nought', 0],
  ['one', 1],
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['five', 5],
  ['six', 6],
  ['seven', 7],
  ['eight', 8],
  ['nine', 9],
  ['ten', 10],
  ['Ten!', 10],
  ['NINE', 9],
  ["I'd say eight", 8, false, null],
  ['I would give you guys a solid nine!', 9, false, null],
  ['eight out of ten', 8, false, null],
  ['ten/10', 10, false, null],
  ['Nine - Anna was great', 9, false, 'Anna was great'],
  ['Seven. Slow but friendly', 7, false, 'Slow but friendly'],
  ['Honestly, nine out of ten. Great chat', 9, false, 'Great chat'],
  ['The chat was great, nine out of ten', 9, false, 'The chat was great'],
  ['Anna was great, nine', 9, false, 'Anna was great'],
  ['Slow reply. Six I guess', 6, false, 'Slow reply.'],
  ['Helt okej - sju', 7, false, 'Helt okej'],
  ['Anna was great, nine!', 9, false, 'Anna was great'],
  ['The agent said it would take five', null, false, null, 'no-number'],
  ['I talked to two agents', null, false, null, 'no-number'],
  ['Hun var sød, ni', null, false, null, 'no-number'],

  // --- Swedish number words
  ['noll', 0],
  ['ett', 1],
  ['en', 1],
  ['två', 2],
  ['tva', 2],
  ['tre', 3],
  ['fyra', 4],
  ['fem', 5],
  ['sex', 6],
  ['sju', 7],
  ['åtta', 8],
  ['Åtta!', 8],
  ['nio', 9],
  ['Nio!', 9],
  ['tio', 10],
  ['TIO', 10],
  ['tio av tio', 10, false, null],
  ['nio av tio', 9, false, null],
  ['åtta/10', 8, false, null],
  ['en nia', 9, false, null],
  ['en tia!', 10, false, null],
  ['jag säger åtta', 8, false, null],
  ['Nio, bra service', 9, false, 'bra service'],
  ['9 av 10, snabbt svar', 9, false, 'snabbt svar'],

  // --- Danish number words
  ['nul', 0],
  ['et', 1],
  ['to', 2],
  ['fire', 4],
  ['seks', 6],
  ['syv', 7],
  ['otte', 8],
  ['ni', 9],
  ['Ni!', 9],
  ['ti', 10],
  ['ti av ti', 10, false, null],
  ['ni ud af ti', 9, false, null],
  ['otte ud af ti', 8, false, null],
  ['jeg giver jer et ni-tal', 9, false, null],
  ['det er ni', 9, false, null],
  ['8 - super hurtig hjælp', 8, false, 'super hurtig hjælp'],

  // --- Norwegian number words
  ['null', 0],
  ['én', 1],
  ['åtte', 8],
  ['Sju.', 7],
  ['en nier', 9, false, null],
  ['terningkast seks', 6, false, null],
  ['jeg gir ni', 9, false, null],
  ['ni av ti', 9, false, null],
  ['10 - veldig fornøyd', 10, false, 'veldig fornøyd'],

  // --- keycaps and other digit forms
  ['9️⃣', 9, false, null],
  ['9⃣', 9, false, null],
  ['🔟', 10, false, null],
  ['1️⃣0️⃣', 10, false, null],
  ['0️⃣', 0, false, null],
  ['7️⃣ slow but fine', 7, false, 'slow but fine'],
  ['7️⃣ okay I guess', 7, false, null],
  ['🔟/🔟', 10, false, null],
  ['９', 9, false, null],
  ['１０', 10, false, null],
  ['８/１０', 8, false, null],

  // --- out of range, negative, decimal
  ['11', null, false, null, 'out-of-range'],
  ['100', null, false, null, 'out-of-range'],
  ['99', null, false, null, 'out-of-range'],
  ['11/10', null, false, null, 'out-of-range'],
  ['-3', null, false, null, 'negative'],
  ['−3', null, false, null, 'negative'],
  ['minus 3', null, false, null, 'negative'],
  ['7.5', null, false, null, 'decimal'],
  ['7,5', null, false, null, 'decimal'],
  ['7½', null, false, null, 'decimal'],
  ['8.5/10', null, false, null, 'decimal'],

  // --- ambiguous
  ['7 or 8', null, false, null, 'ambiguous'],
  ['7-8', null, false, null, 'ambiguous'],
  ['7–8', null, false, null, 'ambiguous'],
  ['7 - 8', null, false, null, 'ambiguous'],
  ['between 6 and 7', null, false, null, 'ambiguous'],
  ['6 to 7', null, false, null, 'ambiguous'],
  ['7 eller 8', null, false, null, 'ambiguous'],
  ['mellem 6 og 7', null, false, null, 'ambiguous'],
  ['seven or eight', null, false, null, 'ambiguous'],
  ['sju eller åtta', null, false, null, 'ambiguous'],
  ['7 or eight', null, false, null, 'ambiguous'],
  ['9 10', null, false, null, 'ambiguous'],
  ['8, maybe 9', null, false, null, 'ambiguous'],
  ['9-11', null, false, null, 'ambiguous'],
  ['7.5 or 8', null, false, null, 'ambiguous'],
  ['0-10', null, false, null, 'ambiguous'],
  ['Nine. Actually 8', null, false, null, 'ambiguous'],

  // --- numbers that are not scores
  ['#12345', null, false, null, 'not-a-score'],
  ['#5', null, false, null, 'not-a-score'],
  ['order 1234', null, false, null, 'not-a-score'],
  ['Order nr. 8', null, false, null, 'not-a-score'],
  ['ticket 7', null, false, null, 'not-a-score'],
  ['12345', null, false, null, 'not-a-score'],
  ['10:30', null, false, null, 'not-a-score'],
  ['at 10am', null, false, null, 'not-a-score'],
  ['kl 10', null, false, null, 'not-a-score'],
  ['2024-05-01', null, false, null, 'not-a-score'],
  ['01/05/2024', null, false, null, 'not-a-score'],
  ['2023', null, false, null, 'not-a-score'],
  ['$10', null, false, null, 'not-a-score'],
  ['10$', null, false, null, 'not-a-score'],
  ['€5', null, false, null, 'not-a-score'],
  ['10%', null, false, null, 'not-a-score'],
  ['100%', null, false, null, 'not-a-score'],
  ['10 kr', null, false, null, 'not-a-score'],
  ['10kr', null, false, null, 'not-a-score'],
  ['10:-', null, false, null, 'not-a-score'],
  ['1 000 kr', null, false, null, 'not-a-score'],
  ['3 days', null, false, null, 'not-a-score'],
  ['2 hours', null, false, null, 'not-a-score'],
  ['10 minutes', null, false, null, 'not-a-score'],
  ['3 dagar', null, false, null, 'not-a-score'],
  ['2 timer', null, false, null, 'not-a-score'],
  ['5 stars', null, false, null, 'not-a-score'],
  ['2-3 days', null, false, null, 'not-a-score'],
  ['10th', null, false, null, 'not-a-score'],
  ['den 3:e', null, false, null, 'not-a-score'],
  ['4/5', null, false, null, 'not-a-score'],
  ['3 out of 5', null, false, null, 'not-a-score'],
  ['+46 70 123 45 67', null, false, null, 'not-a-score'],
  ['070-123 45 67', null, false, null, 'not-a-score'],
  ['555-1234', null, false, null, 'not-a-score'],
  ['(555) 123-4567', null, false, null, 'not-a-score'],
  ['4G', null, false, null, 'not-a-score'],
  ['B2B', null, false, null, 'not-a-score'],
  ['iPhone 8', null, false, null, 'not-a-score'],
  ['v1.2.3', null, false, null, 'not-a-score'],
  ['https://example.com/9', null, false, null, 'no-number'],

  // --- ordinary sentences with number-like words
  ['I want to talk to someone', null, false, null, 'no-number'],
  ['the fire alarm', null, false, null, 'no-number'],
  ['The fire alarm went off', null, false, null, 'no-number'],
  ['To whom it may concern', null, false, null, 'no-number'],
  ['Ni har varit jättebra', null, false, null, 'no-number'],
  ['Jeg vil gerne tale med en medarbejder', null, false, null, 'no-number'],
  ['Det var en god oplevelse', null, false, null, 'no-number'],
  ['Ten minutes waiting is too long', null, false, null, 'no-number'],
  ['Nine people were ahead of me', null, false, null, 'no-number'],
  ['one of ten people', null, false, null, 'no-number'],
  ['en af ti', 1, false, null],
  ['I was one of ten customers in the queue', null, false, null, 'no-number'],
  ['Tia, thanks!', null, false, null, 'no-number'],
  ['great service', null, false, null, 'no-number'],
  ['Thanks!', null, false, null, 'no-number'],
  ['👍', null, false, null, 'no-number'],
  ['...', null, false, null, 'no-number'],
  ['no thanks', null, false, null, 'no-number'],

  // --- empty
  ['', null, false, null, 'empty'],
  ['   ', null, false, null, 'empty'],
  ['\n\t ', null, false, null, 'empty'],
  ['\u200B\uFEFF', null, false, null, 'empty'],
  ['\u0000\u0000', null, false, null, 'empty'],

  // --- opt-out
  ['STOP', null, true, null],
  ['stop', null, true, null],
  ['stop!', null, true, null],
  ['Stop.', null, true, null],
  ['STOP 🛑', null, true, null],
  ['please stop', null, true, null],
  ['Please STOP sending me these', null, true, null],
  ['stop asking me', null, true, null],
  ['unsubscribe', null, true, null],
  ['unsubscribe me', null, true, null],
  ['Unsubscribe me please', null, true, null],
  ['opt out', null, true, null],
  ['opt-out', null, true, null],
  ['I want to opt out', null, true, null],
  ["don't ask me again", null, true, null],
  ['Don’t ask me again!', null, true, null],
  ['do not ask me again', null, true, null],
  ['stopp', null, true, null],
  ['STOPP!', null, true, null],
  ['avsluta', null, true, null],
  ['avregistrera', null, true, null],
  ['Avregistrera mig', null, true, null],
  ['snälla sluta skicka', null, true, null],
  ['afmeld', null, true, null],
  ['Afmeld mig tak', null, true, null],
  ['nej tak, stop', null, true, null],
  ['avslutt', null, true, null],
  ['meld av', null, true, null],
  ['meld meg av', null, true, null],
  ['stopp nå', null, true, null],
  ['the app won’t stop crashing', null, false, null, 'no-number'],
  ["I can't stop recommending you, 10", 10, false, "I can't stop recommending you"],
  ["don't stop", null, false, null, 'no-number'],
  ['Stop 9', 9, false, 'Stop'],
];

test(`the case table has at least 170 rows (${CASES.length})`, () => {
  assert.ok(CASES.length >= 170);
  const seen = new Set<string>();
  for (const [input] of CASES) {
    assert.ok(!seen.has(input), `duplicate row ${JSON.stringify(input)}`);
    seen.add(input);
  }
});

for (const [input, score, optOut = false, comment, reason] of CASES) {
  test(`parseReply(${JSON.stringify(input)})`, () => {
    const r = parseReply(input);
    const seen = JSON.stringify(r);
    assert.equal(r.score, score, `score for ${JSON.stringify(input)}: ${seen}`);
    assert.equal(r.optOut, optOut, `optOut for ${JSON.stringify(input)}: ${seen}`);
    if (comment !== undefined) assert.equal(r.comment, comment, `comment for ${JSON.stringify(input)}: ${seen}`);
    if (reason !== undefined) assert.equal(r.reason, reason, `reason for ${JSON.stringify(input)}: ${seen}`);
    // reason is present exactly when a score is missing for a reason other than opt-out
    assert.equal(r.reason === undefined, r.score !== null || r.optOut, `reason presence for ${JSON.stringify(input)}: ${seen}`);
    if (r.score !== null) assert.ok(Number.isInteger(r.score) && r.score >= 0 && r.score <= 10);
    if (r.score === null) assert.equal(r.comment, null, `no comment without a score: ${seen}`);
    if (r.comment !== null) assert.equal(r.comment, r.comment.trim());
  });
}

test('normalizeText: NFKC, no control or invisible characters, well-formed', () => {
  assert.equal(normalizeText('  ９\u0000 \u200Bgreat\t\tservice\r\nthanks  '), '9 great service\nthanks');
  assert.equal(normalizeText('\uD800ok\uDFFF'), '\uFFFDok\uFFFD');
  assert.equal(normalizeText('café'), 'café');
  // ZWJ stays so family/profession emoji survive in stored comments
  assert.equal(normalizeText('👩\u200D💻'), '👩\u200D💻');
});

// --- robustness: never throws, always a well-formed result

function assertWellFormed(r: ReturnType<typeof parseReply>, label: string): void {
  assert.equal(typeof r.optOut, 'boolean', label);
  assert.ok(r.score === null || (Number.isInteger(r.score) && r.score >= 0 && r.score <= 10), label);
  assert.ok(r.comment === null || typeof r.comment === 'string', label);
}


test('never throws on random code units, including lone surrogates and NUL', () => {
  const rnd = prng(20240501);
  const pieces = ['9', '10', '/', ' ', '-', ':', '.', ',', '#', '%', 'kr', 'stop', 'nio', 'ti', 'en', '\u0000', '\uFE0F', '\u20E3', '🔟', '½', 'of', 'out of', 'av'];
  for (let i = 0; i < 3000; i++) {
    let s = '';
    const len = Math.floor(rnd() * 40);
    for (let j = 0; j < len; j++) {
      const pick = rnd();
      if (pick < 0.4) s += String.fromCharCode(Math.floor(rnd() * 0x10000)); // any UTF-16 unit, surrogates included
      else if (pick < 0.5) s += String.fromCodePoint(Math.floor(rnd() * 0x110000));
      else s += pieces[Math.floor(rnd() * pieces.length)] ?? '';
    }
    let r: ReturnType<typeof parseReply> | undefined;
    assert.doesNotThrow(() => {
      r = parseReply(s);
    }, `input ${JSON.stringify(s)}`);
    assert.ok(r);
    assertWellFormed(r, JSON.stringify(s));
  }
});

test('never throws on hostile shapes', () => {
  const inputs: unknown[] = [
    '\uD800', '\uDC00', '\uDC00\uD800', '9\uD800', '\u0000'.repeat(1000), '9\u0000', '\u0000 9 \u0000',
    '\u202E9\u202C', '🏳️‍🌈'.repeat(50), '\u20E3\u20E3', '\uFE0F', '9'.repeat(5000), '-'.repeat(5000),
    '9/'.repeat(3000), '1 '.repeat(3000), '@'.repeat(3000), 'a@'.repeat(3000) + 'x.y', 'http://' + '9'.repeat(3000),
    'ﷺ'.repeat(2000), '\u0301'.repeat(3000), 'stop '.repeat(1000),
    // a platform adapter bug must not crash the bot
    undefined, null, 42, {},
  ];
  for (const s of inputs) {
    assert.doesNotThrow(() => assertWellFormed(parseReply(s as string), String(s).slice(0, 40)));
  }
  assert.equal(parseReply('\u0000 9 \u0000').score, 9);
  assert.equal(parseReply('\uD800 9').score, 9);
});

test('1 MB of text returns a result, reading only a bounded prefix', () => {
  const big = '9 - great service. ' + 'x'.repeat(1024 * 1024);
  const r = parseReply(big);
  assert.equal(r.score, 9);
  assert.ok(r.comment !== null && r.comment.length <= MAX_SCAN_CHARS);
  // a number past the prefix is never read
  assert.equal(parseReply('y'.repeat(1024 * 1024) + ' 9').reason, 'no-number');
  assertWellFormed(parseReply('9 '.repeat(512 * 1024)), '1 MB of nines');
});

test('10k emoji return a result', () => {
  assertWellFormed(parseReply('😀'.repeat(10_000)), 'emoji');
  assertWellFormed(parseReply('9️⃣'.repeat(10_000)), 'keycaps');
  assert.equal(parseReply('🔟 ' + '🎉'.repeat(10_000)).score, 10);
});
