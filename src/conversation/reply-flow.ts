/**
 * The reply state machine: sending | asked → scored (follow-up owed) → completed
 * (thanks owed), with re-prompts, opt-out and the testimonial consent answer.
 *
 * A reply is applied whichever process holds the question's lease, from `sending` on
 * (a reply proves the question arrived). The likely step is tried first as one
 * conditional write; only when it matches nothing is the survey read. Every message the
 * step owes is recorded in that same write and sent after it (`OwedMessages`).
 */
import mongoose from 'mongoose';
import type { ReplyOutcome } from './channel-contract/channel.ts';
import { AWAITING_SCORE, type ReplyTarget, type SurveyDoc } from '../storage/surveys/index.ts';
import type { ConsentFlow } from './consent-flow.ts';
import type { EngineCore } from './engine-core.ts';
import { categorize } from './nps-category.ts';
import type { OwedMessages } from './owed-messages.ts';
import { parseReply } from './reply-parser.ts';
import type { Reply } from './reply.ts';
import { followupKey } from './templates.ts';


interface Parsed { score: number | null; optOut: boolean; comment: string | null }

export class ReplyFlow {
  constructor(private readonly core: EngineCore, private readonly owed: OwedMessages, private readonly consent: ConsentFlow) {}

  async handle(r: Reply): Promise<ReplyOutcome> {
    // A button names its survey: it answers that survey or nothing, never another open one.
    if (r.surveyId !== undefined && !mongoose.isValidObjectId(r.surveyId)) return { status: 'ignored' };
    const t: ReplyTarget = { channel: r.channel, customerId: r.customerId, ...(r.surveyId !== undefined ? { surveyId: r.surveyId } : {}) };
    const parsed: Parsed = r.choice !== undefined ? { score: r.choice, optOut: false, comment: null } : parseReply(r.text);

    // The likely step first, as one conditional write: a score answers an open question,
    // other text is the comment on a scored survey.
    if (!parsed.optOut) {
      const fast = parsed.score !== null
        ? await this.score(t, parsed.score, parsed.comment, r)
        : r.choice === undefined ? await this.comment(t, r) : null;
      if (fast) return fast;
    }

    // Otherwise read what is there, once, and act on its state.
    const open = await this.core.repo.findOpen(t);
    if (!open) {
      if (this.core.settings.askTestimonialConsent && r.choice === undefined) return (await this.consent.reply(t, r)) ?? { status: 'ignored' };
      return { status: 'ignored' };
    }
    const id = String(open._id);
    if (r.eventId !== undefined && open.eventIds?.includes(r.eventId)) return { status: 'duplicate', surveyId: id };
    if (parsed.optOut) return this.optOut(open, r);
    if (AWAITING_SCORE.includes(open.state)) {
      if (parsed.score === null) return this.reprompt(open, r);
      return (await this.score(open._id, parsed.score, parsed.comment, r)) ?? { status: 'duplicate', surveyId: id };
    }
    // Scored: the message is the comment. A button pressed again, or nothing printable, is not.
    if (r.choice !== undefined || this.core.cleanComment(r.text) === null) return { status: 'ignored', surveyId: id };
    // The same bare score again is a redelivery of the answer (a chat system's retry), not a comment.
    if (parsed.score !== null && parsed.comment === null && parsed.score === open.score) return { status: 'duplicate', surveyId: id };
    return (await this.comment(open._id, r)) ?? { status: 'duplicate', surveyId: id };
  }

  /** sending | asked → scored (follow-up owed), or → completed when the score came with a comment. Null if nothing matched. */
  private async score(t: ReplyTarget | SurveyDoc['_id'], score: number, comment: string | null, r: Reply): Promise<ReplyOutcome | null> {
    const { core } = this;
    const category = categorize(score);
    const at = r.receivedAt;
    const cleaned = comment ? core.cleanComment(comment) : null;
    if (cleaned) {
      const testimonial = this.consent.ask(category, at);
      const done = core.moved(await core.repo.scoreWithComment(t, {
        score, category, comment: cleaned, at, owed: core.owe(testimonial ? 'consentQuestion' : 'thanks'), ...(testimonial ? { testimonial } : {}),
      }, r.eventId), 'asked', 'completed');
      if (!done) return null;
      const outcome: ReplyOutcome = { status: 'completed', surveyId: String(done._id), score };
      r.onStored?.(outcome);
      await this.owed.deliver(done);
      return outcome;
    }
    const scored = core.moved(await core.repo.score(t, {
      score, category, at, expiresAt: new Date(at.getTime() + core.settings.expireMs), owed: core.owe(followupKey(category)),
    }, r.eventId), 'asked', 'scored');
    if (!scored) return null;
    const outcome: ReplyOutcome = { status: 'scored', surveyId: String(scored._id), score };
    r.onStored?.(outcome);
    await this.owed.deliver(scored);
    return outcome;
  }

  /** scored → completed with the comment (thanks, or the consent question, owed). Null if nothing matched. */
  private async comment(t: ReplyTarget | SurveyDoc['_id'], r: Reply): Promise<ReplyOutcome | null> {
    const { core } = this;
    const comment = core.cleanComment(r.text);
    if (!comment) return null;
    const at = r.receivedAt;
    // A promoter may be asked for consent to quote the comment; the consent fields are set
    // only when the stored category is promoter, in the same write.
    const testimonial = this.consent.ask('promoter', at);
    const done = testimonial
      ? await core.repo.comment(t, { comment, at, owed: core.owe('consentQuestion'), testimonial, promoter: true }, r.eventId)
        ?? await core.repo.comment(t, { comment, at, owed: core.owe('thanks'), promoter: false }, r.eventId)
      : await core.repo.comment(t, { comment, at, owed: core.owe('thanks') }, r.eventId);
    const after = core.moved(done, 'scored', 'completed');
    if (!after) return null;
    await this.owed.deliver(after);
    return { status: 'completed', surveyId: String(after._id), score: after.score ?? undefined };
  }

  /** An unclear answer: ask again politely, or stop asking after the allowed re-prompts. */
  private async reprompt(s: SurveyDoc, r: Reply): Promise<ReplyOutcome> {
    const { core } = this;
    const id = String(s._id);
    const seen = s.reprompts ?? 0;
    if (seen < core.settings.maxReprompts) {
      const again = core.moved(await core.repo.reprompt(s._id, seen, r.receivedAt, core.owe('reprompt'), r.eventId), s.state, 'asked');
      if (!again) return { status: 'duplicate', surveyId: id };
      await this.owed.deliver(again);
      return { status: 'reprompted', surveyId: id };
    }
    const gaveUp = core.moved(await core.repo.giveUp(s._id, seen, `no clear score after ${seen} re-prompt(s)`, r.eventId), s.state, 'expired');
    return { status: gaveUp ? 'gave-up' : 'duplicate', surveyId: id };
  }

  /** Never ask again; a score already given still counts, an unanswered question is closed. */
  private async optOut(s: SurveyDoc, r: Reply): Promise<ReplyOutcome> {
    const { core } = this;
    await core.eligibility.optOut(s.channel, s.customer.id, r.receivedAt);
    const moved = core.moved(
      await core.repo.optOut(s._id, s.state, r.receivedAt, core.owe('optOut'), r.eventId),
      s.state, s.state === 'scored' ? 'completed' : 'skipped',
    );
    if (moved) await this.owed.deliver(moved);
    return { status: 'opted-out', surveyId: String(s._id) };
  }
}
