/**
 * Reads a customer's typed answer to "how likely are you to recommend us, 0–10".
 *
 * Pure and total: never throws, whatever arrives from a chat platform (emoji, lone
 * surrogates, NUL bytes, megabytes of text). Only the first MAX_SCAN_CHARS are read:
 * a score sits at the start of a reply, and the bound keeps every call cheap.
 *
 * It prefers "no score" to a wrong score: a null makes the bot ask again, a wrong
 * number silently skews the NPS. So digits are taken anywhere unless their context
 * says they are something else (order number, time, money, "3 days"), but number
 * words only near the start of a short reply, because many of them ("to", "en",
 * "ni", "fire", "sex", "un", "dos") are ordinary words in another language.
 *
 * Every language is read at once, whatever locale the platform reported: the words
 * themselves say which language a reply is in, and no two languages give one word two
 * different values.
 */
import { normalizeText, wordKey } from './reply-text.ts';
import { AMBIGUOUS_NUMBER_WORDS, NOT_NUMBER_FORMS, NUMBER_WORDS } from './number-words.ts';
import { BEFORE_NOT_SCORE, CONNECTORS, DATE_PREPOSITIONS, FILLERS, MONTHS, NEGATION_BRIDGE, NEGATORS, UNITS } from './reply-vocabulary.ts';
import { isOptOut } from './opt-out-phrases.ts';

// The engine stores comments normalised the way the parser reads them.
export { normalizeText };

export type ReplyReason = 'empty' | 'no-number' | 'out-of-range' | 'negative' | 'decimal' | 'ambiguous' | 'not-a-score';

export interface ParsedReply {
  /** 0..10 integer, or null. */
  score: number | null;
  /** The reply is essentially an opt-out command ("STOP", "avregistrera mig"). */
  optOut: boolean;
  /** Text accompanying the score, without the score and leading separators; null if nothing meaningful is left or no score. */
  comment: string | null;
  /** Why score is null; absent when a score was found or on opt-out. */
  reason?: ReplyReason;
}

/** How much of a reply is read (UTF-16 units). */
export const MAX_SCAN_CHARS = 2000;

type Kind = 'score' | 'negative' | 'decimal' | 'out-of-range' | 'not-a-score';

interface Candidate {
  start: number;
  end: number;
  value: number;
  kind: Kind;
  /** Not a score because a unit, currency or % follows; a tight range ("2-3 days") passes this to its first number. */
  unit?: boolean;
  /** "0-10", "1 to 10": the customer quoting the scale, ignored when a real score is present. */
  scaleRef?: boolean;
}

interface Token {
  start: number;
  end: number;
  key: string;
  isNum: boolean;
}

// ---------------------------------------------------------------------------
// Number shapes (sticky: tried at the start of a digit run)

const ISO_DATE = /\d{4}([-/.])\d{1,2}\1\d{1,2}(?!\d)/y;
const DMY_DATE = /\d{1,2}([-/.])\d{1,2}\1\d{2,4}(?!\d)/y; // same separator twice: "8.5/10" is not a date
const CLOCK = /\d{1,2}:\d{2}(?!\d)/y;
const DOTTED = /\d+(?:\.\d+){2,}/y; // versions, IP addresses
const NEVER_SCORES = [ISO_DATE, DMY_DATE, CLOCK, DOTTED];
const SCALE_REF = /[01][ ]?(?:[-–—]|to|till|til|bis|tot|à|a|do)[ ]?10(?!\d)/iuy;
const PHONE = /\+?\(?\d[\d ().-]{5,22}\d/y;
const SPACED_THOUSANDS = /\d{1,3}(?: \d{3})+(?!\d)/y;
const DECIMAL = /(\d+)([.,])(\d+)(?!\d|[.,]\d)/y;
const INTEGER = /\d+/y;
/**
 * "/10", " out of 10", " av tio", " von 10", " sur dix", " de 10", " na 10", " z dziesięciu",
 * and Finnish " kymmenestä" (ten's elative, no connector): the scale written after a score.
 * Group 1 is the connector, group 2 the denominator (group 3 for the Finnish form).
 */
const SCALE = /(?:[ ]?\/[ ]?|\s+\(?(out\s+of|ud\s+af|ut\s+av|utav|of|av|af|von|aus|van\s+de|van|uit|op|sur|sobre|de|na|z|ze)\s+)(\d+|ten|tio|ti|tíu|tiu|zehn|tien|dix|diez|dziesięć|dziesiec|dziesięciu|dziesieciu|kymmenen)(?![\p{L}\p{N}])\)?|\s+\(?(kymmenestä|kymmenesta|10:stä|10:sta)(?![\p{L}\p{N}])\)?/iuy;
/** Connectors that also join a part to a whole ("one of ten people", "uno de diez"): an ambiguous number word before them counts only alone. */
const TIGHT_SCALE = new Set(['out of', 'ud af', 'ut av', 'utav', 'sobre', '/']);
const LETTER = /\p{L}/u;
/** Up to four words, only spaces between them, right before a number: where a negation is looked for. */
const WORDS_BEFORE = /(?:[\p{L}'’]+ +){1,4}$/u;

function matchAt(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

/**
 * A phone number: 7–15 digits in groups, not a spaced list like "9 - 10 - 11". Groups of
 * two count when the number starts like one: with "+" or a trunk "0" ("06 12 34 56 78").
 */
function looksLikePhone(m: string): boolean {
  const digits = m.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15 && !m.includes(' - ') && (/\d{3}/.test(m) || /^(?:\+|\(?0\d)/.test(m));
}

function integerKind(digits: string): { value: number; kind: Kind } {
  const value = Number(digits);
  if (digits.length >= 5) return { value, kind: 'not-a-score' }; // phone, order or account number
  if (digits.length >= 3 && digits.startsWith('0')) return { value, kind: 'not-a-score' }; // a code like "007"
  if (digits.length === 4 && value >= 1900 && value <= 2099) return { value, kind: 'not-a-score' }; // a year
  return { value, kind: value > 10 ? 'out-of-range' : 'score' };
}

/** What the characters just before a number say about it. */
function prefixKind(s: string, start: number): Kind | null {
  const prev = s[start - 1];
  if (prev === undefined) return null;
  if (/\p{L}/u.test(prev)) return 'not-a-score'; // glued to letters: a code or model (B2B, A123, iPhone15)
  if ('#№@$€£¥°º'.includes(prev) || (prev === ' ' && '#№$€£¥'.includes(s[start - 2] ?? ''))) return 'not-a-score'; // "€ 10"
  if ('-−–'.includes(prev)) {
    const before = s[start - 2];
    if (before !== undefined && /[\p{L}\p{N}]/u.test(before)) return null;
    // "-3" is negative; in "7 -8" the dash joins a range
    const lastSeen = /(\S)\s*$/.exec(s.slice(Math.max(0, start - 12), start - 1));
    return lastSeen && /\d/.test(lastSeen[1] ?? '') ? null : 'negative';
  }
  const w = prevWord(s, start);
  if (!w) return null;
  const k = wordKey(w.word);
  if (MINUS.has(k)) return 'negative';
  if (BEFORE_NOT_SCORE.has(k) || w.symbol || (k === 'no' && w.punct === '.')) return 'not-a-score';
  if (w.punct === '' && (NEGATORS.has(k) || NEGATION_BRIDGE.has(k)) && negated(s, start)) return 'not-a-score';
  return null;
}

/**
 * The word right before a number and what stands between: "nr. 8", "order # 5", "n° 5".
 * Read backwards from the number (a space, a symbol, a space, a dot or colon, a space,
 * then letters), so the cost does not grow with the text before it.
 */
function prevWord(s: string, start: number): { word: string; punct: string; symbol: string } | null {
  let j = start;
  if (s[j - 1] === ' ') j--;
  const symbol = '#№°º'.includes(s[j - 1] || ' ') ? (s[--j] ?? '') : '';
  if (s[j - 1] === ' ') j--;
  const punct = s[j - 1] === '.' || s[j - 1] === ':' ? (s[--j] ?? '') : '';
  if (s[j - 1] === ' ') j--;
  let k = j;
  while (k > 0 && j - k < 27 && isLetter(s.charCodeAt(k - 1), s[k - 1] ?? '')) k--;
  return k < j ? { word: s.slice(k, j), punct, symbol } : null;
}

/** \p{L} for one UTF-16 unit, ASCII answered without a regex. */
function isLetter(code: number, ch: string): boolean {
  const lower = code | 32;
  if (lower >= 97 && lower <= 122) return true;
  return code >= 0xaa && LETTER.test(ch);
}

const MINUS = new Set(['minus', 'menos', 'moins', 'miinus']); // keys: Icelandic "mínus" is "minus"

/** "keine 10", "pas un 10", "not a 10", "ei ihan 10": the number the score is not. */
function negated(s: string, start: number): boolean {
  const m = WORDS_BEFORE.exec(s.slice(Math.max(0, start - 48), start));
  if (!m) return false;
  const words = m[0].trim().split(/ +/);
  for (let k = words.length - 1; k >= 0; k--) {
    const key = wordKey(words[k] ?? '');
    if (NEGATORS.has(key)) return true;
    if (!NEGATION_BRIDGE.has(key)) return false;
  }
  return false;
}

/** What follows a number: a unit ("3 days", "10%"), an ordinal, or a grade suffix ("9:a", "9'er") to include. */
function suffixOf(s: string, end: number): { kind?: Kind; unit?: boolean; extend?: number } {
  if (end >= s.length) return {}; // most scores end the reply
  const rest = s.slice(end, end + 24);
  if (/^ ?[%‰$€£¥]/.test(rest)) return { kind: 'not-a-score', unit: true };
  if (/^[:,]-(?=$|[\s.,!?;€])/.test(rest)) return { kind: 'not-a-score', unit: true }; // "10:-" Swedish kronor, "10,-" German euros
  let m = MONTH_AFTER.exec(rest);
  if (m && MONTHS.has(wordKey(m[1] ?? ''))) return { kind: 'not-a-score' }; // a date: "9. Mai", "10 de mayo", "9 maja"
  m = /^(?::a|['’´-]?er(?:en|n)?)(?![\p{L}\p{N}])/u.exec(rest); // "en 9:a", "en 9'er", "en 9-er": a nine
  if (m) return { extend: m[0].length };
  if (ORDINAL_SUFFIX.test(rest)) return { kind: 'not-a-score' };
  if (/^\p{L}+\d/u.test(rest)) return { kind: 'not-a-score' }; // a code like "9a9"
  if (/^ ?(?:[ap]\.m\.|°)/i.test(rest)) return { kind: 'not-a-score', unit: true };
  m = /^ ?(\p{L}+)/u.exec(rest);
  if (m && UNITS.has(wordKey(m[1] ?? ''))) return { kind: 'not-a-score', unit: true };
  return {};
}

const MONTH_AFTER = /^\.? ?(?:de )?(\p{L}+)/u;
/** Ordinals: "3:e", "10th", "9e", "9ème", "1re", "8ste", "9de", "9te", "9º", "9.ª", "9-ty", "9:s". */
const ORDINAL_SUFFIX = /^(?::e|:s|st|nd|rd|th|e|ème|eme|ième|ieme|re|de|ste|te|ten|o|a|[ºª]|\.[ºª]|-(?:ty|ta|te|go|ej|ego|tego|tej|ym))(?![\p{L}\p{N}])/iu;

/** "am 9.", "der 3.": a date preposition or an article right before the number. */
function afterDatePreposition(s: string, start: number): boolean {
  const w = /(\p{L}+) $/u.exec(s.slice(Math.max(0, start - 8), start));
  return w !== null && DATE_PREPOSITIONS.has(wordKey(w[1] ?? ''));
}

/** Reads the number whose digits start at i (s is the masked text). */
function readNumber(s: string, i: number): Candidate {
  for (const re of NEVER_SCORES) {
    const m = matchAt(re, s, i);
    if (m) return { start: i, end: i + m[0].length, value: NaN, kind: 'not-a-score' };
  }
  const ref = matchAt(SCALE_REF, s, i);
  if (ref) return { start: i, end: i + ref[0].length, value: NaN, kind: 'not-a-score', scaleRef: true };
  const phoneAt = s[i - 1] === '+' || s[i - 1] === '(' ? i - 1 : i;
  const phone = matchAt(PHONE, s, phoneAt);
  // in "9 555-1234" the 9 is not part of the phone number; in "07 700 900 123" the 07 is
  const leadingScore = phone !== null && /^(?:[1-9]|10) /.test(phone[0]) && looksLikePhone(phone[0].replace(/^\d{1,2} /, ''));
  if (phone && looksLikePhone(phone[0]) && !leadingScore) return { start: phoneAt, end: phoneAt + phone[0].length, value: NaN, kind: 'not-a-score' };
  // "1 000 kr": Nordic thousands, only trusted when an amount follows (else "9 100" would hide the 9)
  const spaced = matchAt(SPACED_THOUSANDS, s, i);
  if (spaced && suffixOf(s, i + spaced[0].length).unit) {
    return { start: i, end: i + spaced[0].length, value: NaN, kind: 'not-a-score', unit: true };
  }

  let end: number;
  let value: number;
  let kind: Kind;
  const dec = matchAt(DECIMAL, s, i);
  if (dec) {
    const [whole, int = '', , frac = ''] = dec;
    end = i + whole.length;
    if (int.length <= 3 && int !== '0' && frac.length === 3) ({ value, kind } = integerKind(int + frac)); // "1,000"
    else if (/^0+$/.test(frac)) ({ value, kind } = integerKind(int)); // "9.0" is a whole number
    else {
      value = Number(`${int}.${frac}`);
      kind = Number(int) > 10 ? 'out-of-range' : 'decimal';
    }
  } else {
    const digits = matchAt(INTEGER, s, i)?.[0] ?? '';
    end = i + Math.max(1, digits.length);
    ({ value, kind } = integerKind(digits));
  }

  const scale = matchAt(SCALE, s, end);
  if (scale) {
    const denom = scale[2] ?? scale[3] ?? '';
    end += scale[0].length;
    if (/^\d+$/.test(denom) && Number(denom) !== 10) kind = 'not-a-score'; // "4/5", "24/7", "3 out of 5"
  }

  const pre = prefixKind(s, i);
  if (pre === 'not-a-score') return { start: i, end, value, kind: 'not-a-score' };
  if (!scale && s[end] === '.' && !/\d/.test(s[end + 1] ?? '') && afterDatePreposition(s, i)) {
    return { start: i, end, value, kind: 'not-a-score' }; // "am 9.": the ninth
  }
  if (pre === 'negative' && kind !== 'not-a-score') kind = 'negative';
  if (!scale) {
    const post = suffixOf(s, end);
    if (post.extend) end += post.extend;
    if (post.kind) return { start: i, end, value, kind: post.kind, unit: post.unit };
  }
  return { start: i, end, value, kind };
}

// ---------------------------------------------------------------------------
// Parsing

const TOKEN = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*|\d+/gu;
/** TOKEN for ASCII text, where it means the same and runs faster without Unicode classes. */
const ASCII_TOKEN = /[A-Za-z]+(?:'[A-Za-z]+)*|\d+/g;
const NON_ASCII = /[^\x00-\x7f]/;
const URL_OR_EMAIL = /\b(?:https?:\/\/|www\.)\S+|[^\s@]+@[^\s@]+\.[^\s@]+/gi;
const KEYCAP = /([0-9#*])\uFE0F?\u20E3/g;
const VULGAR_FRACTION = /(\d) ?[\u00BC-\u00BE\u2150-\u215E]/g;
/** Any character the digit fix-ups below care about; most replies have none, so they skip that work. */
const RARE_DIGIT_FORMS = /[\u00BC-\u00BE\u2150-\u215E\u20E3\uFE0F\u2044\u2215]|\uD83D\uDD1F/;

/** The plain keys of NOT_NUMBER_FORMS ("tres", "kasi"): only tokens with one of these need a second look. */
const NOT_NUMBER_KEYS = new Set([...NOT_NUMBER_FORMS].map(wordKey));

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  const ascii = !NON_ASCII.test(s);
  // exec in a loop, not matchAll: no iterator, and ASCII words need no key normalisation
  const re = ascii ? ASCII_TOKEN : TOKEN;
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const text = m[0];
    const start = m.index;
    const first = text.charCodeAt(0);
    let key = ascii ? text.toLowerCase() : wordKey(text);
    // "très" keeps its accent in the key, so it never meets Spanish "tres"
    if (!ascii && NOT_NUMBER_KEYS.has(key) && NOT_NUMBER_FORMS.has(text.toLowerCase())) key = text.toLowerCase();
    out.push({ start, end: start + text.length, key, isNum: first >= 48 && first <= 57 });
  }
  return out;
}

function inside(c: Candidate[], t: Token): boolean {
  return c.some((x) => t.start >= x.start && t.end <= x.end);
}

/** Tokens after `from` are all filler words: nothing that could be a comment, number or a second score. */
function onlyFillersAfter(tokens: Token[], from: number): boolean {
  return tokens.every((t) => t.start < from || (!t.isNum && FILLERS.has(t.key)));
}

/** Number words are accepted only in the few shapes where they cannot be ordinary words. */
function wordCandidates(s: string, tokens: Token[], digitCands: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  const add = (t: Token, end: number, value: number, kind: Kind = 'score'): void => {
    out.push({ start: t.start, end, value, kind });
  };

  // "eight out of ten", "tio av tio", "åtta/10" anywhere; bare "of"/"av" only for unambiguous words ("one of ten people")
  let head = 0;
  while (head < tokens.length - 1 && FILLERS.has(tokens[head]?.key ?? '')) head++;
  tokens.forEach((t, idx) => {
    const n = NUMBER_WORDS.get(t.key);
    if (n === undefined || inside(digitCands, t)) return;
    const m = matchAt(SCALE, s, t.end);
    if (!m) return;
    const denom = m[2] ?? m[3] ?? '';
    const denomIsTen = !/^\d+$/.test(denom) || Number(denom) === 10;
    const connector = (m[1] ?? (m[3] ? 'kymmenestä' : '/')).toLowerCase().replace(/\s+/g, ' ');
    const loose = !TIGHT_SCALE.has(connector) && connector !== 'kymmenestä';
    const end = t.end + m[0].length;
    const ambiguous = AMBIGUOUS_NUMBER_WORDS.has(t.key);
    // at the start "en af ti" is a score, but "one of ten people" is not
    if (idx <= head || tokens.slice(0, idx).every((x) => FILLERS.has(x.key))) {
      if (!(loose && ambiguous) || onlyFillersAfter(tokens, end)) add(t, end, n, denomIsTen ? 'score' : 'not-a-score');
    } else if (denomIsTen && !(loose && ambiguous)) add(t, end, n);
  });

  // a short reply ending in an unambiguous number word after a separator: "Anna was great, nine"
  let tail = tokens.length - 1;
  while (tail > head && FILLERS.has(tokens[tail]?.key ?? '')) tail--;
  const last = tokens[tail];
  const beforeLast = tokens[tail - 1];
  if (last && beforeLast && tail > head && tokens.length <= 12 && !inside(out, last) && !AMBIGUOUS_NUMBER_WORDS.has(last.key)) {
    const n = NUMBER_WORDS.get(last.key);
    if (n !== undefined && /[,:;.!\-–—\n] ?$/.test(s.slice(beforeLast.end, last.start))) add(last, last.end, n);
  }

  const h = tokens[head];
  if (!h || inside(out, h)) return out;
  const headValue = h.isNum ? undefined : NUMBER_WORDS.get(h.key);
  const headIsScore = h.isNum ? digitCands.some((c) => c.kind === 'score' && c.start <= h.start && h.end <= c.end) : headValue !== undefined;
  if (!headIsScore) return out;
  const headEnd = h.isNum ? (digitCands.find((c) => c.start <= h.start && h.end <= c.end)?.end ?? h.end) : h.end;

  // "seven or eight", "between six and seven", "7 or eight": a choice of two is ambiguous
  const rest = tokens.filter((t) => t.start >= headEnd);
  const [r0, r1] = rest;
  const second = r0 && CONNECTORS.has(r0.key) && r1 && NUMBER_WORDS.has(r1.key) ? r1 : r0 && NUMBER_WORDS.has(r0.key) && !FILLERS.has(r0.key) ? r0 : undefined;
  if (second && /^[\s\-–—,/\p{L}]*$/u.test(s.slice(headEnd, second.start)) && onlyFillersAfter(tokens, second.end)) {
    if (headValue !== undefined) add(h, h.end, headValue);
    add(second, second.end, NUMBER_WORDS.get(second.key) ?? NaN);
    return out;
  }
  if (headValue === undefined) return out;

  // alone, perhaps with fillers: "ni", "Nio!", "I'd say eight", "en nia", "jeg giver jer et ni-tal"
  if (onlyFillersAfter(tokens, h.end)) add(h, h.end, headValue);
  // unambiguous word then a separator and a comment: "Nine - Anna was great"
  else if (!AMBIGUOUS_NUMBER_WORDS.has(h.key) && /^ ?[,\-–—:;.!]/.test(s.slice(h.end, h.end + 3))) add(h, h.end, headValue);
  return out;
}

const WRAPPERS = '()[]{}*_~"\'`«»“”„‘’|';
const LEADING_SEPARATORS = /^[\s\-‐-―−:,;.!?)\]}*_~/|>·•=…]+/u;
const TRAILING_BEFORE_JOIN = /[\s\-‐-―−(\[{*_~<|/]+$/u;
const TRAILING_WEAK = /[\s\-‐-―−:,;(\[{*_~<|/]+$/u;
const MEANINGFUL = /[\p{L}\p{N}\p{Extended_Pictographic}]/u;

function isFillerOnly(piece: string): boolean {
  if (/[\p{N}\p{Extended_Pictographic}]/u.test(piece)) return false;
  // stops at the first word that is not a filler: a long comment is not tokenized twice
  let words = 0;
  for (const m of piece.matchAll(NON_ASCII.test(piece) ? TOKEN : ASCII_TOKEN)) {
    if (!FILLERS.has(wordKey(m[0]))) return false;
    words++;
  }
  return words > 0;
}

/** The reply with the score (and scale, wrappers, lead-in words like "I'd say") cut out. */
function buildComment(s: string, spans: Candidate[]): string | null {
  const cuts = spans
    .map((c) => {
      let a = c.start;
      let b = c.end;
      while (a > 0 && WRAPPERS.includes(s[a - 1] ?? ' ')) a--;
      while (b < s.length && WRAPPERS.includes(s[b] ?? ' ')) b++;
      return [a, b] as const;
    })
    .sort((x, y) => x[0] - y[0]);
  const pieces: string[] = [];
  let at = 0;
  for (const [a, b] of cuts) {
    if (a > at) pieces.push(s.slice(at, a));
    else pieces.push('');
    at = Math.max(at, b);
  }
  pieces.push(s.slice(at));
  const kept = pieces
    .map((p, idx) => {
      let q = idx > 0 ? p.replace(LEADING_SEPARATORS, '') : p;
      if (idx < pieces.length - 1) q = q.replace(TRAILING_BEFORE_JOIN, '');
      return q;
    })
    .filter((p) => MEANINGFUL.test(p) && !isFillerOnly(p));
  const comment = kept.join(' ').replace(LEADING_SEPARATORS, '').replace(TRAILING_WEAK, '').trim();
  return comment && MEANINGFUL.test(comment) ? comment : null;
}

const REASON_ORDER = ['decimal', 'negative', 'out-of-range', 'not-a-score'] as const;
/** What joins two numbers into a range or a choice: "2-3", "2 to 3", "2 bis 3", "2 à 3", "2 lub 3". */
const RANGE_JOIN = /^(?:[-–—]|\s+(?:to|or|till|til|eller|och|and|og|bis|oder|und|tot|of|en|ou|et|à|a|o|u|y|lub|albo|czy|i|do|tai|ja|eða)\s+)$/iu;

function parse(raw: string): ParsedReply {
  const bounded = raw.length > MAX_SCAN_CHARS ? raw.slice(0, MAX_SCAN_CHARS) : raw;
  let s = normalizeText(RARE_DIGIT_FORMS.test(bounded) ? bounded.replace(VULGAR_FRACTION, '$1.5') : bounded); // "7½" is a decimal, not "71⁄2" after NFKC
  if (RARE_DIGIT_FORMS.test(s)) {
    s = s
      .replace(KEYCAP, '$1')
      .replace(/\uD83D\uDD1F/g, '10') // 🔟
      .replace(/(\d)\uFE0F/g, '$1')
      .replace(/[\u2044\u2215]/g, '/');
  }

  if (!/[^\s\u200C\u200D\uFE0E\uFE0F]/.test(s)) return { score: null, optOut: false, comment: null, reason: 'empty' };
  if (isOptOut(s)) return { score: null, optOut: true, comment: null };

  // Digits inside links and addresses are never scores; blank them but keep offsets.
  const masked = /https?:|www\.|@/i.test(s) ? s.replace(URL_OR_EMAIL, (m) => ' '.repeat(m.length)) : s;

  const digitCands: Candidate[] = [];
  const digitRun = /\d/g;
  for (let m = digitRun.exec(masked); m; m = digitRun.exec(masked)) {
    const c = readNumber(masked, m.index);
    digitCands.push(c);
    digitRun.lastIndex = Math.max(c.end, m.index + 1);
  }

  const tokens = tokenize(masked);
  const wordCands = wordCandidates(masked, tokens, digitCands);
  // "åtta/10": the 10 belongs to the word's scale
  const cands = [...digitCands.filter((d) => !wordCands.some((w) => d.start >= w.start && d.end <= w.end)), ...wordCands].sort((a, b) => a.start - b.start);

  // Ranges: "2-3 days" makes the 2 a duration too; "9-11" is a choice, not a 9.
  let rangeWithOutOfScale = false;
  for (let k = 0; k + 1 < cands.length; k++) {
    const a = cands[k];
    const b = cands[k + 1];
    if (!a || !b) continue;
    const between = masked.slice(a.end, b.start);
    if (!RANGE_JOIN.test(between)) continue;
    if (b.unit && a.kind !== 'not-a-score') cands[k] = { ...a, kind: 'not-a-score', unit: true };
    else if ((a.kind === 'score' && b.kind === 'out-of-range') || (a.kind === 'out-of-range' && b.kind === 'score')) rangeWithOutOfScale = true;
  }

  const scores = cands.filter((c) => c.kind === 'score' && !c.scaleRef);
  const values = new Set(scores.map((c) => c.value));
  const decimals = cands.filter((c) => c.kind === 'decimal');
  if (rangeWithOutOfScale || values.size > 1 || (values.size === 1 && decimals.some((d) => !values.has(d.value)))) {
    return { score: null, optOut: false, comment: null, reason: 'ambiguous' };
  }
  const [score] = values;
  if (score !== undefined) {
    const cut = cands.filter((c) => (c.kind === 'score' && c.value === score) || c.scaleRef);
    return { score, optOut: false, comment: buildComment(s, cut) };
  }
  if (cands.some((c) => c.scaleRef)) return { score: null, optOut: false, comment: null, reason: 'ambiguous' };
  const reason = REASON_ORDER.find((k) => cands.some((c) => c.kind === k));
  return { score: null, optOut: false, comment: null, reason: reason ?? 'no-number' };
}

/** Reads a reply to the NPS question. Never throws. */
export function parseReply(text: string): ParsedReply {
  try {
    return parse(typeof text === 'string' ? text : '');
  } catch {
    // Defensive only: a parser bug must cost one re-prompt, not the conversation.
    return { score: null, optOut: false, comment: null, reason: 'no-number' };
  }
}
