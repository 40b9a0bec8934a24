/**
 * How the NPS question looks on Telegram: the text with an inline keyboard of eleven
 * buttons in two rows, `0`…`5` and `6`…`10` (a phone screen fits six narrow buttons
 * abreast). Each button's `callback_data` is `nps:<surveyId>:<score>`, so a tap scores
 * exactly that survey. Once answered the keyboard becomes one button "✅ 9/10" that does
 * nothing. Limits (Bot API): text 1–4096 characters, callback_data 1–64 bytes.
 */
import { fitText, type TextLimit } from '../text-limit.ts';
import { BUTTON_PLATFORMS, encodeScoreButton } from '../button-codec.ts';

export const TELEGRAM_LIMITS = { callbackDataBytes: BUTTON_PLATFORMS.telegram.limit.max } as const;
export const TELEGRAM_TEXT_LIMIT: TextLimit = { chars: 4096 };

/** The data of the "✅ n/10" button: a tap on it only stops the spinner. */
export const ANSWERED_DATA = 'nps:answered';

export interface InlineButton { text: string; callback_data: string }
export interface InlineKeyboard { inline_keyboard: InlineButton[][] }

export function telegramText(text: string): string {
  return fitText(text, TELEGRAM_TEXT_LIMIT);
}

/** The 0–10 keyboard; a RangeError when a survey id cannot be carried in 64 bytes (see button-codec.ts). */
export function scoreKeyboard(surveyId: string, choices: readonly number[]): InlineKeyboard {
  const buttons = choices.map((n) => ({ text: String(n), callback_data: encodeScoreButton('telegram', { surveyId, score: n }) }));
  const half = Math.ceil(buttons.length / 2);
  return { inline_keyboard: [buttons.slice(0, half), buttons.slice(half)].filter((row) => row.length > 0) };
}

export function answeredKeyboard(score: number): InlineKeyboard {
  return { inline_keyboard: [[{ text: `✅ ${score}/10`, callback_data: ANSWERED_DATA }]] };
}
