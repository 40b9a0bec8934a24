/** Icelandic replies: numerals in three genders, grade nouns ("tía", "nía"), "8 af 10", negation, opt-outs. */
import { runTable, type Row } from './reply-parser-table.ts';

const ROWS: Row[] = [
  ['níu', 9, false, null],
  ['Tíu!', 10, false, null],
  ['núll', 0, false, null],
  ['átta', 8, false, null],
  ['sjö', 7, false, null],
  ['fimm', 5, false, null],
  ['þrír', 3, false, null],
  ['fjórir', 4, false, null],
  ['tvö', 2, false, null],
  ['ég gef ykkur níu', 9, false, null],
  ['Ég gef 9', 9, false, null],
  ['8 af 10', 8, false, null],
  ['átta af tíu', 8, false, null],
  ['Níu, mjög fljót þjónusta', 9, false, 'mjög fljót þjónusta'],
  ['Mjög fljót þjónusta, níu', 9, false, 'Mjög fljót þjónusta'],
  ['sjö eða átta', null, false, null, 'ambiguous'],
  ['7 eða 8', null, false, null, 'ambiguous'],
  ['ekki 10', null, false, null, 'not-a-score'],
  ['9. maí', null, false, null, 'not-a-score'],
  ['klukkan 10', null, false, null, 'not-a-score'],
  ['beið í 10 mínútur', null, false, null, 'not-a-score'],
  ['pöntun 3', null, false, null, 'not-a-score'],
  ['hringdu í 555 1234', null, false, null, 'not-a-score'],
  ['mínus 3', null, false, null, 'negative'],
  ['Ég vil tala við starfsmann', null, false, null, 'no-number'],
  ['hætta', null, true, null],
  ['Hættið', null, true, null],
  ['Afskrá mig takk', null, true, null],
  ['Ekki senda mér meira', null, true, null],
  ['stopp', null, true, null],
];

runTable('is', ROWS);
