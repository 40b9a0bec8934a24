/**
 * Text normalisation shared by the reply parser and the engine: the stored comment
 * and the text the parser reads are cleaned the same way, and words are compared by
 * a key that ignores case, apostrophe style and diacritics.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
// Invisible format characters (zero-width space, bidi overrides, BOM). ZWJ/ZWNJ stay: emoji and scripts need them.
const INVISIBLE = /[\u00AD\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]/g;

/**
 * Makes text safe to match and to store: well-formed UTF-16, NFKC (fullwidth digits
 * become ASCII), no control or invisible characters, runs of spaces collapsed, trimmed.
 * Newlines are kept.
 */
export function normalizeText(text: string): string {
  if (typeof text !== 'string') return '';
  // fast path: printable ASCII needs no Unicode work
  if (!/[^\x20-\x7E]/.test(text)) return text.replace(/ {2,}/g, ' ').trim();
  let s = text.replace(LONE_SURROGATE, '\uFFFD');
  try {
    s = s.normalize('NFKC');
  } catch {
    // normalize() only throws on invalid forms; keep the text as it is rather than fail
  }
  return s
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '')
    .replace(INVISIBLE, '')
    .replace(/[^\S\n]+/g, ' ')
    .trim();
}

/** Lower-case, straight apostrophes, no diacritics: "Åtta" and "atta" look the same. */
export function wordKey(word: string): string {
  const lower = word.toLowerCase();
  if (!/[^a-z0-9']/.test(lower)) return lower; // fast path: most words are plain ASCII
  return lower.replace(/[’`´]/g, "'").normalize('NFD').replace(/\p{M}/gu, '');
}

/** A set of word keys from a whitespace-separated word list. */
export function keySet(words: string): Set<string> {
  return new Set(words.split(/\s+/).filter(Boolean).map(wordKey));
}
