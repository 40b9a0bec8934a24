/**
 * Number words zero to ten in the languages customers answer in, with the grade
 * nouns and colloquial forms natives type for a rating ("en nia", "kasi", "ysi",
 * "kympin", "dziewiątka", "een achtje"). Each language lists all of 0–10, so a word
 * two languages share ("ni" in Danish and Norwegian, "acht" in German and Dutch)
 * appears in both, with the same value (a test checks no word has two). The parser
 * reads every language at once, so a German "neun" means nine whatever locale the
 * platform reported.
 */
import { keySet, wordKey } from './reply-text.ts';

type NumberWord = readonly [word: string, value: number];

const ENGLISH: readonly NumberWord[] = [
  ['zero', 0], ['nought', 0], ['one', 1], ['two', 2], ['three', 3], ['four', 4], ['five', 5],
  ['six', 6], ['seven', 7], ['eight', 8], ['nine', 9], ['ten', 10],
];

/** Including the nouns used for grades ("en nia", "en tia"). */
const SWEDISH: readonly NumberWord[] = [
  ['noll', 0], ['nolla', 0], ['ett', 1], ['en', 1], ['etta', 1], ['två', 2], ['tvåa', 2], ['tre', 3], ['trea', 3],
  ['fyra', 4], ['fem', 5], ['femma', 5], ['sex', 6], ['sexa', 6], ['sju', 7], ['sjua', 7], ['åtta', 8],
  ['nio', 9], ['nia', 9], ['tio', 10], ['tia', 10],
];

const DANISH: readonly NumberWord[] = [
  ['nul', 0], ['en', 1], ['et', 1], ['to', 2], ['tre', 3], ['fire', 4], ['fem', 5], ['seks', 6], ['syv', 7], ['otte', 8], ['ni', 9], ['ti', 10],
];

/** Bokmål, including the grade nouns "en nier", "en åtter". */
const NORWEGIAN: readonly NumberWord[] = [
  ['null', 0], ['en', 1], ['én', 1], ['to', 2], ['tre', 3], ['fire', 4], ['fem', 5], ['seks', 6], ['sju', 7], ['syv', 7],
  ['åtte', 8], ['ni', 9], ['ti', 10], ['nuller', 0], ['ener', 1], ['toer', 2], ['treer', 3], ['firer', 4],
  ['femmer', 5], ['sekser', 6], ['syver', 7], ['sjuer', 7], ['åtter', 8], ['nier', 9], ['tier', 10],
];

/**
 * Finnish numerals (nominative and the accusative a rating takes: "annan yhden") and the
 * school-grade nicknames everyone types ("kasi", "ysi", "kymppi", "annan kympin").
 */
const FINNISH: readonly NumberWord[] = [
  ['nolla', 0], ['nollan', 0], ['yksi', 1], ['yhden', 1], ['kaksi', 2], ['kahden', 2], ['kolme', 3], ['kolmen', 3],
  ['neljä', 4], ['neljän', 4], ['viisi', 5], ['viiden', 5], ['kuusi', 6], ['kuuden', 6], ['seitsemän', 7],
  ['kahdeksan', 8], ['yhdeksän', 9], ['kymmenen', 10],
  ['ykkönen', 1], ['ykkösen', 1], ['kakkonen', 2], ['kakkosen', 2], ['kolmonen', 3], ['kolmosen', 3],
  ['nelonen', 4], ['nelosen', 4], ['nelkku', 4], ['vitonen', 5], ['vitosen', 5], ['viitonen', 5], ['kutonen', 6],
  ['kutosen', 6], ['seiska', 7], ['seiskan', 7], ['kasi', 8], ['kasin', 8], ['ysi', 9], ['ysin', 9], ['ysiä', 9],
  ['kymppi', 10], ['kympin', 10], ['kymppiä', 10], ['kympit', 10],
];

/** Icelandic in its three genders, and the grade nouns "nía", "tía" (school grades run 0–10). */
const ICELANDIC: readonly NumberWord[] = [
  ['núll', 0], ['einn', 1], ['ein', 1], ['eitt', 1], ['tveir', 2], ['tvær', 2], ['tvö', 2], ['þrír', 3], ['þrjár', 3],
  ['þrjú', 3], ['fjórir', 4], ['fjórar', 4], ['fjögur', 4], ['fimm', 5], ['fimma', 5], ['sex', 6], ['sexa', 6],
  ['sjö', 7], ['sjöa', 7], ['átta', 8], ['níu', 9], ['nía', 9], ['tíu', 10], ['tía', 10],
];

/** German, with "'ne Zehn" read as filler + ten. */
const GERMAN: readonly NumberWord[] = [
  ['null', 0], ['eins', 1], ['eine', 1], ['ein', 1], ['zwei', 2], ['zwo', 2], ['drei', 3], ['vier', 4], ['fünf', 5], ['fuenf', 5],
  ['sechs', 6], ['sieben', 7], ['acht', 8], ['neun', 9], ['zehn', 10],
];

/** Dutch, with the diminutives a grade takes ("een achtje", "een dikke negen", "een tientje"). */
const DUTCH: readonly NumberWord[] = [
  ['nul', 0], ['een', 1], ['eentje', 1], ['twee', 2], ['drie', 3], ['vier', 4], ['viertje', 4], ['vijf', 5], ['vijfje', 5], ['zes', 6],
  ['zesje', 6], ['zeven', 7], ['zeventje', 7], ['acht', 8], ['achtje', 8], ['negen', 9], ['negentje', 9], ['tien', 10],
  ['tientje', 10],
];

const FRENCH: readonly NumberWord[] = [
  ['zéro', 0], ['un', 1], ['une', 1], ['deux', 2], ['trois', 3], ['quatre', 4], ['cinq', 5], ['six', 6], ['sept', 7],
  ['huit', 8], ['neuf', 9], ['dix', 10],
];

const SPANISH: readonly NumberWord[] = [
  ['cero', 0], ['uno', 1], ['una', 1], ['dos', 2], ['tres', 3], ['cuatro', 4], ['cinco', 5], ['seis', 6],
  ['siete', 7], ['ocho', 8], ['nueve', 9], ['diez', 10],
];

/** Polish numerals and the grade nouns in nominative and accusative ("daję dziesiątkę"). */
const POLISH: readonly NumberWord[] = [
  ['jeden', 1], ['jedna', 1], ['jedno', 1], ['dwa', 2], ['dwie', 2], ['trzy', 3], ['cztery', 4], ['pięć', 5],
  ['zero', 0], ['sześć', 6], ['siedem', 7], ['osiem', 8], ['dziewięć', 9], ['dziesięć', 10],
  ['jedynka', 1], ['jedynkę', 1], ['dwójka', 2], ['dwójkę', 2], ['trójka', 3], ['trójkę', 3], ['czwórka', 4],
  ['czwórkę', 4], ['piątka', 5], ['piątkę', 5], ['szóstka', 6], ['szóstkę', 6], ['siódemka', 7], ['siódemkę', 7],
  ['ósemka', 8], ['ósemkę', 8], ['dziewiątka', 9], ['dziewiątkę', 9], ['dziesiątka', 10], ['dziesiątkę', 10],
];

/** The lists by BCP 47 language (a shared word sits in the first language that lists it). */
export const NUMBER_WORDS_BY_LANGUAGE: Readonly<Record<string, readonly NumberWord[]>> = {
  en: ENGLISH, sv: SWEDISH, da: DANISH, nb: NORWEGIAN, fi: FINNISH, is: ICELANDIC, de: GERMAN, nl: DUTCH, fr: FRENCH, es: SPANISH, pl: POLISH,
};

/** Word key → value, for every language at once (a reply may mix them). */
export const NUMBER_WORDS = new Map<string, number>(
  Object.values(NUMBER_WORDS_BY_LANGUAGE).flat().map(([w, n]) => [wordKey(w), n]),
);

/** Number words that are also everyday words or names: accepted only alone or in "x of ten". */
export const AMBIGUOUS_NUMBER_WORDS = keySet(`
  one en et ett én to ni fire sex ti null nul tier åtter nia tia etta
  yksi kuusi einn ein eitt eine eentje een un une uno una dos tres jeden jedna jedno piątka
`);

/**
 * Words whose accent makes them another word than the number their plain key spells:
 * French "très" (very) is not Spanish "tres", Finnish "käsi" (hand) is not "kasi" (eight).
 */
export const NOT_NUMBER_FORMS = new Set(['très', 'käsi', 'kässi']);
