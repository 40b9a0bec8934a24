/**
 * The theme tagger, table-driven in all four languages: inflected forms, compounds
 * ("leveranstiden"), negation that must not remove a theme ("not friendly",
 * "otrevlig", "uvenlig"), words that must not match ("forventer" is not waiting,
 * "prisoner" is not price), and the per-company overrides.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createThemeTagger, themeLanguageOf } from '../../src/reports/themes/comment-tagger.ts';
import { DEFAULT_THEMES, resolveThemes, themeOverridesSchema } from '../../src/reports/themes/theme-list.ts';

const tagger = createThemeTagger(resolveThemes());

type Case = [locale: string, comment: string, themes: string[]];

const INFLECTED: Case[] = [
  ['en', 'The delivery was late and the refund never came', ['refund', 'delivery']],
  ['en', 'Deliveries are always delayed', ['speed', 'delivery']],
  ['en', 'Too expensive, prices went up again', ['price']],
  ['en', 'She solved it quickly', ['speed', 'resolution']],
  ['en', 'The app keeps crashing when I log in', ['app']],
  ['sv', 'Leveransen kom aldrig och priserna är för höga', ['price', 'delivery']],
  ['sv', 'Jag väntade i två timmar', ['speed']],
  ['sv', 'Återbetalningen dröjde', ['speed', 'refund']],
  ['sv', 'Produkten var trasig', ['product']],
  ['da', 'Prisen er for høj og leveringen var langsom', ['speed', 'price', 'delivery']],
  ['da', 'Jeg ventede i tre dage', ['speed']],
  ['da', 'Refusionen kom hurtigt', ['speed', 'refund']],
  ['nb', 'Prisene er for høye og appen er treg', ['speed', 'price', 'app']],
  ['nb', 'Refusjonen tok tre uker', ['refund']],
  ['nb', 'Leveringen kom aldri', ['delivery']],
];

const COMPOUNDS: Case[] = [
  ['sv', 'Leveranstiden var alldeles för lång', ['delivery']],
  ['sv', 'Prisvärd och snabb service', ['speed', 'price']],
  ['sv', 'mobilappen kraschar hela tiden', ['app']],
  ['sv', 'kvalitetsproblem igen', ['product']],
  ['da', 'Leveringstiden var alt for lang', ['delivery']],
  ['da', 'Ventetiden i telefonen var lang', ['speed']],
  ['da', 'hjemmesiden virker ikke', ['app']],
  ['nb', 'Leveringstiden var altfor lang', ['delivery']],
  ['nb', 'Ventetiden var lang', ['speed']],
  ['nb', 'Hjemleveringen var forsinket', ['speed', 'delivery']],
];

/** The theme is mentioned whether praised or not: negation never flips it off. */
const NEGATION: Case[] = [
  ['en', 'The agent was friendly', ['friendliness']],
  ['en', 'The agent was not friendly at all', ['friendliness']],
  ['en', 'Very unfriendly and impolite', ['friendliness']],
  ['en', 'incompetent staff', ['competence']],
  ['en', 'not expensive', ['price']],
  ['sv', 'Trevlig personal', ['friendliness']],
  ['sv', 'Inte trevliga alls', ['friendliness']],
  ['sv', 'Otrevlig och okunnig', ['friendliness', 'competence']],
  ['da', 'Venlig medarbejder', ['friendliness']],
  ['da', 'Ikke venlig', ['friendliness']],
  ['da', 'Uvenlig og uhøflig', ['friendliness']],
  ['nb', 'Hyggelig og vennlig', ['friendliness']],
  ['nb', 'ikke hyggelig, men kompetent', ['friendliness', 'competence']],
  ['nb', 'Uvennlig og ukompetent', ['friendliness', 'competence']],
];

const NO_THEME: Case[] = [
  ['en', 'I was disappointed', []],
  ['en', 'my relationship with you is long', []],
  ['sv', 'det var inte som jag förväntade mig', []],
  ['sv', 'men fast det var bra', []],
  ['da', 'Jeg forventer mere', []],
  ['nb', 'jeg forventet bedre', []],
  ['sv', 'the prisoner was released', []],
  ['en', '', []],
  ['en', '🙂👍 10/10', []],
];

/** The seven languages added with issue 23: inflections, compounds, the plain fallback for is and pl. */
const NEW_LANGUAGES: Case[] = [
  ['fi', 'Toimitus oli hidas ja hinta liian kallis', ['speed', 'price', 'delivery']],
  ['fi', 'Toimitusaika oli pitkä', ['delivery']],
  ['fi', 'Ystävällinen asiakaspalvelija ratkaisi ongelman', ['friendliness', 'resolution']],
  ['fi', 'Epäystävällinen vastaus', ['friendliness']],
  ['fi', 'Sovellus kaatuu koko ajan', ['app']],
  ['is', 'Afhendingin var sein og verðið of hátt', ['speed', 'price', 'delivery']],
  ['is', 'Mjög vingjarnlegt starfsfólk', ['friendliness']],
  ['is', 'Endurgreiðslan kom aldrei', ['refund']],
  ['de', 'Die Lieferung kam zu spät und war sehr teuer', ['price', 'delivery']],
  ['de', 'Sehr freundliche und kompetente Beratung', ['friendliness', 'competence']],
  ['de', 'Die Lieferzeit war viel zu lang', ['delivery']],
  ['de', 'Unfreundlich und langsam', ['speed', 'friendliness']],
  ['de', 'Die Rückerstattung fehlt noch', ['refund']],
  ['nl', 'De levering was traag en de prijs te hoog', ['speed', 'price', 'delivery']],
  ['nl', 'Heel vriendelijke medewerker', ['friendliness']],
  ['nl', 'Onvriendelijk en het probleem is niet opgelost', ['friendliness', 'resolution']],
  ['nl', 'De wachttijd was lang', ['speed']],
  ['fr', 'La livraison était lente et le prix trop cher', ['speed', 'price', 'delivery']],
  ['fr', 'Conseillère très aimable et compétente', ['friendliness', 'competence']],
  ['fr', "Toujours pas de remboursement", ['refund']],
  ['es', 'La entrega fue lenta y el precio muy caro', ['speed', 'price', 'delivery']],
  ['es', 'Muy amable y me solucionaron el problema', ['friendliness', 'resolution']],
  ['es', 'La aplicación no funciona', ['app']],
  ['pl', 'Dostawa była bardzo wolna, a cena za wysoka', ['speed', 'price', 'delivery']],
  ['pl', 'Bardzo miła i pomocna obsługa', ['friendliness']],
  ['pl', 'Przesyłka dotarła uszkodzona', ['product', 'delivery']],
  ['pl', 'Aplikacja ciągle się zawiesza', ['app']],
];

/** The locale is only DEFAULT_LOCALE when the platform did not say: two or more function words of another language decide. */
const GUESSED: Case[] = [
  ['en', 'Die Lieferung war sehr langsam', ['speed', 'delivery']],
  ['en', 'La livraison était très lente', ['speed', 'delivery']],
  ['sv', 'La entrega fue muy lenta y cara', ['speed', 'price', 'delivery']],
  ['', 'Dostawa była bardzo wolna i droga', ['speed', 'price', 'delivery']],
];

/** A Scandinavian customer writing English is still read, and the other way round. */
const MIXED: Case[] = [
  ['sv', 'The delivery was slow', ['speed', 'delivery']],
  ['da', 'the website is broken', ['product', 'app']],
  ['en', 'leveransen var sen', ['delivery']],
  ['nb-NO', 'Leveringen var treg', ['speed', 'delivery']],
];

describe('theme tagger', () => {
  for (const [name, cases] of Object.entries({ INFLECTED, COMPOUNDS, NEGATION, NO_THEME, NEW_LANGUAGES, GUESSED })) {
    test.each(cases)(`${name}: [%s] %s → %j`, (locale, comment, themes) => {
      assert.deepEqual(tagger.tag(comment, locale), themes);
    });
  }

  test.each(MIXED.filter(([l]) => l !== 'en'))('MIXED: [%s] %s → %j', (locale, comment, themes) => {
    assert.deepEqual(tagger.tag(comment, locale), themes);
  });

  test('an English locale reads English only: a Swedish comment there finds what English shares', () => {
    // Swedish stemming is used only where the customer's locale says Swedish, Danish or Norwegian.
    assert.deepEqual(tagger.tag('leveransen var sen', 'en'), []);
    assert.deepEqual(tagger.tag('leveransen var sen', 'sv'), ['delivery']);
  });

  test('a very long comment is read up to the bound, without error', () => {
    const long = `${'bra '.repeat(2000)} leveransen`;
    assert.deepEqual(tagger.tag(long, 'sv'), []);
    assert.deepEqual(tagger.tag(`leveransen ${'bra '.repeat(2000)}`, 'sv'), ['delivery']);
  });

  test.each([
    ['sv', 'sv'], ['sv-SE', 'sv'], ['da', 'da'], ['nb', 'nb'], ['no', 'nb'], ['nn', 'nb'], ['en-GB', 'en'], ['de', 'de'], ['de_AT', 'de'], ['fi-FI', 'fi'], ['is', 'is'], ['pl-PL', 'pl'], ['it', null], [undefined, null],
  ] as const)('locale %s reads as %s', (locale, lang) => {
    assert.equal(themeLanguageOf(locale), lang);
  });
});

describe('theme list overrides', () => {
  test('an override replaces a theme\'s words, adds a theme, removes one', () => {
    const overrides = themeOverridesSchema.parse([
      { id: 'delivery', words: { sv: ['paket'] } },
      { id: 'invoice', label: 'Invoices', words: { en: ['invoice', 'bill'], sv: ['faktura'], da: ['faktura'], nb: ['faktura'] } },
      { id: 'app', disabled: true },
      { id: 'price', label: 'Pricing' },
    ]);
    const themes = resolveThemes(overrides);
    assert.deepEqual(themes.map((t) => t.id), ['speed', 'friendliness', 'competence', 'resolution', 'price', 'product', 'refund', 'delivery', 'invoice']);
    assert.equal(themes.find((t) => t.id === 'price')?.label, 'Pricing');
    assert.deepEqual(themes.find((t) => t.id === 'price')?.words.sv, DEFAULT_THEMES.find((t) => t.id === 'price')?.words.sv);
    const custom = createThemeTagger(themes);
    assert.deepEqual(custom.tag('Fakturan var fel och paketet kom sent', 'sv'), ['delivery', 'invoice']);
    assert.deepEqual(custom.tag('Leveransen kom sent', 'sv'), [], 'the delivery words were replaced');
    assert.deepEqual(custom.tag('appen kraschar', 'sv'), [], 'the app theme was removed');
    assert.deepEqual(custom.tag('Two invoices, same bill', 'en'), ['invoice']);
  });

  test.each([
    [[{ id: 'Delivery' }], /theme id/],
    [[{ id: 'x', words: { en: ['two words'] } }], /one word/],
    [[{ id: 'x', words: { it: ['parola'] } }], /Unrecognized key/i],
    [[{ id: 'x', colour: 'red' }], /Unrecognized key/i],
    [Array.from({ length: 101 }, (_, i) => ({ id: `t${i}` })), /at most 100/],
  ])('a bad override is refused with a clear message (%#)', (value, message) => {
    const r = themeOverridesSchema.safeParse(value);
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, message);
  });
});
