/**
 * The customer's first name as the question greets them ("Hi Anna!"). Names come from
 * platforms and care tools, so anyone can choose one: the first word is cut at every
 * kind of blank — whitespace, and the blanks `\s` does not know (U+2800 BRAILLE PATTERN
 * BLANK, U+3164 HANGUL FILLER, zero-width and other invisible format characters) — and
 * greeted only when it reads as a name: letters and combining marks, with ' ’ . - inside.
 * Anything else (a link, markdown, a mention) means no name, never a half-escaped one.
 */
const BLANKS = /[\s\p{Z}\p{Cc}\p{Cf}\u034f\u115f\u1160\u180e\u2800\u3164\uffa0]+/u;
const NAME = /^[\p{L}\p{M}]+(?:['’.-][\p{L}\p{M}]+)*\.?$/u;

export function firstName(name: string | undefined): string | undefined {
  const first = name?.split(BLANKS).find((part) => part.length > 0);
  if (!first || first.length > 40) return undefined;
  return NAME.test(first) ? first : undefined;
}
