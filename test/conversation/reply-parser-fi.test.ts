/** Finnish replies: numerals and grade nicknames ("ysi", "kasi", "kympin"), "8 kymmenestä", negation, opt-outs. */
import { runTable, type Row } from './reply-parser-table.ts';

const ROWS: Row[] = [
  ['yhdeksän', 9, false, null],
  ['Kymmenen!', 10, false, null],
  ['nolla', 0, false, null],
  ['seitsemän', 7, false, null],
  ['ysi', 9, false, null],
  ['kasi', 8, false, null],
  ['Kymppi!', 10, false, null],
  ['annan kympin', 10, false, null],
  ['täydet kympit', 10, false, null],
  ['seiska', 7, false, null],
  ['Annan 9', 9, false, null],
  ['8/10', 8, false, null],
  ['8 kymmenestä', 8, false, null],
  ['kahdeksan kymmenestä', 8, false, null],
  ['Ysi, nopea vastaus', 9, false, 'nopea vastaus'],
  ['Tosi nopea palvelu, ysi', 9, false, 'Tosi nopea palvelu'],
  ['seiska tai kasi', null, false, null, 'ambiguous'],
  ['ei 10', null, false, null, 'not-a-score'],
  ['ei ihan 10', null, false, null, 'not-a-score'],
  ['käsi', null, false, null, 'no-number'],
  ['9. toukokuuta', null, false, null, 'not-a-score'],
  ['klo 10', null, false, null, 'not-a-score'],
  ['odotin 20 minuuttia', null, false, null, 'not-a-score'],
  ['10 euroa', null, false, null, 'not-a-score'],
  ['tilaus 6', null, false, null, 'not-a-score'],
  ['soita 040 123 4567', null, false, null, 'not-a-score'],
  ['Haluan puhua asiakaspalvelijan kanssa', null, false, null, 'no-number'],
  ['lopeta', null, true, null],
  ['Lopettakaa kiitos', null, true, null],
  ['Älä lähetä enää viestejä', null, true, null],
];

runTable('fi', ROWS);
