/**
 * What a survey message looks like on Discord: the text (which also tells clients
 * without components to reply with a number), buttons 0–10 in rows of at most five,
 * and a nonce derived from the survey and message kind so a retried send is
 * recognised by Discord (`enforce_nonce`) instead of posting twice.
 *
 * A button's custom_id carries the survey, the customer it is for and the score:
 * `nps:<surveyId>:<customerId>:<score>` (at most 100 characters, Discord's limit).
 */
import { createHash } from 'node:crypto';
import type { OutgoingMessage } from '../../conversation/channel-contract/channel.ts';
import { fitText } from '../text-limit.ts';
import { escapeDiscordText } from './discord-markdown.ts';
import { decodeScoreButton, encodeScoreButton } from '../button-codec.ts';

/** Discord's content limit. */
export const MAX_CONTENT = 2000;
const MAX_BUTTONS_PER_ROW = 5;

/** Raw component JSON as Discord's REST API takes it (type 1 = action row, 2 = button). */
export interface ButtonJson { type: 2; style: 2; label: string; custom_id: string }
export interface ActionRowJson { type: 1; components: ButtonJson[] }

export interface MessageBody {
  content: string;
  components?: ActionRowJson[];
  nonce: string;
  enforce_nonce: true;
  allowed_mentions: { parse: []; users?: string[] };
}

export interface ButtonChoice { surveyId: string; customerId: string; score: number }

/** The codec's `discord` format (see ../button-codec.ts). */
export function buttonCustomId(c: ButtonChoice): string {
  return encodeScoreButton('discord', c);
}

/** The choice a button stands for, or null when the custom_id is not one of ours. */
export function parseButtonCustomId(customId: unknown): ButtonChoice | null {
  const b = decodeScoreButton('discord', customId);
  return b ? { surveyId: b.surveyId, customerId: b.customerId!, score: b.score } : null;
}

export function buttonRows(choices: readonly number[], surveyId: string, customerId: string): ActionRowJson[] {
  const rows: ActionRowJson[] = [];
  for (let i = 0; i < choices.length; i += MAX_BUTTONS_PER_ROW) {
    rows.push({
      type: 1,
      components: choices.slice(i, i + MAX_BUTTONS_PER_ROW).map((score) => ({
        // One neutral style for every score: colouring 0–6 red would nudge the answer.
        type: 2, style: 2, label: String(score), custom_id: buttonCustomId({ surveyId, customerId, score }),
      })),
    });
  }
  return rows;
}

/**
 * The same parts (survey id and message kind) always give the same nonce (at most 25 characters), so
 * Discord returns the first message when a send is retried. A second re-prompt within
 * Discord's nonce window would be collapsed too, which is harmless.
 */
export function messageNonce(...parts: string[]): string {
  return createHash('sha256').update(['nps', ...parts].join('\u0000')).digest('base64url').slice(0, 25);
}

export function surveyMessageBody(
  to: { surveyId: string; customerId: string },
  message: OutgoingMessage,
  mention: boolean,
): MessageBody {
  const prefix = mention ? `<@${to.customerId}> ` : '';
  const body: MessageBody = {
    // The text quotes the customer's name: shown literally, never read as markdown or a link.
    content: truncate(prefix + escapeDiscordText(message.text)),
    nonce: messageNonce(to.surveyId, message.kind),
    enforce_nonce: true,
    allowed_mentions: mention ? { parse: [], users: [to.customerId] } : { parse: [] },
  };
  if (message.choices && message.choices.length > 0) body.components = buttonRows(message.choices, to.surveyId, to.customerId);
  return body;
}

/** The question as it reads after a button press: the same text, the choice, no buttons. */
export function answeredContent(questionText: string, score: number): string {
  return truncate(`${questionText}\n\n✅ **${score}** / 10`);
}

export function truncate(text: string, max = MAX_CONTENT): string {
  return fitText(text, { chars: max });
}
