/**
 * The words the bot says, per locale. The company may reword or translate them
 * (CONFIG_FILE `templates`), but the question keeps its intent and the 0–10 scale:
 * changing either makes the number incomparable (NPS-PRACTICE.md).
 *
 * Placeholders: `{company}` (COMPANY_NAME, or the locale's word for "us"), `{name}`
 * (the customer's first name, or nothing).
 */
import { z } from 'zod';
import { firstName } from './first-name.ts';
import type { Category } from './nps-category.ts';

export const LOCALES = ['en', 'sv', 'da', 'nb'] as const;
export type Locale = (typeof LOCALES)[number];

export const TEMPLATE_KEYS = [
  'question', 'relationshipQuestion', 'reprompt', 'followupPromoter', 'followupPassive', 'followupDetractor',
  'thanks', 'optOut', 'consentQuestion', 'consentGranted', 'consentDeclined', 'us',
] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];
export type TemplateSet = Record<TemplateKey, string>;

const templateText = z.string().min(1).max(1000);
export const templateOverridesSchema = z.partialRecord(
  z.enum(LOCALES),
  z.object(Object.fromEntries(TEMPLATE_KEYS.map((k) => [k, templateText.optional()])) as Record<TemplateKey, z.ZodOptional<typeof templateText>>).strict(),
);
export type TemplateOverrides = Partial<Record<Locale, Partial<TemplateSet>>>;

export const BUILT_IN: Record<Locale, TemplateSet> = {
  en: {
    question: 'Hi{name}! Thanks for talking to us. On a scale from 0 to 10, how likely is it that you would recommend {company} to a friend or colleague? Just reply with a number (0 = not at all likely, 10 = extremely likely).',
    reprompt: 'Sorry, I did not catch a score there. Could you reply with a single number from 0 to 10? (Reply "stop" if you would rather not be asked.)',
    followupPromoter: 'Thank you, that is great to hear! What is the main reason for your score?',
    followupPassive: 'Thank you! What is the main reason for your score, and what could we do better?',
    followupDetractor: 'Thank you for being honest. What is the main reason for your score? We read every answer.',
    thanks: 'Thanks a lot for your feedback. Have a great day!',
    optOut: 'Understood. We will not send you these questions again.',
    relationshipQuestion: 'Hi{name}! On a scale from 0 to 10, how likely is it that you would recommend {company} to a friend or colleague, all things considered? Just reply with a number (0 = not at all likely, 10 = extremely likely).',
    consentQuestion: 'Thank you, that means a lot! May we quote your comment publicly, without your full name? Reply yes or no.',
    consentGranted: 'Thank you! We may share your words with others.',
    consentDeclined: 'Understood, your comment stays with us. Have a great day!',
    us: 'us',
  },
  sv: {
    question: 'Hej{name}! Tack för att du hörde av dig. På en skala från 0 till 10, hur troligt är det att du skulle rekommendera {company} till en vän eller kollega? Svara bara med en siffra (0 = inte alls troligt, 10 = mycket troligt).',
    reprompt: 'Förlåt, jag uppfattade inget betyg. Kan du svara med en siffra från 0 till 10? (Svara "stopp" om du inte vill få frågan.)',
    followupPromoter: 'Tack, vad roligt att höra! Vad är den främsta anledningen till ditt betyg?',
    followupPassive: 'Tack! Vad är den främsta anledningen till ditt betyg, och vad kan vi göra bättre?',
    followupDetractor: 'Tack för att du är ärlig. Vad är den främsta anledningen till ditt betyg? Vi läser varje svar.',
    thanks: 'Stort tack för din återkoppling. Ha en fin dag!',
    optOut: 'Uppfattat. Vi skickar inte de här frågorna till dig igen.',
    relationshipQuestion: 'Hej{name}! På en skala från 0 till 10, hur troligt är det att du skulle rekommendera {company} till en vän eller kollega, allt sammantaget? Svara bara med en siffra (0 = inte alls troligt, 10 = mycket troligt).',
    consentQuestion: 'Tack, det betyder mycket! Får vi citera din kommentar offentligt, utan ditt fullständiga namn? Svara ja eller nej.',
    consentGranted: 'Tack! Vi får dela dina ord med andra.',
    consentDeclined: 'Uppfattat, din kommentar stannar hos oss. Ha en fin dag!',
    us: 'oss',
  },
  da: {
    question: 'Hej{name}! Tak fordi du kontaktede os. På en skala fra 0 til 10, hvor sandsynligt er det, at du vil anbefale {company} til en ven eller kollega? Svar blot med et tal (0 = slet ikke sandsynligt, 10 = meget sandsynligt).',
    reprompt: 'Undskyld, jeg fangede ikke en karakter. Kan du svare med et tal fra 0 til 10? (Svar "stop", hvis du ikke vil spørges.)',
    followupPromoter: 'Tak, det er dejligt at høre! Hvad er hovedårsagen til din karakter?',
    followupPassive: 'Tak! Hvad er hovedårsagen til din karakter, og hvad kan vi gøre bedre?',
    followupDetractor: 'Tak for din ærlighed. Hvad er hovedårsagen til din karakter? Vi læser hvert svar.',
    thanks: 'Mange tak for din feedback. Hav en god dag!',
    optOut: 'Forstået. Vi sender ikke disse spørgsmål til dig igen.',
    relationshipQuestion: 'Hej{name}! På en skala fra 0 til 10, hvor sandsynligt er det, at du vil anbefale {company} til en ven eller kollega, alt taget i betragtning? Svar blot med et tal (0 = slet ikke sandsynligt, 10 = meget sandsynligt).',
    consentQuestion: 'Tak, det betyder meget! Må vi citere din kommentar offentligt, uden dit fulde navn? Svar ja eller nej.',
    consentGranted: 'Tak! Vi må dele dine ord med andre.',
    consentDeclined: 'Forstået, din kommentar bliver hos os. Hav en god dag!',
    us: 'os',
  },
  nb: {
    question: 'Hei{name}! Takk for at du tok kontakt. På en skala fra 0 til 10, hvor sannsynlig er det at du vil anbefale {company} til en venn eller kollega? Svar bare med et tall (0 = ikke sannsynlig i det hele tatt, 10 = svært sannsynlig).',
    reprompt: 'Beklager, jeg fikk ikke med meg en karakter. Kan du svare med et tall fra 0 til 10? (Svar "stopp" hvis du ikke vil bli spurt.)',
    followupPromoter: 'Takk, så hyggelig å høre! Hva er hovedgrunnen til karakteren din?',
    followupPassive: 'Takk! Hva er hovedgrunnen til karakteren din, og hva kan vi gjøre bedre?',
    followupDetractor: 'Takk for at du er ærlig. Hva er hovedgrunnen til karakteren din? Vi leser hvert svar.',
    thanks: 'Tusen takk for tilbakemeldingen. Ha en fin dag!',
    optOut: 'Den er grei. Vi sender deg ikke disse spørsmålene igjen.',
    relationshipQuestion: 'Hei{name}! På en skala fra 0 til 10, hvor sannsynlig er det at du vil anbefale {company} til en venn eller kollega, alt tatt i betraktning? Svar bare med et tall (0 = ikke sannsynlig i det hele tatt, 10 = svært sannsynlig).',
    consentQuestion: 'Takk, det betyr mye! Kan vi sitere kommentaren din offentlig, uten fullt navn? Svar ja eller nei.',
    consentGranted: 'Takk! Vi kan dele ordene dine med andre.',
    consentDeclined: 'Den er grei, kommentaren din blir hos oss. Ha en fin dag!',
    us: 'oss',
  },
};

/** Pick a supported locale from what a platform reports ("sv-SE", "nb_NO", "no", "en-US"). */
export function resolveLocale(raw: string | undefined, fallback: Locale): Locale {
  if (!raw) return fallback;
  const base = raw.toLowerCase().replace('_', '-').split('-')[0] ?? '';
  if (base === 'no' || base === 'nn') return 'nb';
  return (LOCALES as readonly string[]).includes(base) ? (base as Locale) : fallback;
}

export function followupKey(category: Category): TemplateKey {
  return category === 'promoter' ? 'followupPromoter' : category === 'passive' ? 'followupPassive' : 'followupDetractor';
}

export class Templates {
  constructor(private readonly overrides: TemplateOverrides, private readonly companyName?: string) {}

  render(key: TemplateKey, locale: Locale, vars: { name?: string } = {}): string {
    const set = BUILT_IN[locale];
    const text = this.overrides[locale]?.[key] ?? set[key];
    const company = this.companyName ?? this.overrides[locale]?.us ?? set.us;
    const first = firstName(vars.name);
    return text.replaceAll('{company}', company).replaceAll('{name}', first ? ` ${first}` : '');
  }
}
