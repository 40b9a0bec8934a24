/**
 * Whether a regular expression can backtrack catastrophically, for patterns taken from
 * settings and run on text anyone can send. Two shapes cause it: a quantifier inside a
 * repeated group (`(a+)+`, `(\w+\s?)*`: star height above one, found by safe-regex2) and
 * an alternation inside a repeated group (`(a|ab)*`, `(x|x)+`: its branches can match
 * the same text in many ways, which safe-regex2 does not look for).
 */
import isSafeRegex from 'safe-regex2';

export function mayBacktrackCatastrophically(source: string): boolean {
  return !isSafeRegex(source) || repeatedAlternation(source);
}

/** A group with a top-level `|` followed by `*`, `+` or `{n,}` / `{n,m}` with m > 1. */
function repeatedAlternation(source: string): boolean {
  const groups: boolean[] = []; // per open group: has a top-level alternation
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') { inClass = true; continue; }
    if (c === '(') { groups.push(false); continue; }
    if (c === '|' && groups.length > 0) { groups[groups.length - 1] = true; continue; }
    if (c === ')') {
      const alternates = groups.pop() ?? false;
      if (alternates && repeats(source.slice(i + 1))) return true;
    }
  }
  return false;
}

function repeats(after: string): boolean {
  if (after.startsWith('*') || after.startsWith('+')) return true;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(after);
  if (!m) return false;
  if (m[2] === undefined) return Number(m[1]) > 1;
  return m[3] === '' || Number(m[3]) > 1;
}
