/**
 * The consent reader, table-driven: at least 60 phrases per language family. A clear
 * yes is `granted`; a no is `declined`; anything else (a yes with a condition, a
 * question back, "of course not") is `unclear`. Only `granted` is consent.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readConsent, type ConsentAnswer } from '../../src/conversation/consent-reply.ts';

type Row = [text: string, expected: ConsentAnswer];
const Y = 'granted' as const;
const N = 'declined' as const;
const U = 'unclear' as const;

const ENGLISH: Row[] = [
  ['yes', Y], ['Yes!', Y], ['YES', Y], ['yes, sure', Y], ['Yes sure', Y], ['yes, that is fine', Y], ["yes that's fine", Y],
  ['sure', Y], ['Sure thing', Y], ['of course', Y], ['Yes, of course!', Y], ['absolutely', Y], ['Yes absolutely', Y],
  ['go ahead', Y], ['Yes, go ahead', Y], ['yes please', Y], ['please do', Y], ['fine by me', Y], ["that's fine", Y],
  ['no problem', Y], ['No problem at all', Y], ['no worries', Y], ['yeah', Y], ['yep', Y], ['yup', Y], ['ok', Y],
  ['okay', Y], ['OK 👍', Y], ['👍', Y], ['sounds good', Y], ['yes you may', Y], ['feel free', Y], ["I don't mind", Y],
  ['why not', Y], ['sure, thanks', Y], ['yes, thank you', Y], ['definitely', Y], ['by all means', Y],
  ['no', N], ['No.', N], ['nope', N], ['nah', N], ['no thanks', N], ['No thank you', N], ['rather not', N],
  ["I'd rather not", N], ["please don't", N], ['not now', N], ['no way', N], ['absolutely not', N], ['👎', N],
  ['no, sorry', N], ['better not', N],
  ['yes but only my first name', U], ['of course not', U], ['not really sure', U], ['maybe', U], ['hmm', U],
  ['why?', U], ['what do you mean', U], ['yes no', U], ['', U], ['   ', U], ['yes '.repeat(40), U], ['only if anonymous', U],
  ['yes, but not my name', U], ['no, no problem', U], ['sure, but ask me first', U], ['thanks', U],
];

const SCANDINAVIAN: Row[] = [
  // Norwegian
  ['ja', Y], ['Ja takk', Y], ['ja gjerne', Y], ['Ja, det går fint', Y], ['det går fint', Y], ['ja, det er greit', Y],
  ['helt greit', Y], ['selvsagt', Y], ['Ja, selvsagt', Y], ['selvfølgelig', Y], ['ja da', Y], ['jada', Y], ['absolutt', Y],
  ['kjør på', Y], ['ikke noe problem', Y], ['greit', Y], ['ja, takk', Y], ['jepp', Y],
  ['nei', N], ['nei takk', N], ['Nei, takk', N], ['helst ikke', N], ['ikke nå', N], ['nei, ikke nå', N], ['ellers takk', N],
  ['absolutt ikke', N], ['la være', N],
  ['ja, men ikke med navn', U], ['kanskje', U], ['hva mener du?', U],
  // Swedish
  ['Ja tack', Y], ['ja det går bra', Y], ['Ja, det går bra', Y], ['ja gärna', Y], ['Ja gärna!', Y], ['absolut', Y],
  ['javisst', Y], ['självklart', Y], ['Ja, självklart', Y], ['inga problem', Y], ['ingen fara', Y], ['kör på', Y], ['okej', Y],
  ['nej', N], ['nej tack', N], ['Nej tack!', N], ['helst inte', N], ['inte nu', N], ['nej, helst inte', N], ['absolut inte', N],
  ['ja men inte namnet', U], ['vet inte', U], ['ja nej', U],
  // Danish
  ['ja tak', Y], ['Ja, gerne', Y], ['gerne', Y], ['selvfølgelig', Y], ['det er fint', Y], ['ja det er i orden', Y],
  ['helt sikkert', Y], ['ingen problemer', Y], ['sagtens', Y],
  ['nej tak', N], ['helst ikke', N], ['ikke nu', N], ['nej, ikke nu', N], ['lad være', N],
  ['mange tak', U], ['ja, men kun fornavn', U],
];

const GERMAN_DUTCH: Row[] = [
  ['ja', Y], ['Ja, gerne', Y], ['gerne', Y], ['Ja klar', Y], ['na klar', Y], ['natürlich', Y], ['ja natürlich', Y],
  ['selbstverständlich', Y], ['Ja, bitte', Y], ['in Ordnung', Y], ['ist in Ordnung', Y], ['passt', Y], ['kein Problem', Y],
  ['ja, kein Problem', Y], ['einverstanden', Y], ['sicher', Y], ['Ja, das dürfen Sie', Y], ['klar doch', Y], ['ja, danke', Y],
  ['nein', N], ['Nein danke', N], ['nein, danke', N], ['lieber nicht', N], ['Nein, lieber nicht', N], ['eher nicht', N],
  ['bitte nicht', N], ['auf keinen Fall', N], ['jetzt nicht', N], ['nö', N],
  ['ja, aber ohne Namen', U], ['vielleicht', U], ['warum?', U], ['nur anonym', U], ['ja nein', U],
  ['ja hoor', Y], ['Ja, prima', Y], ['prima', Y], ['graag', Y], ['ja graag', Y], ['zeker', Y], ['jazeker', Y],
  ['natuurlijk', Y], ['tuurlijk', Y], ['is goed', Y], ['dat is goed', Y], ['geen probleem', Y], ['ja, dat mag', Y],
  ['ga je gang', Y], ['oké', Y], ['akkoord', Y], ['ja, bedankt', Y],
  ['nee', N], ['nee dank je', N], ['Nee, bedankt', N], ['liever niet', N], ['nee, liever niet', N], ['nu niet', N],
  ['niet doen', N], ['nee hoor', N],
  ['ja, maar zonder naam', U], ['misschien', U], ['hoezo?', U], ['weet ik niet', U],
];

const FRENCH_SPANISH: Row[] = [
  ['oui', Y], ['Oui !', Y], ['oui, bien sûr', Y], ['bien sûr', Y], ['avec plaisir', Y], ['Oui, avec plaisir', Y],
  ["d'accord", Y], ["oui d'accord", Y], ['pas de souci', Y], ['Oui, pas de problème', Y], ['aucun problème', Y],
  ['allez-y', Y], ['Oui, allez-y', Y], ['volontiers', Y], ['ça me va', Y], ["c'est bon", Y], ['oui merci', Y], ['ouais', Y],
  ['non', N], ['Non merci', N], ['non, merci', N], ['plutôt pas', N], ['je préfère pas', N], ['pas question', N],
  ['surtout pas', N], ['pas maintenant', N], ['pas vraiment', N],
  ['oui mais sans mon nom', U], ['peut-être', U], ['pourquoi ?', U], ['merci', U], ['oui non', U],
  ['sí', Y], ['Sí, claro', Y], ['si', Y], ['claro', Y], ['claro que sí', Y], ['por supuesto', Y], ['vale', Y],
  ['de acuerdo', Y], ['adelante', Y], ['Sí, adelante', Y], ['sin problema', Y], ['ningún problema', Y], ['con gusto', Y],
  ['sí, gracias', Y], ['perfecto', Y], ['está bien', Y], ['me parece bien', Y],
  ['no', N], ['No, gracias', N], ['no gracias', N], ['prefiero que no', N], ['mejor no', N], ['ahora no', N],
  ['de ninguna manera', N], ['ni hablar', N],
  ['sí, pero sin mi nombre', U], ['quizás', U], ['¿por qué?', U], ['gracias', U], ['no sé', U],
];

const FINNISH_ICELANDIC_POLISH: Row[] = [
  ['kyllä', Y], ['Kyllä!', Y], ['joo', Y], ['juu', Y], ['joo, toki', Y], ['toki', Y], ['totta kai', Y], ['tietysti', Y],
  ['ilman muuta', Y], ['sopii', Y], ['kyllä sopii', Y], ['käy hyvin', Y], ['kyllä saa', Y], ['ei haittaa', Y],
  ['ei ongelmaa', Y], ['kyllä kiitos', Y],
  ['ei', N], ['ei kiitos', N], ['Ei, kiitos', N], ['mieluummin ei', N], ['en halua', N], ['ei käy', N], ['ei nyt', N],
  ['kyllä mutta ilman nimeä', U], ['ehkä', U], ['miksi?', U],
  ['já', Y], ['Já takk', Y], ['já endilega', Y], ['endilega', Y], ['auðvitað', Y], ['sjálfsagt', Y], ['já, það er í lagi', Y],
  ['allt í lagi', Y], ['ekkert mál', Y], ['já, ekkert mál', Y],
  ['nei', N], ['nei takk', N], ['helst ekki', N], ['nei, helst ekki', N], ['ekki núna', N], ['alls ekki', N],
  ['já en ekki nafnið', U], ['kannski', U],
  ['tak', Y], ['Tak, jasne', Y], ['jasne', Y], ['oczywiście', Y], ['Tak, oczywiście', Y], ['pewnie', Y], ['śmiało', Y],
  ['zgoda', Y], ['nie ma sprawy', Y], ['nie ma problemu', Y], ['tak, proszę', Y], ['jak najbardziej', Y], ['dobrze', Y],
  ['nie', N], ['nie, dziękuję', N], ['Nie dziękuję', N], ['raczej nie', N], ['wolę nie', N], ['nie teraz', N],
  ['wolałbym nie', N], ['absolutnie nie', N],
  ['tak, ale bez nazwiska', U], ['może', U], ['dlaczego?', U], ['nie wiem', U],
];

describe('consent reply', () => {
  const families = { ENGLISH, SCANDINAVIAN, GERMAN_DUTCH, FRENCH_SPANISH, FINNISH_ICELANDIC_POLISH };
  test.each(Object.entries(families))('%s has at least 60 phrases, yes, no and unclear among them', (_, rows) => {
    assert.ok(rows.length >= 60, `${rows.length} rows`);
    for (const kind of [Y, N, U]) assert.ok(rows.some(([, e]) => e === kind), kind);
  });
  for (const [name, rows] of Object.entries(families)) {
    test.each(rows)(`${name}: "%s" reads as %s`, (text, expected) => {
      assert.equal(readConsent(text), expected);
    });
  }

  test('"tak" is thanks where the customer is Danish, yes elsewhere; "ja tak" and "nej tak" are phrases everywhere', () => {
    assert.equal(readConsent('tak', 'da'), 'unclear');
    assert.equal(readConsent('Tak!', 'da-DK'), 'unclear');
    assert.equal(readConsent('tak', 'pl'), 'granted');
    assert.equal(readConsent('tak, jasne', 'da'), 'granted');
    assert.equal(readConsent('ja tak', 'da'), 'granted');
    assert.equal(readConsent('nej tak', 'pl'), 'declined');
  });

  test('never throws on hostile input', () => {
    for (const s of ['\uD800', '\u0000'.repeat(500), 'ja '.repeat(1000), '👍'.repeat(300), undefined as unknown as string, 42 as unknown as string]) {
      assert.doesNotThrow(() => readConsent(s));
    }
    assert.equal(readConsent('ja '.repeat(30)), 'unclear');
  });
});
