/**
 * Texts cut to a platform's documented limit, counted the way the platform counts:
 * UTF-8 bytes (Instagram's 1,000) or characters (UTF-16 code units, as JavaScript and
 * most JSON APIs count them). A cut never splits a character or a surrogate pair, and
 * ends with "…" so the customer sees the text was shortened.
 */

const ELLIPSIS = '…';

/** The UTF-8 size of `text` in bytes. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `text` in at most `maxBytes` UTF-8 bytes. */
export function fitBytes(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Bytes(ELLIPSIS);
  let used = 0;
  let out = '';
  for (const ch of text) {
    const size = utf8Bytes(ch);
    if (used + size > budget) break;
    out += ch;
    used += size;
  }
  return out.trimEnd() + ELLIPSIS;
}

/** `text` in at most `maxChars` UTF-16 code units. */
export function fitChars(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > maxChars - ELLIPSIS.length) break;
    out += ch;
  }
  return out.trimEnd() + ELLIPSIS;
}

/** A platform limit: so many bytes, or so many characters. */
export type TextLimit = { bytes: number } | { chars: number };

export function fitText(text: string, limit: TextLimit): string {
  return 'bytes' in limit ? fitBytes(text, limit.bytes) : fitChars(text, limit.chars);
}
