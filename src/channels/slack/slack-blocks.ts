/**
 * The Block Kit the bot posts: the question with 0–10 buttons, the same question once
 * answered (buttons gone, the chosen score shown), and notices for managers. Every
 * message also carries plain `text`, which clients without blocks and notifications show.
 */
import { z } from 'zod';
import type { Notice } from '../../conversation/channel-contract/channel.ts';
import type { SlackBlocks } from './slack-api.ts';
import { fitText } from '../text-limit.ts';
import { decodeScoreButton, encodeScoreButton } from '../button-codec.ts';

/** Slack's limit on a section block's text. */
export const SECTION_TEXT_CHARS = 3000;

/** Button action ids are `nps_score_0` … `nps_score_10` (unique within one actions block, as Slack requires). */
export const SCORE_ACTION = /^nps_score_(?:[0-9]|10)$/;
const QUESTION_BLOCK = 'nps_question';

/** What a score button carries back: which survey, which score, and whom it was for. */
export interface ScoreButtonValue { surveyId: string; score: number; customerId: string }

/** The codec's `slack` format, `{"s","n","u"}` (see ../button-codec.ts). */
export function encodeButtonValue(v: ScoreButtonValue): string {
  return encodeScoreButton('slack', v);
}

/** The button's value, or null when it is not one of ours (or was tampered with into nonsense). */
export function decodeButtonValue(value: string): ScoreButtonValue | null {
  const b = decodeScoreButton('slack', value);
  return b ? { surveyId: b.surveyId, score: b.score, customerId: b.customerId! } : null;
}

/** The question with its buttons; `mention` (`<@U…>`) leads when asking in a public thread. */
export function questionBlocks(text: string, choices: readonly number[], surveyId: string, customerId: string, mention?: string): SlackBlocks {
  return [
    ...(mention ? [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: mention } }] : []),
    { type: 'section', block_id: QUESTION_BLOCK, text: { type: 'plain_text', text: cut(text, 3000), emoji: true } },
    {
      type: 'actions',
      block_id: 'nps_scores',
      elements: choices.slice(0, 25).map((n) => ({
        type: 'button' as const,
        action_id: `nps_score_${n}`,
        text: { type: 'plain_text' as const, text: String(n) },
        value: encodeButtonValue({ surveyId, score: n, customerId }),
      })),
    },
  ];
}

/** The question as it reads after the customer pressed a button: same text, the score, no buttons. */
export function answeredBlocks(questionText: string, score: number): SlackBlocks {
  return [
    { type: 'section', block_id: QUESTION_BLOCK, text: { type: 'plain_text', text: cut(questionText, 3000), emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `:white_check_mark: *${score}* / 10` }] },
  ];
}

/** The question's text out of a posted message's blocks (the block we put it in), if present. */
export function questionTextOf(blocks: unknown): string | undefined {
  const parsed = z.array(z.object({
    block_id: z.string().optional(),
    text: z.object({ text: z.string().max(3000) }).optional(),
  }).passthrough()).max(50).safeParse(blocks);
  if (!parsed.success) return undefined;
  return parsed.data.find((b) => b.block_id === QUESTION_BLOCK)?.text?.text;
}

export function noticeBlocks(notice: Notice): SlackBlocks {
  const blocks: SlackBlocks = [{ type: 'section', text: { type: 'mrkdwn', text: cut(escapeText(notice.text), 3000) } }];
  const fields = Object.entries(notice.fields ?? {}).slice(0, 10);
  if (fields.length > 0) {
    blocks.push({
      type: 'section',
      fields: fields.map(([k, v]) => ({ type: 'mrkdwn' as const, text: cut(`*${escapeText(k)}*\n${escapeText(v)}`, 2000) })),
    });
  }
  return blocks;
}

/** Plain-text fallback of a notice (also what notifications show). */
export function noticeText(notice: Notice): string {
  const lines = [escapeText(notice.text), ...Object.entries(notice.fields ?? {}).map(([k, v]) => `${escapeText(k)}: ${escapeText(v)}`)];
  return cut(lines.join('\n'), 40_000);
}

/** Slack reads `&`, `<` and `>` in message text as markup; these three must be escaped. */
export function escapeText(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function cut(s: string, max: number): string {
  return fitText(s, { chars: max });
}

/**
 * A message's plain `text` for Slack: cut to a section's 3,000 characters before `&<>` are
 * escaped, so even all-escaped text stays far under Slack's 40,000 (Slack advises 4,000).
 */
export function messageText(text: string): string {
  return escapeText(fitText(text, { chars: SECTION_TEXT_CHARS }));
}
