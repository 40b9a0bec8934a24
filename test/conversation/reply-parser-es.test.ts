/** Spanish replies: number words, "8 de 10", "un 9 sobre 10", negation, dates, prices, order numbers, opt-outs. */
import { runTable, type Row } from './reply-parser-table.ts';

const ROWS: Row[] = [
  ['nueve', 9, false, null],
  ['¡Diez!', 10, false, null],
  ['cero', 0, false, null],
  ['ocho', 8, false, null],
  ['siete', 7, false, null],
  ['tres', 3, false, null],
  ['un diez', 10, false, null],
  ['Le doy un 9', 9, false, null],
  ['8 de 10', 8, false, null],
  ['ocho de diez', 8, false, null],
  ['un 9 sobre 10', 9, false, null],
  ['Nueve, muy rápido', 9, false, 'muy rápido'],
  ['Muy amable la chica, nueve', 9, false, 'Muy amable la chica'],
  ['9 - todo perfecto', 9, false, 'todo perfecto'],
  ['siete u ocho', null, false, null, 'ambiguous'],
  ['7 o 8', null, false, null, 'ambiguous'],
  ['no es un 10', null, false, null, 'not-a-score'],
  ['uno de diez clientes', null, false, null, 'no-number'],
  ['10 de mayo', null, false, null, 'not-a-score'],
  ['a las 10', null, false, null, 'not-a-score'],
  ['2 a 3 días', null, false, null, 'not-a-score'],
  ['10 euros', null, false, null, 'not-a-score'],
  ['pedido 7', null, false, null, 'not-a-score'],
  ['el 9º', null, false, null, 'not-a-score'],
  ['menos 3', null, false, null, 'negative'],
  ['dos veces', null, false, null, 'no-number'],
  ['Quiero hablar con una persona', null, false, null, 'no-number'],
  ['darse de baja', null, true, null],
  ['BAJA', null, true, null],
  ['darme de baja por favor', null, true, null],
  ['No me escriban más', null, true, null],
  ['no más mensajes', null, true, null],
];

runTable('es', ROWS);
