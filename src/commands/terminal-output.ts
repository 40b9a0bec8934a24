/**
 * What the CLI prints reaches a manager's terminal: agent names, segments, themes and
 * digests come from outside (a platform's profile, a care tool's resolution), and an ESC
 * or C1 sequence in them could recolour, hide or rewrite the screen, a bidi override
 * make text read differently. Every table, CSV and digest the CLI prints goes through
 * here (the tables also clean each cell, so columns stay aligned); JSON keeps its data
 * exactly, with such characters written as `\uXXXX` escapes.
 */

// C0 controls but tab, newline and carriage return (CSV ends lines with CRLF), DEL, C1, bidi controls.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// What JSON.stringify leaves raw that a terminal may act on.
const RAW_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Text for the terminal: every control character dropped but line breaks and tabs. */
export function forTerminal(text: string): string {
  return text.replace(CONTROL, '');
}

/** One JSON line with DEL, C1 and bidi controls escaped (JSON.stringify escapes only C0). */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
