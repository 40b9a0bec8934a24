/**
 * Reading the answer to "may we quote your comment?" in English, Swedish, Danish and
 * Norwegian. Only a clear yes is consent: anything else (no, unclear, a question back)
 * is not, because quoting someone publicly without a clear yes is the worse mistake.
 */
const YES = new Set([
  'yes', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'of course', 'absolutely', 'go ahead', 'fine', 'yes please', 'yes you may', 'yes you can',
  'ja', 'javisst', 'visst', 'absolut', 'okej', 'självklart', 'sjalvklart', 'gärna', 'garna', 'ja gärna', 'ja garna', 'ja visst', 'ja absolut',
  'selvfølgelig', 'selvfolgelig', 'gerne', 'ja gerne', 'ja tak', 'klart', 'selvsagt', 'greit', 'ja da', 'jada', 'ja selvfølgelig', 'ja selvsagt',
]);

const NO = new Set([
  'no', 'nope', 'nah', 'no thanks', 'no thank you', 'rather not', "i'd rather not", 'please dont', "please don't",
  'nej', 'nej tack', 'helst inte', 'nej tak', 'helst ikke', 'nei', 'nei takk', 'ellers takk',
]);

export type ConsentAnswer = 'granted' | 'declined' | 'unclear';

export function readConsent(text: string): ConsentAnswer {
  const flat = text.toLowerCase().normalize('NFC').replace(/[’`´]/g, "'").replace(/[^\p{L}\p{N}' ]+/gu, ' ').replace(/ +/g, ' ').trim();
  if (flat.length === 0 || flat.length > 60) return 'unclear';
  if (YES.has(flat)) return 'granted';
  if (NO.has(flat)) return 'declined';
  return 'unclear';
}
