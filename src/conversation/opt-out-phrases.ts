/**
 * Opt-out commands in English, Swedish, Danish and Norwegian ("STOP", "avregistrera
 * mig", "meld meg av", "please don't message me again"), recognised only when they
 * are the whole reply, with polite words around them.
 */

const OPT_OUT_PREFIX = `(?:please|pls|plz|kindly|just|ok|okay|oh|no|nah|nope|hi|hey|hello|hej|hei|thanks|thank|you|thx|tack|takk|tak|snalla|venligst|vaer|vær|sa|så|snill|i|i'd|id|i'll|want|wanna|to|like|would|can|could|will|u|let|me|jag|vill|jeg|vil|kan|du|ni|nej|nei|then|so|well|ugh|yes|yeah|and|now|och|og|bare|bara|gerne|garna|helst|rather|said|say|told|already)`;
const OPT_OUT_COMMAND = `(?:stop|stopp|stopall|stop all|unsubscribe|unsub|opt out|optout|opt me out|avsluta|avregistrera|afmeld|frameld|avmeld|avslutt|meld av|meld meg av|meld mig af|meld mig ud|sluta|no more (?:messages|surveys|questions|texts)|(?:don't|dont|do not|please don't|never) (?:ask|message|text|contact|send|email|bother|survey)(?: me)?(?: again| anymore| any more| ever again)?)`;
const OPT_OUT_SUFFIX = `(?:me|mig|mej|meg|it|this|that|now|please|pls|plz|thanks|thank|you|thx|tack|takk|tak|asking|messaging|texting|sending|emailing|mailing|contacting|spamming|bothering|these|those|messages|message|texts|surveys|survey|questions|question|again|anymore|any|more|from|list|all|for|good|already|ok|okay|nu|na|nå|igen|igjen|prenumerationen|prenumeration|abonnementet|abonnement|fra|fran|dette|detta|denne|fler|flere|fragor|sporsmal|spørsmal|sporgsmal|spørgsmal|with|the|your|ur|of|notifications|skicka|fraga|mejla|sende|sporre|spørre|sporge|spørge|att|at|med|och|og|ud|av|af|mer|mere|langre|lengre|længere|ever|right|sa|så|stop|stopp)`;
const OPT_OUT = new RegExp(`^(?:${OPT_OUT_PREFIX} ){0,5}${OPT_OUT_COMMAND}(?: ${OPT_OUT_SUFFIX}){0,8}$`);

/** Cheap pre-check: a reply without any command stem cannot be an opt-out. */
const OPT_OUT_STEM = /stop|unsub|opt|avslut|avregist|afmeld|frameld|avmeld|meld|sluta|ask|messag|text|contact|send|email|bother|survey|more/i;

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
