/**
 * Intercom quick replies carry a `uuid` back (in the metadata of the customer's part),
 * not a free payload. The bot's uuids encode the survey and the score, so a tap scores
 * exactly that survey: `<survey id, 24 hex>` + `00` + `<score, 2 hex>` + `00`, in UUID
 * layout. A survey id that is not 24 hex digits gets no uuid to read back; the tap's
 * text ("9") is still read as the answer.
 */
import { randomUUID } from 'node:crypto';

const SURVEY = /^[0-9a-f]{24}$/;
const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;

export function quickReplyUuid(surveyId: string, score: number): string {
  if (!SURVEY.test(surveyId)) return randomUUID();
  const hex = `${surveyId}0000${score.toString(16).padStart(2, '0')}00`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function readQuickReplyUuid(value: unknown): { surveyId: string; choice: number } | null {
  const m = typeof value === 'string' ? UUID.exec(value.toLowerCase()) : null;
  if (!m) return null;
  const hex = m.slice(1).join('');
  if (hex.slice(24, 28) !== '0000' || hex.slice(30) !== '00') return null;
  const choice = parseInt(hex.slice(28, 30), 16);
  return choice <= 10 ? { surveyId: hex.slice(0, 24), choice } : null;
}
