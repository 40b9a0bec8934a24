/**
 * The 0–10 quick-reply options under the NPS question, and reading a tapped option
 * back. The metadata carries the survey id so a tap scores exactly that survey,
 * even if the customer has another one open elsewhere.
 */

/** X's limits for `quick_reply` options (direct_messages/events/new). */
export const QUICK_REPLY_LIMITS = { maxOptions: 20, maxLabel: 36, maxMetadata: 1000 } as const;

export interface QuickReplyOption { label: string; metadata: string }

const METADATA = /^nps:([A-Za-z0-9_-]{1,64}):(\d{1,2})$/;

export function quickReplyOptions(surveyId: string, choices: readonly number[]): QuickReplyOption[] {
  if (choices.length > QUICK_REPLY_LIMITS.maxOptions) {
    throw new RangeError(`X allows at most ${QUICK_REPLY_LIMITS.maxOptions} quick-reply options, got ${choices.length}`);
  }
  return choices.map((n) => {
    const option = { label: String(n), metadata: `nps:${surveyId}:${n}` };
    if (option.metadata.length > QUICK_REPLY_LIMITS.maxMetadata || !METADATA.test(option.metadata)) {
      throw new RangeError(`cannot put survey id "${surveyId.slice(0, 80)}" into quick-reply metadata`);
    }
    return option;
  });
}

/** `nps:<surveyId>:<n>` → `{surveyId, choice}`; anything else (another tool's quick reply) → null. */
export function readQuickReply(metadata: string | undefined): { surveyId: string; choice: number } | null {
  const m = metadata ? METADATA.exec(metadata) : null;
  if (!m) return null;
  const choice = Number(m[2]);
  return choice >= 0 && choice <= 10 ? { surveyId: m[1]!, choice } : null;
}
