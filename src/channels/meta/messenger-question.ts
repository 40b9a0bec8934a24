/**
 * How the NPS question looks on Messenger and Instagram.
 *
 * - **Quick replies** (both): the question's text with one quick reply per score,
 *   labelled `0`…`10`, each carrying `nps:<surveyId>:<score>` (Meta allows 13 quick
 *   replies, titles of 20 characters, payloads of 1000). A typed answer works as well.
 * - **Customer feedback template** (Messenger, when the page may use it): Meta's own
 *   NPS sheet, `type: "nps"`, `score_option: "zero_to_ten"`. The question id carries the
 *   survey id, so the answer (`messaging_feedback`) scores exactly that survey. No
 *   follow-up inside the sheet: the engine asks its own, matched to the score.
 */
import { fitText, type TextLimit } from '../text-limit.ts';
import { choicePayload } from './choice-payload.ts';
import { BUTTON_PLATFORMS } from '../button-codec.ts';

export const MESSENGER_LIMITS = { quickReplies: 13, quickReplyTitle: 20, payload: BUTTON_PLATFORMS.messenger.limit.max } as const;

/**
 * One message's text: Messenger takes 2,000 characters; Instagram 1,000 **bytes** of
 * UTF-8 (Meta refuses more with `(#100)`), so a Danish or Swedish question is cut by its
 * bytes, not its letters.
 */
export const MESSAGING_TEXT_LIMITS: Readonly<Record<'messenger' | 'instagram', TextLimit>> = {
  messenger: { chars: 2000 },
  instagram: { bytes: 1000 },
};

export interface QuickReply { content_type: 'text'; title: string; payload: string }

export function quickReplies(surveyId: string, choices: readonly number[]): QuickReply[] {
  if (choices.length > MESSENGER_LIMITS.quickReplies) {
    throw new RangeError(`Meta allows at most ${MESSENGER_LIMITS.quickReplies} quick replies, got ${choices.length}`);
  }
  return choices.map((n) => ({ content_type: 'text', title: String(n), payload: choicePayload(surveyId, n) }));
}

/** The product's text limit for one message; longer texts are cut (see text-limit.ts). */
export function messagingText(product: 'messenger' | 'instagram', text: string): string {
  return fitText(text, MESSAGING_TEXT_LIMITS[product]);
}

const QUESTION_ID = /^nps([A-Za-z0-9]{1,64})$/;

export function feedbackQuestionId(surveyId: string): string {
  const id = `nps${surveyId}`;
  if (!QUESTION_ID.test(id)) throw new RangeError(`cannot put survey "${surveyId.slice(0, 80)}" into a feedback question id`);
  return id;
}

/** `nps<surveyId>` with an NPS payload "0"…"10" → `{surveyId, choice}`; else null. */
export function readFeedbackAnswer(a: { questionId: string; type: string; payload: string }): { surveyId: string; choice: number } | null {
  const m = QUESTION_ID.exec(a.questionId);
  if (!m || a.type !== 'nps' || !/^\d{1,2}$/.test(a.payload)) return null;
  const choice = Number(a.payload);
  return choice <= 10 ? { surveyId: m[1]!, choice } : null;
}

/** Meta's limit for the card's title is 65 characters; the question inside the sheet may be longer. */
const cut = (s: string, n: number) => fitText(s, { chars: n });

export function feedbackTemplate(surveyId: string, question: string, privacyUrl: string, expiresInDays: number): Record<string, unknown> {
  return {
    attachment: {
      type: 'template',
      payload: {
        template_type: 'customer_feedback',
        title: cut(question, 65),
        // Language-neutral: the engine's text is the localised part.
        button_title: '0 – 10',
        feedback_screens: [{
          questions: [{
            id: feedbackQuestionId(surveyId),
            type: 'nps',
            title: cut(question, 300),
            score_label: 'neg_pos',
            score_option: 'zero_to_ten',
          }],
        }],
        business_privacy: { url: privacyUrl },
        expires_in_days: Math.max(1, Math.min(7, expiresInDays)),
      },
    },
  };
}
