/**
 * Opt-out commands in English, Swedish, Danish, Norwegian, Finnish, Icelandic, German,
 * Dutch, French, Spanish and Polish ("STOP", "avregistrera mig", "meld meg av",
 * "abmelden", "désabonner", "darse de baja", "wypisz mnie", "lopeta", "hætta",
 * "please don't message me again"), recognised only when they are the whole reply,
 * with polite words around them. Matched on the reply lower-cased and without accents
 * (letters like æ, ø, ð, þ, ł have none to lose and stay).
 */

const words = (list: string): string => list.trim().split(/\s+/).join('|');

const OPT_OUT_PREFIX = `(?:${words(`
  please pls plz kindly just ok okay oh no nah nope hi hey hello hej hei thanks thank you thx tack takk tak snalla
  venligst vaer vær sa så snill i i'd id i'll want wanna to like would can could will u let me jag vill jeg vil kan du
  ni nej nei then so well ugh yes yeah and now och og bare bara gerne garna helst rather said say told already
  bitte ich mochte möchte will mich danke nein hallo also graag ik wil mij alsjeblieft alstublieft aub nee hoi dank je
  svp s'il vous plait merci non veux voudrais bonjour por favor quiero hola gracias yo ya prosze mnie chce sie
  dziekuje nie juz kiitos voisitteko voitteko ei moi joo nyt vaan vinsamlegast eg ja hæ
`)})`;

const OPT_OUT_COMMAND = `(?:${[
  // English, Swedish, Danish, Norwegian
  `stop|stopp|stopall|stop all|unsubscribe|unsub|opt out|optout|opt me out|avsluta|avregistrera|afmeld|frameld|avmeld|avslutt|meld av|meld meg av|meld mig af|meld mig ud|sluta`,
  `no more (?:messages|surveys|questions|texts)`,
  `(?:don't|dont|do not|please don't|never) (?:ask|message|text|contact|send|email|bother|survey)(?: me)?(?: again| anymore| any more| ever again)?`,
  // German
  `abmelden|abbestellen|austragen|abmeldung|mich abmelden|mich austragen|(?:trag|tragt|tragen sie) mich aus|(?:melde|meldet|melden sie) mich ab`,
  `keine (?:nachrichten|umfragen|fragen|mails|e mails|sms|befragungen) mehr`,
  `(?:nicht|nie) mehr (?:anschreiben|schreiben|fragen|kontaktieren|nerven|storen|senden|schicken|befragen)`,
  `(?:schreib|schreibt|schreiben sie) mir nicht mehr|hor(?:t|en sie)? auf`,
  // Dutch
  `afmelden|uitschrijven|(?:schrijf|meld) (?:me|mij) (?:uit|af)|stoppen`,
  `geen (?:berichten|enquetes|vragen|mails|sms) meer`,
  `(?:niet|nooit) meer (?:sturen|vragen|benaderen|contacteren|mailen|berichten|appen)|stuur (?:me|mij) (?:niets|niks|geen berichten) meer`,
  // French
  `desabonner|desabonnement|me desabonner|desinscription|desinscrire|me desinscrire|arreter|arretez|arrete`,
  `(?:ne )?(?:me |m')(?:contactez|ecrivez|envoyez|sollicitez|demandez|relancez|ecris|contacte|envoie) plus`,
  `plus de (?:messages|questions|sondages|enquetes|mails|sms)`,
  // Spanish
  `(?:darse|darme|dar|dame|denme) de baja|baja|cancelar (?:la )?suscripcion|desuscribir(?:me)?|basta|paren`,
  `no me (?:escriban|escribas|contacten|contactes|envien|envies|pregunten|preguntes|manden|mandes|molesten|molestes)(?: mas)?`,
  `no (?:quiero )?mas (?:mensajes|encuestas|preguntas|correos)`,
  // Polish
  `wypisz|wypiszcie|wypisac|wypisuje|rezygnuje|rezygnacja|koniec|przestan|przestancie`,
  `nie (?:piszcie|pisz|wysylajcie|wysylaj|kontaktujcie|kontaktuj|pytajcie|pytaj)(?: do mnie| mnie)?`,
  `nie chce (?:wiecej |juz )?(?:wiadomosci|ankiet|pytan)`,
  // Finnish
  `lopeta|lopettakaa|peruuta|peru tilaus|poista minut`,
  `(?:ala|alkaa) (?:laheta|lahettako|kysy|kysyko|ota yhteytta|ottako yhteytta|viestita)`,
  `en halua (?:enaa |lisaa )?(?:viesteja|kyselyita|kyselyja|tata)`,
  // Icelandic
  `hætta|haetta|hættu|haettu|hættið|haettid|afskra|afskraning`,
  `ekki (?:senda|hafa samband|spyrja)|engin (?:fleiri )?(?:skilaboð|skilabod|kannanir)`,
].join('|')})`;

const OPT_OUT_SUFFIX = `(?:${words(`
  me mig mej meg it this that now please pls plz thanks thank you thx tack takk tak asking messaging texting sending
  emailing mailing contacting spamming bothering these those messages message texts surveys survey questions question
  again anymore any more from list all for good already ok okay nu na nå igen igjen prenumerationen prenumeration
  abonnementet abonnement fra fran dette detta denne fler flere fragor sporsmal spørsmal sporgsmal spørgsmal with the
  your ur of notifications skicka fraga mejla sende sporre spørre sporge spørge att at med och og ud av af mer mere
  langre lengre længere ever right sa så stop stopp
  bitte danke mich mir sofort jetzt mehr von der liste umfrage umfragen nachrichten vielen dank damit
  graag alsjeblieft alstublieft aub bedankt u mij meer van de lijst
  svp merci s'il vous plait moi maintenant plus messages la
  por favor gracias ya mas esto estos mensajes encuestas lista
  prosze dziekuje juz wiecej z listy ankiet wiadomosci do teraz mnie
  kiitos enaa viesteja kyselyita minulle mulle tata heti nyt listalta
  mer þessu þetta nuna fyrir meira skilaboð aftur
`)})`;
const OPT_OUT = new RegExp(`^(?:${OPT_OUT_PREFIX} ){0,5}${OPT_OUT_COMMAND}(?: ${OPT_OUT_SUFFIX}){0,8}$`);

/** Cheap pre-check: a reply without any command stem cannot be an opt-out. */
const OPT_OUT_STEM = new RegExp([
  'stop|unsub|opt|avslut|avregist|afmeld|frameld|avmeld|meld|sluta|ask|messag|text|contact|send|email|bother|survey|more',
  'abmeld|abbestell|austrag|aus|ab\\b|mehr|auf|uitschrijv|schrijf|meer',
  'sabonn|sinscri|arr[eê]t|plus|baja|suscrip|basta|paren|m[aá]s',
  'wypis|rezygn|koniec|przesta|nie ',
  'lopet|peru|poista|l[aä]het|kysy|yhteyt|viestit|halua',
  'h(?:æ|ae)tt|afskr|ekki|engin',
].join('|'), 'i');

/** True when the whole reply is an opt-out command, not a sentence that contains "stop". */
export function isOptOut(s: string): boolean {
  if (s.length > 200 || !OPT_OUT_STEM.test(s)) return false;
  const flat = s
    .toLowerCase()
    .replace(/[’`´]/g, "'")
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ') // emoji, punctuation, hyphens ("opt-out"); digits stay so "stop 3" is not an opt-out
    .replace(/(^| )'+|'+(?= |$)/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
  return flat.length > 0 && OPT_OUT.test(flat);
}
