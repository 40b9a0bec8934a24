/**
 * A platform's limit on one message's text, and the one way adapters fit a text into it.
 *
 * Platforms count differently: Instagram refuses a text over 1,000 **bytes** of UTF-8
 * (a 999-character Danish question is 1,033 bytes), most others count characters. A
 * "character" is counted here as a UTF-16 code unit (JavaScript's `length`), which is
 * never fewer than the code points a platform may count, so a text that fits here fits
 * there. A text that does not fit is cut at a grapheme boundary (never inside an emoji
 * or a letter with its accent) and ends with "…". The table of every channel's limits is
 * in docs/architecture.md ("Text limits").
 */

export interface TextLimit {
  /** At most this many UTF-16 code units. */
  chars?: number;
  /** At most this many bytes of UTF-8. */
  bytes?: number;
}

const ELLIPSIS = '…';
const encoder = new TextEncoder();
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

export function fitsLimit(text: string, limit: TextLimit): boolean {
  return (limit.chars === undefined || text.length <= limit.chars) && (limit.bytes === undefined || utf8Bytes(text) <= limit.bytes);
}

/** The text as it is when it fits; else its longest start that fits with "…" after it. */
export function fitText(text: string, limit: TextLimit): string {
  if (fitsLimit(text, limit)) return text;
  const maxChars = (limit.chars ?? Infinity) - ELLIPSIS.length;
  const maxBytes = (limit.bytes ?? Infinity) - utf8Bytes(ELLIPSIS);
  let chars = 0;
  let bytes = 0;
  let end = 0;
  for (const { segment, index } of segmenter.segment(text)) {
    const c = segment.length;
    const b = utf8Bytes(segment);
    if (chars + c > maxChars || bytes + b > maxBytes) break;
    chars += c;
    bytes += b;
    end = index + c;
  }
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}
