/**
 * How the NPS question looks on WhatsApp. WhatsApp's one-tap answers are limited: a
 * list message holds at most 10 rows (in all its sections together), reply buttons at
 * most 3. Eleven scores fit neither, so the question is two list messages:
 *
 * 1. the question's text, with a list button `0 – 5` (rows 0…5);
 * 2. `6 – 10`, with a list button `6 – 10` (rows 6…10).
 *
 * Every score is one tap away, in order, and nothing the customer sees is an English
 * word the engine did not choose (the labels are numbers). A typed number ("9", "8/10",
 * "nio") is always accepted too. Each row's id is `nps:<surveyId>:<score>`, so a tap
 * scores exactly that survey. Limits: an interactive message's body 1024 characters (a
 * plain text message 4096), button label 20, row title 24, row id 200 characters.
 */
import { fitText } from '../text-limit.ts';
import { choicePayload } from './choice-payload.ts';

export const WHATSAPP_LIMITS = { listRows: 10, replyButtons: 3, body: 1024, button: 20, rowTitle: 24, rowId: 200, text: 4096 } as const;

export interface WhatsAppListPart { body: string; button: string; scores: number[] }

/** Split the choices into lists of at most 10 rows, in as even halves as the scale allows. */
export function splitChoices(choices: readonly number[]): number[][] {
  if (choices.length === 0) return [];
  const parts = Math.ceil(choices.length / WHATSAPP_LIMITS.listRows);
  const size = Math.ceil(choices.length / parts);
  const out: number[][] = [];
  for (let i = 0; i < choices.length; i += size) out.push(choices.slice(i, i + size));
  return out;
}

const range = (scores: readonly number[]) => (scores.length === 1 ? String(scores[0]) : `${scores[0]} – ${scores[scores.length - 1]}`);

/** The interactive messages that make up the question (the first carries its text). */
export function questionLists(surveyId: string, text: string, choices: readonly number[]): Array<Record<string, unknown>> {
  return splitChoices(choices).map((scores, i) => listMessage(surveyId, i === 0 ? text : range(scores), range(scores), scores));
}

function listMessage(surveyId: string, body: string, button: string, scores: readonly number[]): Record<string, unknown> {
  return {
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text: fitText(body, { chars: WHATSAPP_LIMITS.body }) },
      action: {
        button: button.slice(0, WHATSAPP_LIMITS.button),
        sections: [{ title: button.slice(0, WHATSAPP_LIMITS.rowTitle), rows: scores.map((n) => ({ id: choicePayload(surveyId, n, 'whatsapp'), title: String(n) })) }],
      },
    },
  };
}

export function textMessage(text: string): Record<string, unknown> {
  return { type: 'text', text: { body: whatsappText(text), preview_url: false } };
}

/**
 * The approved template sent when the 24-hour window has closed. It carries no
 * parameters: create it with the question's wording in each language you use (and, if
 * you like, quick-reply buttons labelled 0…10; a tap comes back as the label and is read
 * like a typed answer).
 */
export function templateMessage(name: string, language: string): Record<string, unknown> {
  return { type: 'template', template: { name, language: { code: language } } };
}

/** A plain text message's body (4096 characters). */
export function whatsappText(text: string): string {
  return fitText(text, { chars: WHATSAPP_LIMITS.text });
}
