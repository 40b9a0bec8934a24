/**
 * Tags a comment with themes, offline: words come from `Intl.Segmenter` (ICU's word
 * breaker, built into Node) and are stemmed with the Snowball stemmers of the
 * comment's language (`snowball-stemmers`), so "leveranser", "leveransen" and
 * "leverans" are one word. English is tried too (Scandinavian customers often write
 * in English), unless the comment's common words say it is Scandinavian; and the
 * locale's language is skipped when they say it is English (Swedish compounds would
 * otherwise find "pris" in "prisoner").
 *
 * Swedish, Danish and Norwegian write compounds as one word ("leveranstiden",
 * "prisvärd", "mobilappen"), so a theme word's stem also matches as the compound's
 * first part (stems of 4+ letters) or as its last part (after a first part of 4+
 * letters, which keeps "forventer" — expects — away from "vente").
 *
 * Negation never removes a theme: "not friendly" is about friendliness, and so is
 * "unfriendly" / "otrevlig" / "uvenlig": a negation prefix is tried off the word.
 */
import { newStemmer, type Stemmer } from 'snowball-stemmers';
import type { Theme, ThemeLanguage } from './theme-list.ts';

const STEMMER_OF: Record<ThemeLanguage, string> = { en: 'english', sv: 'swedish', da: 'danish', nb: 'norwegian' };
const NEGATION_PREFIXES: Record<ThemeLanguage, string[]> = {
  en: ['un', 'in', 'im', 'dis'],
  sv: ['o', 'in'],
  da: ['u', 'in'],
  nb: ['u', 'in'],
};
const COMPOUNDING = new Set<ThemeLanguage>(['sv', 'da', 'nb']);
/** Shorter stems match whole words only (Danish "venlig" stems to "ven"). */
const MIN_FIRST_PART = 4;
const MIN_HEAD = 4;
/** Function words that tell English from Swedish/Danish/Norwegian text. */
const ENGLISH_WORDS = new Set(['the', 'and', 'was', 'is', 'not', 'it', 'to', 'very', 'but', 'my', 'you', 'with', 'of', 'they', 'were', 'have', 'this']);
const NORDIC_WORDS = new Set(['och', 'inte', 'jag', 'det', 'är', 'var', 'mycket', 'men', 'og', 'ikke', 'jeg', 'er', 'meget', 'veldig', 'til', 'att', 'som', 'på', 'med', 'av', 'af', 'ni', 'dere', 'hade', 'havde', 'hadde']);
/** Longer comments are cut: themes are read from the first part, and the time a comment can cost is bounded. */
export const MAX_TAGGED_CHARS = 5000;

interface StemmedWord { theme: string; stem: string }

export interface ThemeTagger {
  readonly themes: readonly Theme[];
  /** The ids of the themes a comment mentions, in the order of the theme list. */
  tag(comment: string, locale?: string): string[];
}

/** `en`, `sv`, `da`, `nb` (also `no`, `nn`, `sv-SE` …) → the tagger's language, or null. */
export function themeLanguageOf(locale: string | undefined): ThemeLanguage | null {
  const base = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  if (base === 'en' || base === 'sv' || base === 'da') return base;
  if (base === 'nb' || base === 'no' || base === 'nn') return 'nb';
  return null;
}

export function createThemeTagger(themes: readonly Theme[]): ThemeTagger {
  const stemmers = new Map<ThemeLanguage, Stemmer>();
  const stemmerOf = (lang: ThemeLanguage): Stemmer => {
    let s = stemmers.get(lang);
    if (!s) {
      s = newStemmer(STEMMER_OF[lang]);
      stemmers.set(lang, s);
    }
    return s;
  };
  const segmenters = new Map<ThemeLanguage, Intl.Segmenter>();
  const segmenterOf = (lang: ThemeLanguage): Intl.Segmenter => {
    let s = segmenters.get(lang);
    if (!s) {
      s = new Intl.Segmenter(lang, { granularity: 'word' });
      segmenters.set(lang, s);
    }
    return s;
  };
  const order = new Map(themes.map((th, i) => [th.id, i]));

  // Each theme word, stemmed once, per language.
  const vocab = new Map<ThemeLanguage, StemmedWord[]>();
  const exact = new Map<ThemeLanguage, Map<string, Set<string>>>();
  for (const lang of Object.keys(STEMMER_OF) as ThemeLanguage[]) {
    const list: StemmedWord[] = [];
    const byStem = new Map<string, Set<string>>();
    for (const th of themes) {
      for (const w of th.words[lang]) {
        const stem = stemmerOf(lang).stem(w.normalize('NFC').toLocaleLowerCase(lang));
        list.push({ theme: th.id, stem });
        let set = byStem.get(stem);
        if (!set) byStem.set(stem, (set = new Set()));
        set.add(th.id);
      }
    }
    vocab.set(lang, list);
    exact.set(lang, byStem);
  }

  const matchWord = (word: string, lang: ThemeLanguage, found: Set<string>): void => {
    const stemmer = stemmerOf(lang);
    const forms = [word];
    for (const p of NEGATION_PREFIXES[lang]) if (word.startsWith(p) && word.length - p.length >= 3) forms.push(word.slice(p.length));
    for (const form of forms) {
      const stem = stemmer.stem(form);
      for (const id of exact.get(lang)!.get(stem) ?? []) found.add(id);
      if (!COMPOUNDING.has(lang)) continue;
      for (const v of vocab.get(lang)!) {
        if (found.has(v.theme)) continue;
        const firstPart = v.stem.length >= MIN_FIRST_PART && form.length > v.stem.length && form.startsWith(v.stem);
        const lastPart = stem.length - v.stem.length >= MIN_HEAD && stem.endsWith(v.stem);
        if (firstPart || lastPart) found.add(v.theme);
      }
    }
  };

  return {
    themes,
    tag(comment, locale) {
      const text = comment.slice(0, MAX_TAGGED_CHARS).normalize('NFC');
      const own = themeLanguageOf(locale);
      const langs: ThemeLanguage[] = ['en'];
      if (own && own !== 'en') {
        let english = 0;
        let nordic = 0;
        for (const seg of segmenterOf(own).segment(text)) {
          if (!seg.isWordLike) continue;
          const w = seg.segment.toLocaleLowerCase(own);
          if (ENGLISH_WORDS.has(w)) english++;
          if (NORDIC_WORDS.has(w)) nordic++;
        }
        if (nordic > english) langs[0] = own;
        else if (english === nordic) langs.unshift(own);
      }
      const found = new Set<string>();
      for (const lang of langs) {
        for (const seg of segmenterOf(lang).segment(text)) {
          if (!seg.isWordLike) continue;
          matchWord(seg.segment.toLocaleLowerCase(lang), lang, found);
        }
      }
      return [...found].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    },
  };
}
