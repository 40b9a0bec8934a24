/**
 * The question as Chatwoot messages, chosen by the inbox behind the conversation.
 * Chatwoot turns an `input_select` into the platform's one-tap answers:
 *
 * - web widget: option buttons (a pick comes back as `submitted_values` on the message);
 * - Facebook, Instagram: quick replies (Meta allows 13, so 0–10 fit; a tap comes back
 *   as the customer's message "9");
 * - WhatsApp (Cloud / 360dialog): reply buttons for up to 3 items, else **one list with
 *   every item as a row** — and WhatsApp refuses lists of more than 10 rows, so eleven
 *   scores in one `input_select` would never arrive. The question is therefore two
 *   `input_select`s there, 0–5 (with the question's text) and 6–10, each a list.
 *
 * Elsewhere (e-mail, SMS, API inboxes, Twilio, kinds not in CHATWOOT_INPUT_SELECT) the
 * question is plain text; the customer types the number, which is always accepted.
 */
import { choicePayload } from '../meta/choice-payload.ts';
import { splitChoices } from '../meta/whatsapp-question.ts';
import type { InputSelectItem, NewMessage } from './chatwoot-client.ts';
import type { ChatwootChannelKind } from './chatwoot-channel-names.ts';

const items = (surveyId: string, scores: readonly number[]): InputSelectItem[] =>
  scores.map((n) => ({ title: String(n), value: choicePayload(surveyId, n) }));

const range = (scores: readonly number[]) => `${scores[0]} – ${scores[scores.length - 1]}`;

export function questionMessages(opts: {
  surveyId: string;
  text: string;
  choices: readonly number[];
  kind: ChatwootChannelKind | null;
  /** The inbox type Chatwoot reports for the conversation, when known. */
  channelType?: string;
  inputSelect: ReadonlySet<ChatwootChannelKind>;
}): NewMessage[] {
  const { kind, channelType } = opts;
  // Twilio inboxes send only the text of a message, whatever its type.
  if (!kind || !opts.inputSelect.has(kind) || channelType === 'Channel::TwilioSms' || opts.choices.length === 0) {
    return [{ content: opts.text }];
  }
  if (kind === 'whatsapp') {
    return splitChoices(opts.choices).map((scores, i) => ({ content: i === 0 ? opts.text : range(scores), inputSelect: items(opts.surveyId, scores) }));
  }
  return [{ content: opts.text, inputSelect: items(opts.surveyId, opts.choices) }];
}
