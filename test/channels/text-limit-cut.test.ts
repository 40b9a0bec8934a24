/** Texts cut to a platform's limit in the unit the platform counts. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { fitText, utf8Bytes } from '../../src/channels/text-limit.ts';

const fitBytes = (text: string, bytes: number): string => fitText(text, { bytes });
const fitChars = (text: string, chars: number): string => fitText(text, { chars });

test('a 999-character Danish text (1,078 bytes) is cut to Instagram\'s 1,000 bytes, whole characters, with an ellipsis', () => {
  const danish = ('Hvor sandsynligt er det, at du vil anbefale os til en ven? Svar fra 0 til 10. Tak for din hjælp, så vi bliver bedre. ' + 'æøå'.repeat(3)).repeat(9).slice(0, 999);
  assert.equal(danish.length, 999);
  assert.ok(utf8Bytes(danish) > 1000, `${utf8Bytes(danish)} bytes`);
  const cut = fitBytes(danish, 1000);
  assert.ok(utf8Bytes(cut) <= 1000, `${utf8Bytes(cut)} bytes`);
  assert.ok(cut.endsWith('…'));
  assert.ok(danish.startsWith(cut.slice(0, -1).trimEnd()));
  assert.ok(!cut.includes('\uFFFD'));
});

test('texts within the limit are unchanged; emoji are never split', () => {
  assert.equal(fitBytes('Tak!', 1000), 'Tak!');
  assert.equal(fitChars('hej', 3), 'hej');
  const emoji = '😀'.repeat(10);
  const cut = fitChars(emoji, 6);
  assert.ok(cut.length <= 6 && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut), cut);
  assert.equal(fitText('abcdef', { bytes: 4 }), 'a…');
  assert.equal(fitText('abcdef', { chars: 4 }), 'abc…');
});
