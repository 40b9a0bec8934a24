/**
 * Meta's score payloads (quick replies, WhatsApp list rows, the feedback template's
 * neighbours): the codec's `choice` format, `nps:<surveyId>:<score>`, within the
 * product's limit (see ../button-codec.ts), in Meta's `{surveyId, choice}` terms.
 */
import { decodeScoreButton, encodeScoreButton } from '../button-codec.ts';

export type MetaPayloadProduct = 'messenger' | 'instagram' | 'whatsapp';

/** The payload for one score of one survey; a RangeError when the survey id cannot be carried. */
export function choicePayload(surveyId: string, score: number, product: MetaPayloadProduct = 'messenger'): string {
  return encodeScoreButton(product, { surveyId, score });
}

/** `nps:<surveyId>:<n>` → `{surveyId, choice}`; anything else (another tool's button) → null. */
export function readChoicePayload(payload: string | undefined | null, product: MetaPayloadProduct = 'messenger'): { surveyId: string; choice: number } | null {
  const b = decodeScoreButton(product, payload);
  return b ? { surveyId: b.surveyId, choice: b.score } : null;
}
