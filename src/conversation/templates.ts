/**
 * The words the bot says, per locale. The company may reword or translate them
 * (CONFIG_FILE `templates`), but the question keeps its intent and the 0–10 scale:
 * changing either makes the number incomparable (NPS-PRACTICE.md).
 *
 * Placeholders: `{company}` (COMPANY_NAME, or the locale's word for "us"), `{name}`
 * (the customer's first name, or nothing).
 *
 * Address form follows what customer care in each language uses in chat (README,
 * "Languages"): informal in the Nordic languages, Finnish, Icelandic, Dutch, Spanish
 * and Polish (with verb forms that need no gender); formal "Sie" and "vous" in German
 * and French. A company that speaks otherwise rewords them in CONFIG_FILE `templates`.
 */
import { z } from 'zod';
import { firstName } from './first-name.ts';
import type { Category } from './nps-category.ts';

/** BCP 47 language tags: English, Swedish, Danish, Norwegian bokmål, Finnish, Icelandic, German, Dutch, French, Spanish, Polish. */
export const LOCALES = ['en', 'sv', 'da', 'nb', 'fi', 'is', 'de', 'nl', 'fr', 'es', 'pl'] as const;
export type Locale = (typeof LOCALES)[number];

export const TEMPLATE_KEYS = [
  'question', 'relationshipQuestion', 'reprompt', 'reminder', 'followupPromoter', 'followupPassive', 'followupDetractor',
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
    reminder: 'Just a quick reminder{name}: how likely is it that you would recommend {company}, from 0 to 10? One number is enough. (Reply "stop" if you would rather not be asked.)',
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
    reminder: 'En liten påminnelse{name}: hur troligt är det att du skulle rekommendera {company}, från 0 till 10? Det räcker med en siffra. (Svara "stopp" om du inte vill få frågan.)',
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
    reminder: 'En lille påmindelse{name}: hvor sandsynligt er det, at du vil anbefale {company}, fra 0 til 10? Et tal er nok. (Svar "stop", hvis du ikke vil spørges.)',
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
    reminder: 'En liten påminnelse{name}: hvor sannsynlig er det at du vil anbefale {company}, fra 0 til 10? Ett tall holder. (Svar "stopp" hvis du ikke vil bli spurt.)',
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
  fi: {
    question: 'Hei{name}! Kiitos yhteydenotostasi. Kuinka todennäköisesti suosittelisit {company} ystävälle tai kollegalle asteikolla 0–10? Vastaa pelkällä numerolla (0 = en lainkaan todennäköisesti, 10 = erittäin todennäköisesti).',
    reprompt: 'Anteeksi, en löytänyt vastauksestasi arvosanaa. Voisitko vastata yhdellä numerolla 0–10? (Vastaa "lopeta", jos et halua saada tätä kysymystä.)',
    reminder: 'Pieni muistutus{name}: kuinka todennäköisesti suosittelisit {company} asteikolla 0–10? Yksi numero riittää. (Vastaa "lopeta", jos et halua saada tätä kysymystä.)',
    followupPromoter: 'Kiitos, mukava kuulla! Mikä on tärkein syy arvosanaasi?',
    followupPassive: 'Kiitos! Mikä on tärkein syy arvosanaasi, ja mitä voisimme tehdä paremmin?',
    followupDetractor: 'Kiitos rehellisestä vastauksestasi. Mikä on tärkein syy arvosanaasi? Luemme jokaisen vastauksen.',
    thanks: 'Kiitos paljon palautteestasi. Mukavaa päivänjatkoa!',
    optOut: 'Selvä. Emme lähetä sinulle näitä kysymyksiä enää.',
    relationshipQuestion: 'Hei{name}! Kaiken kaikkiaan, kuinka todennäköisesti suosittelisit {company} ystävälle tai kollegalle asteikolla 0–10? Vastaa pelkällä numerolla (0 = en lainkaan todennäköisesti, 10 = erittäin todennäköisesti).',
    consentQuestion: 'Kiitos, se merkitsee meille paljon! Saammeko lainata kommenttiasi julkisesti ilman koko nimeäsi? Vastaa kyllä tai ei.',
    consentGranted: 'Kiitos! Voimme siis jakaa sanasi muillekin.',
    consentDeclined: 'Selvä, kommenttisi jää vain meidän tietoomme. Mukavaa päivänjatkoa!',
    us: 'meitä',
  },
  is: {
    question: 'Hæ{name}! Takk fyrir að hafa samband. Á kvarðanum 0 til 10, hversu líklegt er að þú myndir mæla með {company} við vin eða samstarfsfélaga? Svaraðu bara með tölu (0 = alls ekki líklegt, 10 = mjög líklegt).',
    reprompt: 'Afsakaðu, ég fann enga einkunn í svarinu. Geturðu svarað með einni tölu frá 0 til 10? (Svaraðu „hætta“ ef þú vilt ekki fá þessa spurningu.)',
    reminder: 'Smá áminning{name}: hversu líklegt er að þú myndir mæla með {company}, frá 0 til 10? Ein tala dugar. (Svaraðu „hætta“ ef þú vilt ekki fá þessa spurningu.)',
    followupPromoter: 'Takk, gaman að heyra! Hver er helsta ástæðan fyrir einkunninni?',
    followupPassive: 'Takk! Hver er helsta ástæðan fyrir einkunninni og hvað gætum við gert betur?',
    followupDetractor: 'Takk fyrir hreinskilnina. Hver er helsta ástæðan fyrir einkunninni? Við lesum öll svör.',
    thanks: 'Kærar þakkir fyrir endurgjöfina. Eigðu góðan dag!',
    optOut: 'Skilið. Við sendum þér ekki þessar spurningar aftur.',
    relationshipQuestion: 'Hæ{name}! Þegar á heildina er litið, hversu líklegt er að þú myndir mæla með {company} við vin eða samstarfsfélaga, á kvarðanum 0 til 10? Svaraðu bara með tölu (0 = alls ekki líklegt, 10 = mjög líklegt).',
    consentQuestion: 'Takk, þetta skiptir okkur miklu máli! Megum við vitna opinberlega í ummæli þín, án fulls nafns? Svaraðu já eða nei.',
    consentGranted: 'Takk! Þá megum við deila orðum þínum með öðrum.',
    consentDeclined: 'Skilið, ummælin verða bara hjá okkur. Eigðu góðan dag!',
    us: 'okkur',
  },
  de: {
    question: 'Hallo{name}! Danke, dass Sie sich an uns gewandt haben. Wie wahrscheinlich ist es, dass Sie {company} Freunden oder Kollegen weiterempfehlen, auf einer Skala von 0 bis 10? Antworten Sie einfach mit einer Zahl (0 = überhaupt nicht wahrscheinlich, 10 = äußerst wahrscheinlich).',
    reprompt: 'Entschuldigung, ich habe in Ihrer Antwort keine Bewertung gefunden. Könnten Sie mit einer einzelnen Zahl von 0 bis 10 antworten? (Antworten Sie „Stopp“, wenn Sie diese Frage nicht mehr erhalten möchten.)',
    reminder: 'Eine kurze Erinnerung{name}: Wie wahrscheinlich ist es, dass Sie {company} weiterempfehlen, von 0 bis 10? Eine Zahl genügt. (Antworten Sie „Stopp“, wenn Sie diese Frage nicht mehr erhalten möchten.)',
    followupPromoter: 'Vielen Dank, das freut uns sehr! Was ist der wichtigste Grund für Ihre Bewertung?',
    followupPassive: 'Vielen Dank! Was ist der wichtigste Grund für Ihre Bewertung, und was könnten wir besser machen?',
    followupDetractor: 'Danke für Ihre Offenheit. Was ist der wichtigste Grund für Ihre Bewertung? Wir lesen jede Antwort.',
    thanks: 'Herzlichen Dank für Ihr Feedback. Einen schönen Tag noch!',
    optOut: 'Verstanden. Wir schicken Ihnen diese Fragen nicht mehr.',
    relationshipQuestion: 'Hallo{name}! Alles in allem: Wie wahrscheinlich ist es, dass Sie {company} Freunden oder Kollegen weiterempfehlen, auf einer Skala von 0 bis 10? Antworten Sie einfach mit einer Zahl (0 = überhaupt nicht wahrscheinlich, 10 = äußerst wahrscheinlich).',
    consentQuestion: 'Danke, das bedeutet uns viel! Dürfen wir Ihren Kommentar öffentlich zitieren, ohne Ihren vollen Namen? Antworten Sie einfach mit Ja oder Nein.',
    consentGranted: 'Vielen Dank! Dann dürfen wir Ihre Worte mit anderen teilen.',
    consentDeclined: 'Verstanden, Ihr Kommentar bleibt bei uns. Einen schönen Tag noch!',
    us: 'uns',
  },
  nl: {
    question: 'Hoi{name}! Bedankt voor je bericht. Hoe waarschijnlijk is het dat je {company} aanbeveelt bij een vriend of collega, op een schaal van 0 tot 10? Antwoord gewoon met een cijfer (0 = helemaal niet waarschijnlijk, 10 = zeer waarschijnlijk).',
    reprompt: 'Sorry, ik zie geen cijfer in je antwoord. Kun je antwoorden met één cijfer van 0 tot 10? (Antwoord "stop" als je deze vraag niet meer wilt krijgen.)',
    reminder: 'Een korte herinnering{name}: hoe waarschijnlijk is het dat je {company} zou aanbevelen, van 0 tot 10? Eén cijfer is genoeg. (Antwoord "stop" als je deze vraag niet meer wilt krijgen.)',
    followupPromoter: 'Dank je, wat fijn om te horen! Wat is de belangrijkste reden voor je cijfer?',
    followupPassive: 'Dank je! Wat is de belangrijkste reden voor je cijfer, en wat kunnen we beter doen?',
    followupDetractor: 'Dank je voor je eerlijkheid. Wat is de belangrijkste reden voor je cijfer? We lezen elk antwoord.',
    thanks: 'Heel erg bedankt voor je feedback. Nog een fijne dag!',
    optOut: 'Begrepen. We sturen je deze vragen niet meer.',
    relationshipQuestion: 'Hoi{name}! Alles bij elkaar genomen: hoe waarschijnlijk is het dat je {company} aanbeveelt bij een vriend of collega, op een schaal van 0 tot 10? Antwoord gewoon met een cijfer (0 = helemaal niet waarschijnlijk, 10 = zeer waarschijnlijk).',
    consentQuestion: 'Dank je, dat betekent veel voor ons! Mogen we je reactie openbaar citeren, zonder je volledige naam? Antwoord met ja of nee.',
    consentGranted: 'Dank je! Dan mogen we je woorden met anderen delen.',
    consentDeclined: 'Begrepen, je reactie blijft bij ons. Nog een fijne dag!',
    us: 'ons',
  },
  fr: {
    question: 'Bonjour{name}\u00a0! Merci de nous avoir contactés. Sur une échelle de 0 à 10, quelle est la probabilité que vous recommandiez {company} à un ami ou à un collègue\u00a0? Répondez simplement par un nombre (0 = pas du tout probable, 10 = très probable).',
    reprompt: 'Désolé, je n\'ai pas trouvé de note dans votre réponse. Pourriez-vous répondre par un seul nombre de 0 à 10\u00a0? (Répondez «\u00a0STOP\u00a0» si vous ne souhaitez plus recevoir cette question.)',
    reminder: 'Petit rappel{name} : quelle est la probabilité que vous recommandiez {company}, de 0 à 10 ? Un seul nombre suffit. (Répondez « STOP » si vous ne souhaitez plus recevoir cette question.)',
    followupPromoter: 'Merci, cela nous fait très plaisir\u00a0! Quelle est la principale raison de votre note\u00a0?',
    followupPassive: 'Merci\u00a0! Quelle est la principale raison de votre note, et que pourrions-nous améliorer\u00a0?',
    followupDetractor: 'Merci pour votre franchise. Quelle est la principale raison de votre note\u00a0? Nous lisons chaque réponse.',
    thanks: 'Merci beaucoup pour votre retour. Très bonne journée\u00a0!',
    optOut: 'C\'est noté. Nous ne vous enverrons plus ces questions.',
    relationshipQuestion: 'Bonjour{name}\u00a0! Dans l\'ensemble, sur une échelle de 0 à 10, quelle est la probabilité que vous recommandiez {company} à un ami ou à un collègue\u00a0? Répondez simplement par un nombre (0 = pas du tout probable, 10 = très probable).',
    consentQuestion: 'Merci, cela compte beaucoup pour nous\u00a0! Pouvons-nous citer votre commentaire publiquement, sans votre nom complet\u00a0? Répondez par oui ou par non.',
    consentGranted: 'Merci\u00a0! Nous pourrons donc partager vos mots.',
    consentDeclined: 'C\'est noté, votre commentaire reste entre nous. Très bonne journée\u00a0!',
    us: 'notre entreprise',
  },
  es: {
    question: '¡Hola{name}! Gracias por escribirnos. En una escala del 0 al 10, ¿qué probabilidad hay de que recomiendes {company} a un amigo o compañero? Responde solo con un número (0 = nada probable, 10 = muy probable).',
    reprompt: 'Perdona, no he encontrado una puntuación en tu respuesta. ¿Puedes responder con un solo número del 0 al 10? (Responde «BAJA» si prefieres que no te lo preguntemos más).',
    reminder: 'Un pequeño recordatorio{name}: ¿qué probabilidad hay de que recomiendes {company}, del 0 al 10? Basta con un número. (Responde «BAJA» si prefieres que no te lo preguntemos más).',
    followupPromoter: '¡Gracias, nos alegra mucho leerlo! ¿Cuál es el motivo principal de tu puntuación?',
    followupPassive: '¡Gracias! ¿Cuál es el motivo principal de tu puntuación y qué podríamos mejorar?',
    followupDetractor: 'Gracias por tu sinceridad. ¿Cuál es el motivo principal de tu puntuación? Leemos todas las respuestas.',
    thanks: 'Muchas gracias por tu opinión. ¡Que tengas un buen día!',
    optOut: 'Entendido. No volveremos a enviarte estas preguntas.',
    relationshipQuestion: '¡Hola{name}! En general, en una escala del 0 al 10, ¿qué probabilidad hay de que recomiendes {company} a un amigo o compañero? Responde solo con un número (0 = nada probable, 10 = muy probable).',
    consentQuestion: '¡Gracias, significa mucho para nosotros! ¿Podemos citar tu comentario públicamente, sin tu nombre completo? Responde sí o no.',
    consentGranted: '¡Gracias! Podremos compartir tus palabras con otras personas.',
    consentDeclined: 'Entendido, tu comentario se queda con nosotros. ¡Que tengas un buen día!',
    us: 'nuestra empresa',
  },
  pl: {
    question: 'Cześć{name}! Dziękujemy za kontakt. Jak bardzo prawdopodobne jest, że polecisz {company} znajomemu lub współpracownikowi? Odpowiedz jedną liczbą od 0 do 10 (0 = zupełnie nieprawdopodobne, 10 = bardzo prawdopodobne).',
    reprompt: 'Przepraszam, nie widzę oceny w Twojej odpowiedzi. Czy możesz odpowiedzieć jedną liczbą od 0 do 10? (Odpisz „STOP”, jeśli nie chcesz dostawać tego pytania).',
    reminder: 'Krótkie przypomnienie{name}: jak bardzo prawdopodobne jest, że polecisz {company}, w skali od 0 do 10? Wystarczy jedna liczba. (Odpisz „STOP”, jeśli nie chcesz dostawać tego pytania).',
    followupPromoter: 'Dziękujemy, bardzo miło nam to słyszeć! Co jest głównym powodem Twojej oceny?',
    followupPassive: 'Dziękujemy! Co jest głównym powodem Twojej oceny i co moglibyśmy poprawić?',
    followupDetractor: 'Dziękujemy za szczerość. Co jest głównym powodem Twojej oceny? Czytamy każdą odpowiedź.',
    thanks: 'Bardzo dziękujemy za opinię. Miłego dnia!',
    optOut: 'Rozumiemy. Nie będziemy już wysyłać Ci tych pytań.',
    relationshipQuestion: 'Cześć{name}! Biorąc wszystko pod uwagę, jak bardzo prawdopodobne jest, że polecisz {company} znajomemu lub współpracownikowi? Odpowiedz jedną liczbą od 0 do 10 (0 = zupełnie nieprawdopodobne, 10 = bardzo prawdopodobne).',
    consentQuestion: 'Dziękujemy, to dla nas bardzo ważne! Czy możemy publicznie zacytować Twój komentarz, bez pełnego imienia i nazwiska? Odpowiedz „tak” lub „nie”.',
    consentGranted: 'Dziękujemy! W takim razie możemy podzielić się Twoimi słowami z innymi.',
    consentDeclined: 'Rozumiemy, Twój komentarz zostanie tylko u nas. Miłego dnia!',
    us: 'nas',
  },
};

/**
 * Pick a supported locale from what a platform reports: a BCP 47 tag or a POSIX-style one
 * ("sv-SE", "nb_NO", "de-CH", "es-419", Meta's "es_LA", Discord's "no", Slack's "fr-FR").
 * Only the language counts; Norwegian in any form (no, nn, nb) is bokmål.
 */
export function resolveLocale(raw: string | undefined, fallback: Locale): Locale {
  if (!raw) return fallback;
  const base = raw.trim().toLowerCase().replace('_', '-').split('-')[0] ?? '';
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
