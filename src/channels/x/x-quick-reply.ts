/**
 * The 0–10 quick-reply options under the NPS question, and reading a tapped option
 * back. The metadata carries the survey id (the codec's `choice` format,
 * `nps:<surveyId>:<score>`, see ../button-codec.ts) so a tap scores exactly that survey,
 * even if the customer has another one open elsewhere.
 */
import { BUTTON_PLATFORMS, decodeScoreButton, encodeScoreButton } from '../button-codec.ts';

/** X's limits for `quick_reply` options (direct_messages/events/new). */
export const QUICK_REPLY_LIMITS = { maxOptions: 20, maxLabel: 36, maxMetadata: BUTTON_PLATFORMS.x.limit.max } as const;

export interface QuickReplyOption { label: string; metadata: string }

export function quickReplyOptions(surveyId: string, choices: readonly number[]): QuickReplyOption[] {
  if (choices.length > QUICK_REPLY_LIMITS.maxOptions) {
    throw new RangeError(`X allows at most ${QUICK_REPLY_LIMITS.maxOptions} quick-reply options, got ${choices.length}`);
  }
  return choices.map((n) => ({ label: String(n), metadata: encodeScoreButton('x', { surveyId, score: n }) }));
}

/** `nps:<surveyId>:<n>` → `{surveyId, choice}`; anything else (another tool's quick reply) → null. */
export function readQuickReply(metadata: string | undefined): { surveyId: string; choice: number } | null {
  const b = decodeScoreButton('x', metadata);
  return b ? { surveyId: b.surveyId, choice: b.score } : null;
}
