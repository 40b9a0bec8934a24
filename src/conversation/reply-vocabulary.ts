/**
 * The words around a number that tell the parser what it is: lead-in words that
 * carry no comment, words joining two numbers, and the words before or after a
 * number that make it an identifier, a time, money or a count instead of a score.
 * English, Swedish, Danish and Norwegian mixed: a reply may mix them too.
 */
import { keySet } from './reply-text.ts';

/**
 * Words that carry no comment and may come before a spoken score: "I'd say", "a solid",
 * "jag ger en", "jeg giver jer et". A reply made only of these and a score has no comment.
 */
export const FILLERS = keySet(`
  i i'd id i'll i'm im i've we we'd would will could should have has had to say said saying give giving gives gave
  rate rating rated score scored my our your is are was be it it's its that that's thats this a an the you u ya guys
  y'all all solid strong firm easy easily definitely def defo certainly probably prob maybe perhaps likely think guess
  believe hmm hm hmmm um umm uh er erm well so ok okay k yes yeah yep yup sure hi hey hello go going with gonna about
  around approximately roughly like honestly tbh overall me from for of number points point pts just really pretty
  absolutely totally high low then now anyway answer reply response final between either
  jag ger säger skulle säga sätta sätter ge vill nog kanske typ ungefär runt cirka ca en ett stark starkt klar klart
  solklart betyg betyget min mitt är blir bli det den hej ja absolut definitivt självklart tror dig får poäng siffra
  siffran svar svaret mellan antingen
  jeg giver giv siger vil sige ville måske et karakter karakteren tal tallet mit bliver helt stærk jer dem point
  omkring mellem enten lige bare da så vel
  gir sier si gi kanskje én tall dere deg poeng sånn rundt omtrent mellom terningkast
`);

/** Words joining two numbers into a range or a choice: "7 or 8", "sju eller åtta", "between 6 and 7". */
export const CONNECTORS = keySet('or eller till til to and och og');

/** A number right after one of these is an identifier, a time, a date, or money. */
export const BEFORE_NOT_SCORE = keySet(`
  order orders ordre ordrenr ordrenummer ordernr ordernummer ordnr nr ticket tickets case ärende ärendenummer sag
  sagsnummer sak saksnummer ref reference referens referanse id invoice faktura fakturanr fakturanummer account acct
  konto kontonummer kundnummer kundenummer kundnr kundenr tracking bestilling bestillingsnummer beställning room rum
  rom værelse flight flyg gate version ver step page sida side linje bus buss kl klockan klokka klokken tel telefon
  phone mobile mobil postnummer zip apartment apt lgh lägenhet leilighet lejlighed iphone ios android windows galaxy
  pixel ipad macos playstation ps xbox model modell serie series serial gen generation week vecka uke uge floor våning
  etage etasje chapter kapitel part price pris cost costs kostar koster paid betalte betalade
  kr sek dkk nok usd eur gbp
  january february march april june july august september october november december jan feb mar apr jun jul aug
  sep sept oct okt nov dec dek januari februari mars maj juni juli augusti januar februar marts mai desember
`);

/** A number followed by one of these is a duration, an amount or a count, not a score ("3 days", "10 kr"). */
export const UNITS = keySet(`
  s sec secs second seconds sekund sekunder m min mins minute minutes minut minuter minutter h hr hrs hour hours timme
  timmar tim t time timer d day days dag dagar dage dager dygn døgn wk wks week weeks vecka veckor veckan uge uger uke
  uker month months mo mos månad månader måned måneder mnd year years yr yrs år am pm
  kr kronor krona kroner krone sek dkk nok eur euro euros usd dollar dollars bucks pound pounds gbp öre øre cent cents
  k kkr tkr mkr
  kg g gram grams km cm mm mi mile miles meter meters metres l liter liters litre ml gb mb tb kb mbit mbps gbps kbps
  mhz ghz kw kwh
  x st stk pcs pieces piece items item times gånger ganger gange gang people persons person personer folk calls call
  samtal opkald anrop emails email mails mail mejl messages meddelanden beskeder meldinger tickets orders ordrer
  agents stars star stjärnor stjärna stjerner stjerne percent procent prosent pct kids children barn attempts tries
  försök forsøg forsøk steps pages sidor
`);
