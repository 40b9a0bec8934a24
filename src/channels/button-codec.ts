/**
 * What a tapped score button carries back: the survey, the score and, where only one
 * person may press, that person. One codec for every platform, so a tap scores exactly
 * the survey it was sent for, whatever the button's label or the customer's language.
 *
 * Four wire formats, unchanged from the ones each adapter used before, so buttons already
 * out in customers' chats still decode:
 *
 * - `choice`  `nps:<surveyId>:<score>` — Messenger and Instagram quick replies, WhatsApp
 *   list rows, Chatwoot `input_select` values, Sunshine Conversations replies and
 *   postbacks (Zendesk), Telegram `callback_data`, X quick-reply metadata;
 * - `discord` `nps:<surveyId>:<customerId>:<score>` — a Discord button's `custom_id`
 *   (the customer: a button in a public thread is only theirs to press);
 * - `slack`   JSON `{"s":surveyId,"n":score,"u":customerId}` — a Slack button's `value`;
 * - `uuid`    `<surveyId, 24 hex>0000<score, 2 hex>00` in UUID layout — an Intercom quick
 *   reply's `uuid` (Intercom carries no free payload).
 *
 * Each platform's payload limit (`BUTTON_PLATFORMS`) is checked on the way out (a
 * RangeError: the button cannot be offered) and on the way in (an oversized payload is
 * not ours). Freshchat's quick replies carry only the label's text, read as a typed answer.
 */
import { z } from 'zod';
import { utf8Bytes } from './text-limit.ts';

export interface ScoreButton {
  surveyId: string;
  score: number;
  /** Carried by the formats that name who may press (Slack, Discord). */
  customerId?: string;
}

export type ButtonFormat = 'choice' | 'discord' | 'slack' | 'uuid';

export interface PayloadLimit {
  max: number;
  /** `chars` are UTF-16 code units (never fewer than the platform's code points). */
  unit: 'bytes' | 'chars';
}

export interface ButtonPlatform {
  format: ButtonFormat;
  /** The field the payload travels in, for messages and docs. */
  field: string;
  limit: PayloadLimit;
}

/** Every platform's score-button field and its documented limit. */
export const BUTTON_PLATFORMS = {
  messenger: { format: 'choice', field: 'quick_replies[].payload', limit: { max: 1000, unit: 'chars' } },
  instagram: { format: 'choice', field: 'quick_replies[].payload', limit: { max: 1000, unit: 'chars' } },
  // Interactive list row id (a reply button's id may hold 256).
  whatsapp: { format: 'choice', field: 'interactive list rows[].id', limit: { max: 200, unit: 'chars' } },
  // No limit of its own in Chatwoot's docs; its WhatsApp inboxes send the items as a list, so a row id's 200.
  chatwoot: { format: 'choice', field: 'input_select items[].value', limit: { max: 200, unit: 'chars' } },
  // Sunshine documents none either; it relays replies to WhatsApp lists too, so the same 200.
  sunshine: { format: 'choice', field: 'reply / postback payload', limit: { max: 200, unit: 'chars' } },
  telegram: { format: 'choice', field: 'callback_data', limit: { max: 64, unit: 'bytes' } },
  x: { format: 'choice', field: 'quick_reply options[].metadata', limit: { max: 1000, unit: 'chars' } },
  discord: { format: 'discord', field: 'custom_id', limit: { max: 100, unit: 'chars' } },
  slack: { format: 'slack', field: 'button value', limit: { max: 2000, unit: 'chars' } },
  intercom: { format: 'uuid', field: 'reply_options[].uuid', limit: { max: 36, unit: 'chars' } },
} as const satisfies Record<string, ButtonPlatform>;

export type ButtonPlatformName = keyof typeof BUTTON_PLATFORMS;

/** The payload for one score button on a platform; a RangeError when the button cannot be carried there. */
export function encodeScoreButton(platform: ButtonPlatformName, button: ScoreButton): string {
  const p: ButtonPlatform = BUTTON_PLATFORMS[platform];
  const payload = Number.isInteger(button.score) && button.score >= 0 && button.score <= 10 ? FORMATS[p.format].encode(button) : null;
  if (payload === null) {
    throw new RangeError(`cannot put survey "${button.surveyId.slice(0, 80)}" and score ${button.score} into a ${platform} ${p.field}`);
  }
  if (!fits(payload, p.limit)) throw new RangeError(`a ${platform} ${p.field} holds at most ${p.limit.max} ${p.limit.unit}`);
  return payload;
}

/** The button a payload stands for, or null when it is not one of ours (another tool's, garbled, oversized). */
export function decodeScoreButton(platform: ButtonPlatformName, payload: unknown): ScoreButton | null {
  const p: ButtonPlatform = BUTTON_PLATFORMS[platform];
  if (typeof payload !== 'string' || payload.length === 0 || !fits(payload, p.limit)) return null;
  const button = FORMATS[p.format].decode(payload);
  return button && Number.isInteger(button.score) && button.score >= 0 && button.score <= 10 ? button : null;
}

export function fits(payload: string, limit: PayloadLimit): boolean {
  return (limit.unit === 'bytes' ? utf8Bytes(payload) : payload.length) <= limit.max;
}

interface WireFormat {
  /** null: these ids cannot be written in this format. */
  encode(b: ScoreButton): string | null;
  decode(payload: string): ScoreButton | null;
}

const CHOICE = /^nps:([A-Za-z0-9_-]{1,64}):(\d{1,2})$/;
const DISCORD = /^nps:([A-Za-z0-9_-]{1,40}):(\d{1,20}):(\d{1,2})$/;
const HEX_SURVEY = /^[0-9a-f]{24}$/;
const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;
const slackValue = z.object({
  s: z.string().min(1).max(64),
  n: z.number().int().min(0).max(10),
  u: z.string().min(1).max(64),
});

const FORMATS: Record<ButtonFormat, WireFormat> = {
  choice: {
    encode: ({ surveyId, score }) => {
      const payload = `nps:${surveyId}:${score}`;
      return CHOICE.test(payload) ? payload : null;
    },
    decode: (payload) => {
      const m = CHOICE.exec(payload);
      return m ? { surveyId: m[1]!, score: Number(m[2]) } : null;
    },
  },
  discord: {
    encode: ({ surveyId, score, customerId }) => {
      const payload = `nps:${surveyId}:${customerId ?? ''}:${score}`;
      return DISCORD.test(payload) ? payload : null;
    },
    decode: (payload) => {
      const m = DISCORD.exec(payload);
      return m ? { surveyId: m[1]!, customerId: m[2]!, score: Number(m[3]) } : null;
    },
  },
  slack: {
    encode: ({ surveyId, score, customerId }) => {
      const v = { s: surveyId, n: score, u: customerId ?? '' };
      return slackValue.safeParse(v).success ? JSON.stringify(v) : null;
    },
    decode: (payload) => {
      let json: unknown;
      try {
        json = JSON.parse(payload);
      } catch {
        return null;
      }
      const parsed = slackValue.safeParse(json);
      return parsed.success ? { surveyId: parsed.data.s, score: parsed.data.n, customerId: parsed.data.u } : null;
    },
  },
  uuid: {
    encode: ({ surveyId, score }) => {
      if (!HEX_SURVEY.test(surveyId)) return null;
      const hex = `${surveyId}0000${score.toString(16).padStart(2, '0')}00`;
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    },
    decode: (payload) => {
      const m = UUID.exec(payload.toLowerCase());
      if (!m) return null;
      const hex = m.slice(1).join('');
      if (hex.slice(24, 28) !== '0000' || hex.slice(30) !== '00') return null;
      return { surveyId: hex.slice(0, 24), score: parseInt(hex.slice(28, 30), 16) };
    },
  },
};
