/**
 * The eleven locales: every text is there and keeps its placeholders, the opt-out word
 * a re-prompt names is one the parser takes as an opt-out, the yes and no the consent
 * question asks for are read as such, and the platforms' locale hints (Slack, Discord,
 * Telegram, Meta, Chatwoot browsers) map onto them as BCP 47 languages.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { BUILT_IN, LOCALES, TEMPLATE_KEYS, Templates, resolveLocale } from '../../src/conversation/templates.ts';
import { parseReply } from '../../src/conversation/reply-parser.ts';
import { readConsent } from '../../src/conversation/consent-reply.ts';

/** The quoted words in a text: "stop", „Stopp“, «STOP», «BAJA», „tak”. */
function quoted(text: string): string[] {
  return [...text.matchAll(/["„«“]\s?([^"„«»“”]+?)\s?["“”»]/gu)].map((m) => (m[1] ?? '').trim());
}

describe('templates in every locale', () => {
  test('the eleven BCP 47 locales', () => {
    assert.deepEqual([...LOCALES], ['en', 'sv', 'da', 'nb', 'fi', 'is', 'de', 'nl', 'fr', 'es', 'pl']);
  });

  test.each([...LOCALES])('%s: every key, the placeholders, the 0–10 scale', (locale) => {
    const set = BUILT_IN[locale];
    for (const key of TEMPLATE_KEYS) assert.ok(set[key].trim().length > 0, `${locale}.${key}`);
    for (const key of ['question', 'relationshipQuestion'] as const) {
      assert.ok(set[key].includes('{name}') && set[key].includes('{company}'), `${locale}.${key} placeholders`);
      assert.match(set[key], /0[^0-9]{1,8}10/, `${locale}.${key} names the scale`);
    }
    const rendered = new Templates({}, 'Acme').render('question', locale, { name: 'Anna Berg' });
    assert.ok(rendered.includes('Acme') && rendered.includes(' Anna') && !rendered.includes('Berg') && !rendered.includes('{'), rendered);
  });

  test.each([...LOCALES])('%s: the opt-out word the re-prompt names is an opt-out', (locale) => {
    const words = quoted(BUILT_IN[locale].reprompt);
    assert.equal(words.length, 1, `${locale}: ${BUILT_IN[locale].reprompt}`);
    assert.equal(parseReply(words[0]!).optOut, true, `${locale}: "${words[0]}"`);
  });

  test.each([...LOCALES])('%s: the yes and the no the consent question asks for are read as such', (locale) => {
    const q = BUILT_IN[locale].consentQuestion;
    const yesNo: Record<string, [string, string]> = {
      en: ['yes', 'no'], sv: ['ja', 'nej'], da: ['ja', 'nej'], nb: ['ja', 'nei'], fi: ['kyllä', 'ei'], is: ['já', 'nei'],
      de: ['Ja', 'Nein'], nl: ['ja', 'nee'], fr: ['oui', 'non'], es: ['sí', 'no'], pl: ['tak', 'nie'],
    };
    const [yes, no] = yesNo[locale]!;
    assert.ok(q.includes(yes) && q.includes(no), `${locale}: ${q}`);
    assert.equal(readConsent(yes, locale), 'granted');
    assert.equal(readConsent(no, locale), 'declined');
  });
});

describe('platform locale hints', () => {
  test.each([
    // Slack users.info locale, Chatwoot browser_language
    ['de-DE', 'de'], ['de-AT', 'de'], ['de-CH', 'de'], ['fr-FR', 'fr'], ['fr-CA', 'fr'], ['es-ES', 'es'], ['nl-NL', 'nl'],
    ['pl-PL', 'pl'], ['fi-FI', 'fi'], ['is-IS', 'is'], ['sv-FI', 'sv'], ['en-GB', 'en'],
    // Discord preferredLocale (es-419, Norwegian as "no")
    ['es-419', 'es'], ['no', 'nb'], ['fi', 'fi'], ['pl', 'pl'], ['nl', 'nl'], ['fr', 'fr'], ['de', 'de'], ['da', 'da'], ['sv-SE', 'sv'],
    // Meta (Messenger/Instagram/WhatsApp) POSIX-style locales, Telegram language_code
    ['de_DE', 'de'], ['es_LA', 'es'], ['nl_BE', 'nl'], ['fr_FR', 'fr'], ['pl_PL', 'pl'], ['fi_FI', 'fi'], ['is_IS', 'is'], ['nb_NO', 'nb'], ['nn_NO', 'nb'],
    [' FR ', 'fr'],
    // unknown languages fall back to DEFAULT_LOCALE
    ['pt-BR', 'sv'], ['it', 'sv'], ['', 'sv'], [undefined, 'sv'],
  ] as const)('%s → %s', (hint, expected) => {
    assert.equal(resolveLocale(hint, 'sv'), expected);
  });
});
