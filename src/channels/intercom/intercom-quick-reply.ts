/**
 * Intercom quick replies carry a `uuid` back (in the metadata of the customer's part),
 * not a free payload. The bot's uuids encode the survey and the score (the codec's `uuid`
 * format, see ../button-codec.ts), so a tap scores exactly that survey. A survey id that
 * is not 24 hex digits gets a random uuid, read back as nothing; the tap's text ("9") is
 * still read as the answer.
 */
import { randomUUID } from 'node:crypto';
import { decodeScoreButton, encodeScoreButton } from '../button-codec.ts';

export function quickReplyUuid(surveyId: string, score: number): string {
  try {
    return encodeScoreButton('intercom', { surveyId, score });
  } catch {
    return randomUUID();
  }
}

export function readQuickReplyUuid(value: unknown): { surveyId: string; choice: number } | null {
  const b = decodeScoreButton('intercom', value);
  return b ? { surveyId: b.surveyId, choice: b.score } : null;
}
