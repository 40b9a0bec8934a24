/**
 * The payload a tappable score carries: `nps:<surveyId>:<score>`. Quick replies,
 * WhatsApp list rows and buttons, the Messenger feedback template and Chatwoot's
 * `input_select` items all send it back unchanged, so a tap scores exactly that survey
 * with exactly that score, whatever the customer's language or the button's label.
 */

const PAYLOAD = /^nps:([A-Za-z0-9_-]{1,64}):(\d{1,2})$/;

/** The payload for one score of one survey; throws when the survey id cannot be carried. */
export function choicePayload(surveyId: string, score: number): string {
  const payload = `nps:${surveyId}:${score}`;
  if (!Number.isInteger(score) || score < 0 || score > 10 || !PAYLOAD.test(payload)) {
    throw new RangeError(`cannot put survey "${surveyId.slice(0, 80)}" and score ${score} into a choice payload`);
  }
  return payload;
}

/** `nps:<surveyId>:<n>` → `{surveyId, choice}`; anything else (another tool's button) → null. */
export function readChoicePayload(payload: string | undefined | null): { surveyId: string; choice: number } | null {
  const m = typeof payload === 'string' ? PAYLOAD.exec(payload) : null;
  if (!m) return null;
  const choice = Number(m[2]);
  return choice >= 0 && choice <= 10 ? { surveyId: m[1]!, choice } : null;
}
