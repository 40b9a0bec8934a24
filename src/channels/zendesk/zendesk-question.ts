/**
 * The question as Sunshine Conversations messages, per channel behind the conversation.
 * Sunshine turns `actions` of type `reply` into each channel's quick replies (Messenger,
 * Instagram, LINE, Telegram, Viber, the Web/iOS/Android messenger) and falls back to text
 * where a channel has none. WhatsApp shows more than three replies as a list, and
 * WhatsApp lists hold at most 10 rows, so there the scale is two messages (0–5, 6–10).
 * SMS and e-mail get plain text (the customer types the number).
 *
 * Texts are cut to the channel's documented limit, in bytes where it counts bytes:
 * Instagram accepts 1,000 bytes (an outside check's 999-character Danish question was 1,033), Messenger
 * 2,000 characters, a WhatsApp interactive body 1,024 characters, Sunshine itself 4,096.
 */
import { encodeScoreButton } from '../button-codec.ts';
import { splitChoices } from '../meta/whatsapp-question.ts';
import { fitText, type TextLimit } from '../text-limit.ts';
import type { ZendeskChannelKind } from './zendesk-channel-names.ts';

export const SUNSHINE_TEXT_LIMIT: TextLimit = { chars: 4096 };

export const ZENDESK_TEXT_LIMITS: Partial<Record<ZendeskChannelKind, TextLimit>> = {
  instagram: { bytes: 1000 },
  messenger: { chars: 2000 },
  whatsapp: { chars: 1024 },
  sms: { chars: 1600 },
};

const NO_REPLIES: ReadonlySet<ZendeskChannelKind> = new Set(['sms', 'email', 'api', 'other']);

export interface SunshineReply { type: 'reply'; text: string; payload: string }
export interface SunshineText { type: 'text'; text: string; actions?: SunshineReply[] }

export function limitFor(kind: ZendeskChannelKind): TextLimit {
  return ZENDESK_TEXT_LIMITS[kind] ?? SUNSHINE_TEXT_LIMIT;
}

export function textMessage(kind: ZendeskChannelKind, text: string): SunshineText {
  return { type: 'text', text: fitText(text, limitFor(kind)) };
}

export function questionMessages(kind: ZendeskChannelKind, surveyId: string, text: string, choices: readonly number[]): SunshineText[] {
  const body = textMessage(kind, text);
  if (choices.length === 0 || NO_REPLIES.has(kind)) return [body];
  const replies = (scores: readonly number[]): SunshineReply[] => scores.map((n) => ({ type: 'reply', text: String(n), payload: encodeScoreButton('sunshine', { surveyId, score: n }) }));
  if (kind === 'whatsapp') {
    return splitChoices(choices).map((scores, i) => ({
      type: 'text', text: i === 0 ? body.text : `${scores[0]} – ${scores[scores.length - 1]}`, actions: replies(scores),
    }));
  }
  return [{ ...body, actions: replies(choices) }];
}
