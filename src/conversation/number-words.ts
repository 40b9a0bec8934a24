/**
 * Number words zero to ten in the languages customers answer in. A word two
 * languages share ("to", "fire", "ni" in Danish and Norwegian) is listed once.
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
  ['nul', 0], ['et', 1], ['to', 2], ['fire', 4], ['seks', 6], ['syv', 7], ['otte', 8], ['ni', 9], ['ti', 10],
];

/** Bokmål, including the grade nouns "en nier", "en åtter". */
const NORWEGIAN: readonly NumberWord[] = [
  ['null', 0], ['én', 1], ['åtte', 8], ['nuller', 0], ['ener', 1], ['toer', 2], ['treer', 3], ['firer', 4],
  ['femmer', 5], ['sekser', 6], ['syver', 7], ['sjuer', 7], ['åtter', 8], ['nier', 9], ['tier', 10],
];

/** Word key → value, for every language at once (a reply may mix them). */
export const NUMBER_WORDS = new Map<string, number>(
  [...ENGLISH, ...SWEDISH, ...DANISH, ...NORWEGIAN].map(([w, n]) => [wordKey(w), n]),
);

/** Number words that are also everyday words or names: accepted only alone or in "x of ten". */
export const AMBIGUOUS_NUMBER_WORDS = keySet('one en et ett én to ni fire sex ti null nul tier åtter nia tia etta');
