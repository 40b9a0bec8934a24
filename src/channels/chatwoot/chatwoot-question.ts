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
 *
 * Every text is cut to the limit of the platform behind the inbox (Chatwoot passes it on
 * unchanged, and the platform refuses what is too long): Instagram 1,000 bytes, a WhatsApp
 * list's body 1,024 characters, and so on (CHATWOOT_TEXT_LIMITS).
 */
import { fitText, type TextLimit } from '../text-limit.ts';
import { encodeScoreButton } from '../button-codec.ts';
import { MESSAGING_TEXT_LIMITS } from '../meta/messenger-question.ts';
import { splitChoices, WHATSAPP_LIMITS } from '../meta/whatsapp-question.ts';
import type { InputSelectItem, NewMessage } from './chatwoot-client.ts';
import type { ChatwootChannelKind } from './chatwoot-channel-names.ts';

/** Chatwoot's own limit on a message's content (its message model). */
export const CHATWOOT_CONTENT_CHARS = 150_000;

/** One text message, by the platform behind the inbox (documented limits; Chatwoot's own elsewhere). */
export const CHATWOOT_TEXT_LIMITS: Readonly<Record<ChatwootChannelKind, TextLimit>> = {
  web: { chars: CHATWOOT_CONTENT_CHARS },
  facebook: MESSAGING_TEXT_LIMITS.messenger,
  instagram: MESSAGING_TEXT_LIMITS.instagram,
  whatsapp: { chars: WHATSAPP_LIMITS.text },
  sms: { chars: 1600 }, // Twilio's limit on one message body (longer is refused, 21617)
  email: { chars: CHATWOOT_CONTENT_CHARS },
  api: { chars: CHATWOOT_CONTENT_CHARS },
  telegram: { chars: 4096 },
  line: { chars: 5000 },
  twitter: { chars: 10_000 },
  tiktok: { chars: CHATWOOT_CONTENT_CHARS }, // no limit found in TikTok's public docs
  other: { chars: CHATWOOT_CONTENT_CHARS },
};

/** A plain message's text for this kind of inbox (a private note: `null`, Chatwoot's own limit). */
export function chatwootText(kind: ChatwootChannelKind | null, text: string): string {
  return fitText(text, kind ? CHATWOOT_TEXT_LIMITS[kind] : { chars: CHATWOOT_CONTENT_CHARS });
}

const items = (surveyId: string, scores: readonly number[]): InputSelectItem[] =>
  scores.map((n) => ({ title: String(n), value: encodeScoreButton('chatwoot', { surveyId, score: n }) }));

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
    return [{ content: chatwootText(kind, opts.text) }];
  }
  if (kind === 'whatsapp') {
    // Each half is an interactive list, whose body WhatsApp limits to 1,024 characters.
    const text = fitText(opts.text, { chars: WHATSAPP_LIMITS.body });
    return splitChoices(opts.choices).map((scores, i) => ({ content: i === 0 ? text : range(scores), inputSelect: items(opts.surveyId, scores) }));
  }
  return [{ content: chatwootText(kind, opts.text), inputSelect: items(opts.surveyId, opts.choices) }];
}
