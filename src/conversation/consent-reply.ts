/**
 * Reading the answer to "may we quote your comment?" in English, Swedish, Danish,
 * Norwegian, Finnish, Icelandic, German, Dutch, French, Spanish and Polish. Only a
 * clear yes is consent: anything else (no, unclear, a question back, a yes with a
 * condition) is not, because quoting someone publicly without a clear yes is the
 * worse mistake.
 *
 * A reply is read as a sequence of known phrases: "ja, det går fint" is "ja" + "det
 * går fint", "yes, sure, thanks" is "yes" + "sure" + a courtesy. Consent needs every
 * part to be a yes phrase or a courtesy; a decline, every part a no phrase or a
 * courtesy. Anything left over ("yes but only my first name", "ja men inte namnet",
 * "of course not") makes the answer unclear, which is not consent either. Negated
 * yeses ("no problem", "ingen fara", "ikke noe problem", "kein Problem", "nie ma
 * sprawy", "ei haittaa") are phrases of their own, so they count as yes.
 *
 * Polish "tak" (yes, and what the Polish question asks for) is Danish for "thanks":
 * it counts as a yes unless the customer's locale is Danish, where it is a courtesy
 * ("ja tak", "nej tak" are phrases of their own either way).
 */

const phrases = (list: string): string[] => list.split('|').map((p) => p.trim()).filter(Boolean);

const YES_PHRASES = phrases(`
  yes|yeah|yep|yup|ya|yea|sure|sure thing|ok|okay|k|alright|all right|of course|absolutely|definitely|certainly|go ahead|
  go for it|fine|fine by me|that's fine|that is fine|that's ok|that is ok|that's okay|that's alright|it's fine|
  sounds good|please do|yes please|you may|yes you may|you can|yes you can|feel free|by all means|no problem|
  no problem at all|no worries|why not|i don't mind|i do not mind|happy for you to|of course you can|with pleasure|
  totally|for sure|please go ahead|go on|
  ja|javisst|visst|ja visst|absolut|okej|självklart|givetvis|gärna|ja gärna|ja tack|japp|jepp|jajamän|såklart|klart|
  det går bra|det går fint|det är okej|det är ok|det är lugnt|det är fine|inga problem|ingen fara|kör|kör på|
  ni får gärna|det får ni|ni får|självklart får ni det|absolut får ni det|varsågod|
  selvfølgelig|gerne|ja tak|ja da|jada|jo|jep|naturligvis|sagtens|helt sikkert|det er fint|det er ok|det er okay|
  det er i orden|fint med mig|ingen problemer|bare gør det|værsgo|i må gerne|det må i gerne|det må i godt|
  selvsagt|greit|ja greit|det er greit|helt greit|det er helt greit|gjerne|ja gjerne|ja takk|absolutt|bare kjør|
  kjør på|ingen problem|ikke noe problem|værsågod|vær så god|dere må gjerne|dere kan det|det kan dere|sikkert|
  fint for meg|det går greit|
  kyllä|joo|juu|jep|kyllä vaan|toki|joo toki|tietysti|tietenkin|totta kai|ilman muuta|sopii|sopii hyvin|
  se sopii|käy|käy hyvin|se käy|saa|saatte|saa lainata|saatte lainata|mielelläni|okei|selvä|ei haittaa|
  ei se haittaa|ei ongelmaa|ehdottomasti|mikä ettei|
  já|jú|jájá|endilega|auðvitað|sjálfsagt|alveg sjálfsagt|það er í lagi|í lagi|allt í lagi|ekkert mál|
  gjörðu svo vel|gjöriði svo vel|það má|þið megið|þið megið það|
  gern|klar|na klar|sicher|natürlich|selbstverständlich|ja bitte|in ordnung|ist in ordnung|das ist in ordnung|
  das ist ok|passt|passt schon|das passt|kein problem|einverstanden|jawohl|dürfen sie|das dürfen sie|
  sie dürfen|gerne doch|nur zu|klar doch|sehr gern|sehr gerne|
  ja hoor|prima|prima hoor|graag|zeker|jazeker|natuurlijk|tuurlijk|uiteraard|is goed|dat is goed|
  geen probleem|oké|akkoord|mag|dat mag|dat mag zeker|ga je gang|ga uw gang|jawel|met plezier|
  oui|ouais|d'accord|dac|bien sûr|avec plaisir|pas de souci|pas de soucis|pas de problème|aucun problème|
  allez-y|allez y|vas-y|vas y|volontiers|évidemment|bien entendu|ça me va|ca me va|c'est bon|ok pour moi|
  je suis d'accord|vous pouvez|oui vous pouvez|carrément|
  sí|si|claro|claro que sí|por supuesto|vale|de acuerdo|adelante|sin problema|ningún problema|con gusto|
  encantado|encantada|perfecto|está bien|me parece bien|pueden|puede|puedes|dale|desde luego|cómo no|
  por supuesto que sí|
  jasne|no jasne|oczywiście|pewnie|no pewnie|śmiało|zgoda|zgadzam się|nie ma sprawy|nie ma problemu|
  proszę bardzo|bardzo proszę|okej|dobrze|może być|jak najbardziej|oczywiście że tak|możecie|możesz|
  zgadzam się oczywiście|
  👍|✅|👌
`);

const NO_PHRASES = phrases(`
  no|nope|nah|no thanks|no thank you|rather not|i'd rather not|i would rather not|please don't|please do not|
  don't|do not|not now|no way|not really|i prefer not|i'd prefer not|i'd prefer not to|absolutely not|
  definitely not|sorry no|no sorry|better not|
  nej|nej tack|helst inte|inte nu|hellre inte|absolut inte|nä|nää|nix|det vill jag inte|jag vill inte|
  det går inte|nej tack ändå|inte alls|
  nej tak|helst ikke|ikke nu|det vil jeg ikke|jeg vil ikke|lad være|lad vær|absolut ikke|hellere lade være|
  nei|nei takk|ikke nå|ellers takk|absolutt ikke|la være|jeg vil helst ikke|nei ellers takk|ikke det nei|
  ei|ei kiitos|mieluummin ei|en halua|ei käy|ei sovi|älkää|ei nyt|ei missään nimessä|en mieluusti|
  nei takk fyrir|helst ekki|ekki núna|alls ekki|ekki|
  nein|nein danke|lieber nicht|nö|nee|eher nicht|bitte nicht|auf keinen fall|jetzt nicht|nicht jetzt|ungern|
  lieber nicht danke|
  nee dank je|nee bedankt|liever niet|niet doen|nee hoor|nu niet|nooit|
  non|non merci|plutôt pas|plutôt non|je préfère pas|je préfère que non|je ne préfère pas|pas question|
  surtout pas|pas vraiment|pas maintenant|pas pour l'instant|
  no gracias|prefiero que no|mejor no|de ninguna manera|ni hablar|ahora no|no por ahora|
  nie|nie dziękuję|wolałbym nie|wolałabym nie|raczej nie|wolę nie|nie teraz|absolutnie nie|w żadnym wypadku|
  nie chcę|
  👎|❌
`);

/** Words that neither grant nor refuse: thanks, greetings. "tak" is here: Danish thanks, Polish yes. */
const COURTESIES = phrases(`
  thanks|thank you|thx|ty|cheers|please|hi|hello|hey|
  tack|tak|takk|tack så mycket|tusen takk|mange tak|hej|hei|
  kiitos|kiitti|moi|takk fyrir|kærar þakkir|hæ|
  danke|danke schön|vielen dank|hallo|bedankt|dank je|dank u|dankjewel|dank je wel|
  merci|merci beaucoup|bonjour|salut|gracias|muchas gracias|hola|
  dziękuję|dzięki|cześć|proszę
`);

/** Lower-case, no accents (æ, ø, ð, þ, ł have none to lose), straight apostrophes, words split by spaces. */
function flatten(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’`´]/g, "'")
    .replace(/[👍✅👌🙌]/gu, ' 👍 ')
    .replace(/[👎❌🚫]/gu, ' 👎 ')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}'👍👎 -]+/gu, ' ')
    .replace(/(^| )['-]+|['-]+(?= |$)/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
}

const keyed = (list: string[]): Set<string> => new Set(list.map(flatten).filter(Boolean));
const YES = keyed(YES_PHRASES);
const NO = keyed(NO_PHRASES);
const COURTESY = keyed(COURTESIES);
const YES_OR_TAK = new Set([...YES, 'tak']);
const LONGEST = Math.max(...[...YES, ...NO, ...COURTESY].map((p) => p.split(' ').length));

/**
 * Whether `words` splits into phrases of `kind` and courtesies, with at least one of
 * `kind` (a courtesy alone answers nothing). Small inputs only (the caller bounds them).
 */
function coveredBy(words: string[], kind: Set<string>): boolean {
  // reach[i]: words[0..i) splits; 1 = only courtesies so far, 2 = at least one phrase of kind
  const reach = new Array<number>(words.length + 1).fill(0);
  reach[0] = 1;
  for (let i = 0; i < words.length; i++) {
    const from = reach[i] ?? 0;
    if (from === 0) continue;
    for (let n = 1; n <= LONGEST && i + n <= words.length; n++) {
      const p = words.slice(i, i + n).join(' ');
      const to = kind.has(p) ? 2 : COURTESY.has(p) ? from : 0;
      if (to > (reach[i + n] ?? 0)) reach[i + n] = to;
    }
  }
  return reach[words.length] === 2;
}

export type ConsentAnswer = 'granted' | 'declined' | 'unclear';

/**
 * Reads a consent answer. `locale` (the customer's, when known) only decides "tak":
 * thanks in Danish, yes otherwise.
 */
export function readConsent(text: string, locale?: string): ConsentAnswer {
  if (typeof text !== 'string' || text.length > 200) return 'unclear';
  const flat = flatten(text);
  if (flat.length === 0 || flat.length > 80) return 'unclear';
  const words = flat.split(' ');
  if (words.length > 16) return 'unclear';
  if (coveredBy(words, /^da\b/i.test(locale ?? '') ? YES : YES_OR_TAK)) return 'granted';
  if (coveredBy(words, NO)) return 'declined';
  return 'unclear';
}
