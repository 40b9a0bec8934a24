/**
 * The comment themes: a default list in English, Swedish, Danish and Norwegian
 * (bokmål), and the per-company overrides read from CONFIG_FILE's `themes`. A theme is
 * an id, a label and single words per language; the tagger stems both the words and
 * the comment, so one base form covers its inflections ("leverans" finds "leveranser").
 *
 * Overrides merge by id: an entry with a known id replaces that theme's label and
 * words, a new id adds a theme, `"disabled": true` removes one. A leaf module (zod
 * only), so the core config can validate the file without importing the reports.
 */
import { z } from 'zod';

export const THEME_LANGUAGES = ['en', 'sv', 'da', 'nb'] as const;
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
  words: z.object({ en: words.optional(), sv: words.optional(), da: words.optional(), nb: words.optional() }).strict().optional(),
  disabled: z.boolean().optional(),
}).strict();
export type ThemeOverride = z.infer<typeof themeOverrideSchema>;

export const themeOverridesSchema = z.array(themeOverrideSchema).max(100, 'at most 100 themes');

export interface Theme {
  id: string;
  label: string;
  words: Record<ThemeLanguage, string[]>;
}

const t = (id: string, label: string, en: string, sv: string, da: string, nb: string): Theme => ({
  id, label, words: { en: en.split(' '), sv: sv.split(' '), da: da.split(' '), nb: nb.split(' ') },
});

/**
 * Words are base forms; negated forms ("unfriendly", "otrevlig", "uvenlig") need no
 * entry: a negation prefix is tried off, because a complaint about friendliness is
 * still about friendliness. Words short enough to be other words once stemmed (Danish
 * "vare" → "var", "was") are left out on purpose.
 */
export const DEFAULT_THEMES: readonly Theme[] = [
  t('speed', 'Speed and waiting',
    'fast quick quickly slow speed wait waiting delay delayed prompt immediately',
    'snabb snabbt fort långsam väntetid vänta väntade dröja dröjde försenad svarstid',
    'hurtig hurtigt langsom ventetid vente ventede forsinket forsinkelse svartid',
    'rask raskt kjapp treg tregt ventetid vente ventet forsinket forsinkelse svartid'),
  t('friendliness', 'Friendliness',
    'friendly kind polite rude nice helpful courteous patient attitude',
    'trevlig vänlig artig hjälpsam oförskämd bemötande tålmodig',
    'venlig flink høflig hjælpsom imødekommende uforskammet tålmodig',
    'vennlig hyggelig høflig hjelpsom imøtekommende frekk tålmodig'),
  t('competence', 'Competence',
    'competent competence knowledgeable knowledge expert skilled understand understood clueless',
    'kunnig kompetent kompetens kunskap förstod förstå expert',
    'kompetent kompetence dygtig kyndig viden forstod forstå ekspert',
    'kompetent kompetanse dyktig kunnskap forsto forstå ekspert'),
  t('resolution', 'Problem solved',
    'solve solved solution fix fixed resolve resolved',
    'lösa löste löst lösning fixa fixade',
    'løse løste løst løsning fikse',
    'løse løste løst løsning fikse'),
  t('price', 'Price',
    'price pricing expensive cheap cost costly fee',
    'pris dyr dyrt billig kostnad avgift',
    'pris dyr dyrt billig omkostning gebyr',
    'pris dyr dyrt billig kostnad gebyr'),
  t('product', 'Product and quality',
    'product quality broken defect defective faulty',
    'produkt kvalitet trasig defekt',
    'produkt kvalitet defekt ødelagt',
    'produkt kvalitet defekt ødelagt'),
  t('refund', 'Refunds and returns',
    'refund reimburse reimbursement compensation return',
    'återbetalning återbetala ersättning kompensation retur',
    'refusion refundering tilbagebetaling kompensation erstatning retur',
    'refusjon tilbakebetaling kompensasjon erstatning retur'),
  t('delivery', 'Delivery',
    'delivery deliver delivered shipping shipment parcel package courier tracking',
    'leverans leverera levererade frakt paket försändelse spårning',
    'levering levere leveret fragt pakke forsendelse sporing',
    'levering levere levert frakt pakke forsendelse sporing'),
  t('app', 'App and website',
    'app website site login password download',
    'app hemsida webbplats inloggning logga lösenord',
    'app hjemmeside login logge adgangskode',
    'app nettside hjemmeside innlogging logge passord'),
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
      words: {
        en: o.words?.en ?? (o.words ? [] : base?.words.en ?? []),
        sv: o.words?.sv ?? (o.words ? [] : base?.words.sv ?? []),
        da: o.words?.da ?? (o.words ? [] : base?.words.da ?? []),
        nb: o.words?.nb ?? (o.words ? [] : base?.words.nb ?? []),
      },
    });
  }
  return [...out.values()];
}
