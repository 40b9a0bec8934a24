/**
 * Text that ends up on a manager's terminal (follow-up owner and note, printed by
 * `nps-bot followups`) must not carry terminal control sequences: an ESC could recolour,
 * hide or rewrite what is shown, and bidirectional overrides can make text read
 * differently from what it is. These helpers drop them.
 */

// C0 controls but tab and newline, DEL, C1 controls, and Unicode bidi embeddings/overrides/isolates.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Multi-line text (a note): keeps newlines and tabs (a CR becomes nothing), drops every other control character. */
export function stripControlChars(text: string): string {
  return text.replace(CONTROL, '');
}

/** A one-line value (a name): every control character and line break goes. */
export function stripControlCharsOneLine(text: string): string {
  return text.replace(CONTROL_OR_BREAK, '');
}
