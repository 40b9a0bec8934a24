/**
 * The comment themes: a default list in English, Swedish, Danish, Norwegian (bokmål),
 * Finnish, Icelandic, German, Dutch, French, Spanish and Polish, and the per-company overrides read from CONFIG_FILE's `themes`. A theme is
 * an id, a label and single words per language; the tagger stems both the words and
 * the comment, so one base form covers its inflections ("leverans" finds "leveranser").
 *
 * Overrides merge by id: an entry with a known id replaces that theme's label and
 * words, a new id adds a theme, `"disabled": true` removes one. A leaf module (zod
 * only), so the core config can validate the file without importing the reports.
 */
import { z } from 'zod';

export const THEME_LANGUAGES = ['en', 'sv', 'da', 'nb', 'fi', 'is', 'de', 'nl', 'fr', 'es', 'pl'] as const;
export type ThemeLanguage = (typeof THEME_LANGUAGES)[number];

export const THEME_ID = /^[a-z][a-z0-9-]{0,31}$/;

const word = z.string().trim().toLowerCase()
  .min(2, 'must be at least 2 characters')
  .max(40, 'must be at most 40 characters')
  .regex(/^[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*$/u, 'expected one word (letters and digits, no spaces)');
const words = z.array(word).max(200, 'at most 200 words per language');

export const themeOverrideSchema = z.object({
  id: z.string().regex(THEME_ID, 'expected a theme id of lowercase letters, digits and -, e.g. "delivery"'),
  label: z.string().trim().min(1).max(60, 'must be at most 60 characters').optional(),
  words: z.object(Object.fromEntries(THEME_LANGUAGES.map((l) => [l, words.optional()])) as Record<ThemeLanguage, z.ZodOptional<typeof words>>).strict().optional(),
  disabled: z.boolean().optional(),
}).strict();
export type ThemeOverride = z.infer<typeof themeOverrideSchema>;

export const themeOverridesSchema = z.array(themeOverrideSchema).max(100, 'at most 100 themes');

export interface Theme {
  id: string;
  label: string;
  words: Record<ThemeLanguage, string[]>;
}

const t = (id: string, label: string, lists: Record<ThemeLanguage, string>): Theme => ({
  id, label, words: Object.fromEntries(THEME_LANGUAGES.map((l) => [l, lists[l].split(' ')])) as Record<ThemeLanguage, string[]>,
});

/**
 * Words are base forms; negated forms ("unfriendly", "otrevlig", "uvenlig") need no
 * entry: a negation prefix is tried off, because a complaint about friendliness is
 * still about friendliness. Words short enough to be other words once stemmed (Danish
 * "vare" → "var", "was") are left out on purpose.
 */
export const DEFAULT_THEMES: readonly Theme[] = [
  t('speed', 'Speed and waiting', {
    en: 'fast quick quickly slow speed wait waiting delay delayed prompt immediately',
    sv: 'snabb snabbt fort långsam väntetid vänta väntade dröja dröjde försenad svarstid',
    da: 'hurtig hurtigt langsom ventetid vente ventede forsinket forsinkelse svartid',
    nb: 'rask raskt kjapp treg tregt ventetid vente ventet forsinket forsinkelse svartid',
    fi: 'nopea nopeasti hidas hitaasti odotus odottaa odotin odottaminen viive myöhässä vastausaika jonotus',
    is: 'fljótur fljótt hratt hægur hægt biðtími bíða beið seinkun sein svartími',
    de: 'schnell zügig langsam warten wartezeit wartete verzögerung verspätet reaktionszeit sofort',
    nl: 'snel vlot traag langzaam wachten wachttijd wachtte vertraging vertraagd reactietijd',
    fr: 'rapide rapidement lent lenteur attente attendre délai retard réactivité',
    es: 'rápido rápida rápidamente lento lenta espera esperar esperé demora retraso tardanza',
    pl: 'szybki szybko wolno powoli czekać czekanie oczekiwanie opóźnienie spóźniony błyskawicznie',
  }),
  t('friendliness', 'Friendliness', {
    en: 'friendly kind polite rude nice helpful courteous patient attitude',
    sv: 'trevlig vänlig artig hjälpsam oförskämd bemötande tålmodig',
    da: 'venlig flink høflig hjælpsom imødekommende uforskammet tålmodig',
    nb: 'vennlig hyggelig høflig hjelpsom imøtekommende frekk tålmodig',
    fi: 'ystävällinen kohtelias mukava avulias töykeä palvelualtis asiallinen kärsivällinen asenne',
    is: 'vingjarnlegur vinalegur kurteis hjálpsamur dónalegur almennilegur þolinmóður viðmót',
    de: 'freundlich nett höflich unhöflich hilfsbereit zuvorkommend geduldig umgangston',
    nl: 'vriendelijk aardig beleefd onbeleefd behulpzaam geduldig klantvriendelijk houding',
    fr: 'aimable sympathique poli impoli serviable courtois patient accueil agréable',
    es: 'amable simpático educado maleducado servicial cortés paciente trato atento',
    pl: 'miły miła uprzejmy sympatyczny pomocny niegrzeczny cierpliwy życzliwy podejście',
  }),
  t('competence', 'Competence', {
    en: 'competent competence knowledgeable knowledge expert skilled understand understood clueless',
    sv: 'kunnig kompetent kompetens kunskap förstod förstå expert',
    da: 'kompetent kompetence dygtig kyndig viden forstod forstå ekspert',
    nb: 'kompetent kompetanse dyktig kunnskap forsto forstå ekspert',
    fi: 'osaava asiantunteva osaaminen asiantuntemus tietämys ymmärsi ymmärtää asiantuntija pätevä',
    is: 'hæfur fróður þekking sérfræðingur skildi skilja kunnátta',
    de: 'kompetent kompetenz fachkundig wissen fachwissen experte verstanden verstehen ahnungslos',
    nl: 'deskundig competent kennis vakkundig expert begreep begrijpen',
    fr: 'compétent compétence connaissance expert qualifié compris comprendre',
    es: 'competente conocimiento experto profesional entendió entender',
    pl: 'kompetentny kompetencje wiedza ekspert fachowy zrozumiał zrozumieć profesjonalny',
  }),
  t('resolution', 'Problem solved', {
    en: 'solve solved solution fix fixed resolve resolved',
    sv: 'lösa löste löst lösning fixa fixade',
    da: 'løse løste løst løsning fikse',
    nb: 'løse løste løst løsning fikse',
    fi: 'ratkaisu ratkaista ratkesi ratkaistiin korjata korjattiin korjaantui hoitui hoidettiin',
    is: 'leysa leysti leyst lausn laga lagaði lagfæring',
    de: 'lösung lösen gelöst behoben beheben erledigt',
    nl: 'oplossing oplossen opgelost verholpen geregeld',
    fr: 'solution résoudre résolu réglé régler corrigé',
    es: 'solución solucionar solucionado resolver resuelto arreglado arreglar',
    pl: 'rozwiązanie rozwiązać rozwiązany naprawić naprawiony załatwić załatwiony',
  }),
  t('price', 'Price', {
    en: 'price pricing expensive cheap cost costly fee',
    sv: 'pris dyr dyrt billig kostnad avgift',
    da: 'pris dyr dyrt billig omkostning gebyr',
    nb: 'pris dyr dyrt billig kostnad gebyr',
    fi: 'hinta hinnoittelu kallis halpa edullinen kustannus maksu',
    is: 'verð dýr dýrt ódýr kostnaður gjald',
    de: 'preis teuer günstig billig kosten gebühr',
    nl: 'prijs duur goedkoop kosten tarief',
    fr: 'prix cher coûteux tarif frais abordable',
    es: 'precio caro barato coste costo tarifa comisión',
    pl: 'cena drogo drogie tani tanio koszt opłata',
  }),
  t('product', 'Product and quality', {
    en: 'product quality broken defect defective faulty',
    sv: 'produkt kvalitet trasig defekt',
    da: 'produkt kvalitet defekt ødelagt',
    nb: 'produkt kvalitet defekt ødelagt',
    fi: 'tuote laatu rikki viallinen vika virheellinen',
    is: 'vara gæði bilaður gallaður galli skemmdur',
    de: 'produkt qualität kaputt defekt mangelhaft fehlerhaft',
    nl: 'product kwaliteit kapot defect gebrekkig',
    fr: 'produit qualité cassé défectueux défaut',
    es: 'producto calidad roto defectuoso defecto',
    pl: 'produkt jakość zepsuty uszkodzony wadliwy wada',
  }),
  t('refund', 'Refunds and returns', {
    en: 'refund reimburse reimbursement compensation return',
    sv: 'återbetalning återbetala ersättning kompensation retur',
    da: 'refusion refundering tilbagebetaling kompensation erstatning retur',
    nb: 'refusjon tilbakebetaling kompensasjon erstatning retur',
    fi: 'hyvitys hyvittää palautus palauttaa korvaus',
    is: 'endurgreiðsla endurgreiða bætur skila vöruskil',
    de: 'erstattung rückerstattung erstatten entschädigung gutschrift rücksendung retoure',
    nl: 'terugbetaling terugbetalen restitutie vergoeding compensatie retour',
    fr: 'remboursement rembourser remboursé dédommagement compensation retour',
    es: 'reembolso reembolsar devolución devolver compensación indemnización',
    pl: 'zwrot zwrócić refundacja rekompensata odszkodowanie',
  }),
  t('delivery', 'Delivery', {
    en: 'delivery deliver delivered shipping shipment parcel package courier tracking',
    sv: 'leverans leverera levererade frakt paket försändelse spårning',
    da: 'levering levere leveret fragt pakke forsendelse sporing',
    nb: 'levering levere levert frakt pakke forsendelse sporing',
    fi: 'toimitus toimittaa toimitettiin lähetys paketti kuljetus seuranta',
    is: 'afhending sending pakki póstur rakning',
    de: 'lieferung liefern geliefert versand sendung paket zusteller sendungsverfolgung',
    nl: 'levering leveren geleverd verzending zending pakket bezorger bezorging',
    fr: 'livraison livrer livré colis envoi expédition transporteur',
    es: 'entrega entregar entregado envío paquete mensajero repartidor seguimiento',
    pl: 'dostawa dostarczyć dostarczony przesyłka paczka kurier wysyłka śledzenie',
  }),
  t('app', 'App and website', {
    en: 'app website site login password download',
    sv: 'app hemsida webbplats inloggning logga lösenord',
    da: 'app hjemmeside login logge adgangskode',
    nb: 'app nettside hjemmeside innlogging logge passord',
    fi: 'sovellus verkkosivu nettisivu kirjautuminen kirjautua salasana',
    is: 'app appið vefsíða innskráning lykilorð',
    de: 'app webseite website anmeldung login passwort herunterladen',
    nl: 'app website inloggen wachtwoord downloaden',
    fr: 'application appli site connexion identifiant téléchargement',
    es: 'app aplicación web página contraseña descargar',
    pl: 'aplikacja strona logowanie zalogować hasło pobrać',
  }),
];

/** The default list with the company's overrides merged in by id. */
export function resolveThemes(overrides: readonly ThemeOverride[] = []): Theme[] {
  const out = new Map<string, Theme>(DEFAULT_THEMES.map((th) => [th.id, { ...th, words: { ...th.words } }]));
  for (const o of overrides) {
    if (o.disabled) {
      out.delete(o.id);
      continue;
    }
    const base = out.get(o.id);
    out.set(o.id, {
      id: o.id,
      label: o.label ?? base?.label ?? o.id,
      words: Object.fromEntries(THEME_LANGUAGES.map((l) => [l, o.words?.[l] ?? (o.words ? [] : base?.words[l] ?? [])])) as Record<ThemeLanguage, string[]>,
    });
  }
  return [...out.values()];
}
