/**
 * Tags a comment with themes, offline: words come from `Intl.Segmenter` (ICU's word
 * breaker, built into Node) and are stemmed with the Snowball stemmers of the
 * comment's language (`snowball-stemmers`: English, Swedish, Danish, Norwegian,
 * Finnish, German, Dutch, French, Spanish), so "leveranser", "leveransen" and
 * "leverans" are one word. Icelandic and Polish have no Snowball stemmer there; they
 * get a plain fallback that cuts a common case ending (`lightStem`).
 *
 * Which languages are read: the locale's, and English too (customers often write in
 * English) unless the comment's function words say it is the locale's language. When
 * two or more function words of another language outnumber the locale's, that
 * language is read instead: the locale is often only DEFAULT_LOCALE because the
 * platform did not say, and a German comment is German whatever it says. One stray
 * word is not enough ("leveransen var sen" under `en` stays English), and an English
 * comment under a Swedish locale is read as English only (Swedish compounds would
 * otherwise find "pris" in "prisoner").
 *
 * Swedish, Danish, Norwegian, Finnish, Icelandic, German and Dutch write compounds as
 * one word ("leveranstiden", "Lieferzeit", "toimitusaika"), so a theme word's stem
 * also matches as the compound's first part (stems of 4+ letters) or as its last part
 * (after a first part of 4+ letters, which keeps "forventer" — expects — away from
 * "vente").
 *
 * Negation never removes a theme: "not friendly" is about friendliness, and so is
 * "unfriendly" / "otrevlig" / "uvenlig": a negation prefix is tried off the word.
 */
import { newStemmer, type Stemmer } from 'snowball-stemmers';
import { THEME_LANGUAGES, type Theme, type ThemeLanguage } from './theme-list.ts';

const STEMMER_OF: Partial<Record<ThemeLanguage, string>> = {
  en: 'english', sv: 'swedish', da: 'danish', nb: 'norwegian', fi: 'finnish', de: 'german', nl: 'dutch', fr: 'french', es: 'spanish',
};
const NEGATION_PREFIXES: Record<ThemeLanguage, string[]> = {
  en: ['un', 'in', 'im', 'dis'],
  sv: ['o', 'in'],
  da: ['u', 'in'],
  nb: ['u', 'in'],
  fi: ['epä'],
  is: ['ó'],
  de: ['un'],
  nl: ['on'],
  fr: ['in', 'im', 'mé', 'dés'],
  es: ['in', 'im', 'des'],
  pl: ['nie'],
};
const COMPOUNDING = new Set<ThemeLanguage>(['sv', 'da', 'nb', 'fi', 'is', 'de', 'nl']);

/** Case and number endings cut by the plain fallback, longest first; at least four letters stay. */
const LIGHT_ENDINGS: Partial<Record<ThemeLanguage, string[]>> = {
  is: ['anna', 'inum', 'unum', 'inni', 'ana', 'ina', 'ann', 'inn', 'ið', 'ir', 'ar', 'ur', 'um', 'an', 'a', 'i', 'u'],
  pl: ['ami', 'ach', 'ego', 'emu', 'ymi', 'imi', 'iej', 'ej', 'ie', 'ów', 'om', 'em', 'ym', 'im', 'ą', 'ę', 'a', 'e', 'i', 'y', 'o', 'u'],
};

/** The plain stemmer for languages Snowball does not cover here: one case ending off. */
function lightStemmer(lang: ThemeLanguage): Stemmer {
  const endings = LIGHT_ENDINGS[lang] ?? [];
  return {
    stem(word) {
      for (const e of endings) if (word.endsWith(e) && word.length - e.length >= 4) return word.slice(0, -e.length);
      return word;
    },
  };
}
/** Shorter stems match whole words only (Danish "venlig" stems to "ven"). */
const MIN_FIRST_PART = 4;
const MIN_HEAD = 4;
/** Function words that tell the languages apart; Swedish, Danish and Norwegian count as one family. */
const FUNCTION_WORDS: Record<ThemeLanguage | 'nordic', Set<string>> = {
  en: new Set(['the', 'and', 'was', 'is', 'not', 'it', 'to', 'very', 'but', 'my', 'you', 'with', 'of', 'they', 'were', 'have', 'this']),
  nordic: new Set(['och', 'inte', 'jag', 'det', 'är', 'var', 'mycket', 'men', 'og', 'ikke', 'jeg', 'er', 'meget', 'veldig', 'til', 'att', 'som', 'på', 'med', 'av', 'af', 'ni', 'dere', 'hade', 'havde', 'hadde']),
  sv: new Set(['och', 'inte', 'jag', 'det', 'är', 'var', 'mycket', 'men', 'att', 'som', 'på', 'med', 'av', 'hade', 'ni']),
  da: new Set(['og', 'ikke', 'jeg', 'det', 'er', 'var', 'meget', 'men', 'til', 'som', 'på', 'med', 'af', 'havde']),
  nb: new Set(['og', 'ikke', 'jeg', 'det', 'er', 'var', 'veldig', 'men', 'til', 'som', 'på', 'med', 'av', 'hadde', 'dere']),
  fi: new Set(['ja', 'ei', 'on', 'oli', 'että', 'se', 'mutta', 'kun', 'todella', 'olen', 'en', 'minä', 'mä', 'ole', 'myös', 'vain', 'niin', 'kuin', 'erittäin', 'tosi']),
  is: new Set(['og', 'ekki', 'ég', 'það', 'er', 'var', 'mjög', 'en', 'að', 'sem', 'á', 'með', 'af', 'hjá', 'um', 'þið', 'við']),
  de: new Set(['und', 'nicht', 'ich', 'das', 'ist', 'war', 'sehr', 'aber', 'die', 'der', 'mit', 'von', 'zu', 'es', 'wir', 'ein', 'eine', 'auf', 'sie']),
  nl: new Set(['en', 'niet', 'ik', 'het', 'is', 'was', 'erg', 'heel', 'maar', 'de', 'van', 'met', 'een', 'te', 'dat', 'zijn', 'we', 'jullie']),
  fr: new Set(['et', 'pas', 'je', 'le', 'la', 'les', 'est', 'était', 'très', 'mais', 'de', 'des', 'du', 'un', 'une', 'avec', 'pour', 'que', 'qui', 'vous', 'c\'est']),
  es: new Set(['y', 'no', 'yo', 'el', 'la', 'los', 'es', 'era', 'muy', 'pero', 'de', 'del', 'con', 'para', 'que', 'un', 'una', 'por', 'fue']),
  pl: new Set(['i', 'nie', 'jest', 'był', 'była', 'było', 'bardzo', 'ale', 'że', 'to', 'się', 'na', 'z', 'w', 'do', 'za', 'jak']),
};
const NORDIC = new Set<ThemeLanguage>(['sv', 'da', 'nb']);
/** Function words another language needs, and more than the locale's, before it replaces the locale. */
const MIN_EVIDENCE = 2;
/** Longer comments are cut: themes are read from the first part, and the time a comment can cost is bounded. */
export const MAX_TAGGED_CHARS = 5000;

interface StemmedWord { theme: string; stem: string }

export interface ThemeTagger {
  readonly themes: readonly Theme[];
  /** The ids of the themes a comment mentions, in the order of the theme list. */
  tag(comment: string, locale?: string): string[];
}

/** `en`, `sv`, `de`, `fi` … (also `no`, `nn`, `sv-SE`, `de_AT` …) → the tagger's language, or null. */
export function themeLanguageOf(locale: string | undefined): ThemeLanguage | null {
  const base = (locale ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  if (base === 'no' || base === 'nn') return 'nb';
  return (THEME_LANGUAGES as readonly string[]).includes(base) ? (base as ThemeLanguage) : null;
}

/**
 * The languages to read a comment in: the locale's (`own`) unless another language's
 * function words clearly outnumber it; with no locale, the languages the words point to.
 */
export function readingLanguages(words: readonly string[], own: ThemeLanguage | null): ThemeLanguage[] {
  const score = (set: Set<string>): number => words.reduce((n, w) => n + (set.has(w) ? 1 : 0), 0);
  const family = own && NORDIC.has(own) ? NORDIC : new Set(own ? [own] : []);
  const others = THEME_LANGUAGES.filter((l) => !family.has(l)).map((l) => [l, score(FUNCTION_WORDS[l])] as const);
  const best = Math.max(0, ...others.map(([, n]) => n));
  const leaders = others.filter(([, n]) => n === best).map(([l]) => l);
  if (!own) return best === 0 ? ['en'] : leaders;
  const ownScore = score(FUNCTION_WORDS[NORDIC.has(own) ? 'nordic' : own]);
  if (best >= MIN_EVIDENCE && best > ownScore) return leaders;
  if (own === 'en') return ['en'];
  return ownScore > score(FUNCTION_WORDS.en) ? [own] : [own, 'en'];
}

export function createThemeTagger(themes: readonly Theme[]): ThemeTagger {
  const stemmers = new Map<ThemeLanguage, Stemmer>();
  const stemmerOf = (lang: ThemeLanguage): Stemmer => {
    let s = stemmers.get(lang);
    if (!s) {
      const algorithm = STEMMER_OF[lang];
      s = algorithm ? newStemmer(algorithm) : lightStemmer(lang);
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
  for (const lang of THEME_LANGUAGES) {
    const list: StemmedWord[] = [];
    const byStem = new Map<string, Set<string>>();
    for (const th of themes) {
      for (const w of th.words[lang] ?? []) {
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
      const words: string[] = [];
      for (const seg of segmenterOf(own ?? 'en').segment(text)) if (seg.isWordLike) words.push(seg.segment.toLowerCase());
      const langs = readingLanguages(words, own);
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
