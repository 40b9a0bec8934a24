/**
 * CSV (RFC 4180) for spreadsheets: cells with commas, quotes or line breaks are quoted,
 * and text starting with = + - @ (or a tab / carriage return) gets a leading `'`, so a
 * customer's comment can never run as a formula when a manager opens the file.
 * Numbers and booleans are written as they are (a negative NPS stays a number).
 */

export type CsvValue = string | number | boolean | null | undefined;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** A header row and data rows, CRLF line ends, ending with a line break. */
export function toCsv(header: string[], rows: CsvValue[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
