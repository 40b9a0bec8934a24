/** Polish replies: numerals and grade nouns ("dziesiątka", "daję dziewiątkę"), "8 na 10", "8 z 10", negation, opt-outs. */
import { runTable, type Row } from './reply-parser-table.ts';

const ROWS: Row[] = [
  ['dziewięć', 9, false, null],
  ['Dziesięć!', 10, false, null],
  ['zero', 0, false, null],
  ['osiem', 8, false, null],
  ['trzy', 3, false, null],
  ['dziesiątka', 10, false, null],
  ['daję dziesiątkę', 10, false, null],
  ['mocna ósemka', 8, false, null],
  ['Daję 9', 9, false, null],
  ['8 na 10', 8, false, null],
  ['8 z 10', 8, false, null],
  ['osiem na dziesięć', 8, false, null],
  ['osiem z dziesięciu', 8, false, null],
  ['Dziewięć, szybka pomoc', 9, false, 'szybka pomoc'],
  ['Szybka pomoc, dziewięć', 9, false, 'Szybka pomoc'],
  ['siedem albo osiem', null, false, null, 'ambiguous'],
  ['7 lub 8', null, false, null, 'ambiguous'],
  ['nie 10', null, false, null, 'not-a-score'],
  ['9 maja', null, false, null, 'not-a-score'],
  ['10 zł', null, false, null, 'not-a-score'],
  ['2 dni czekania', null, false, null, 'not-a-score'],
  ['zamówienie 5', null, false, null, 'not-a-score'],
  ['o godzinie 10', null, false, null, 'not-a-score'],
  ['9-ty raz', null, false, null, 'not-a-score'],
  ['jeden z dziesięciu klientów', null, false, null, 'no-number'],
  ['Chcę rozmawiać z konsultantem', null, false, null, 'no-number'],
  ['wypisz', null, true, null],
  ['wypisz mnie proszę', null, true, null],
  ['Nie piszcie do mnie więcej', null, true, null],
  ['STOP', null, true, null],
];

runTable('pl', ROWS);
