/** Dutch replies: number words and grade diminutives ("een dikke acht", "een achtje"), "8 van de 10", negation, opt-outs. */
import { runTable, type Row } from './reply-parser-table.ts';

const ROWS: Row[] = [
  ['negen', 9, false, null],
  ['Tien!', 10, false, null],
  ['nul', 0, false, null],
  ['zeven', 7, false, null],
  ['twee', 2, false, null],
  ['een dikke acht', 8, false, null],
  ['een achtje', 8, false, null],
  ['een zesje', 6, false, null],
  ['Ik geef jullie een 9', 9, false, null],
  ['8 van de 10', 8, false, null],
  ['8 uit 10', 8, false, null],
  ['acht uit tien', 8, false, null],
  ['Negen, snelle hulp', 9, false, 'snelle hulp'],
  ['Snelle hulp, negen', 9, false, 'Snelle hulp'],
  ['zeven of acht', null, false, null, 'ambiguous'],
  ['tussen 7 en 8', null, false, null, 'ambiguous'],
  ['geen 10', null, false, null, 'not-a-score'],
  ['niet helemaal een 10', null, false, null, 'not-a-score'],
  ['bel me op 06 12345678', null, false, null, 'not-a-score'],
  ['10 minuten gewacht', null, false, null, 'not-a-score'],
  ['om 10 uur', null, false, null, 'not-a-score'],
  ['de 3e keer', null, false, null, 'not-a-score'],
  ['bestelling 12', null, false, null, 'not-a-score'],
  ['€ 10', null, false, null, 'not-a-score'],
  ['een vraag over mijn bestelling', null, false, null, 'no-number'],
  ['afmelden', null, true, null],
  ['uitschrijven', null, true, null],
  ['Meld me af aub', null, true, null],
  ['geen berichten meer graag', null, true, null],
  ['stop', null, true, null],
];

runTable('nl', ROWS);
