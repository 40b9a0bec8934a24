/**
 * The survey conversation engine: resolution → (eligibility, delay) → question →
 * score → one follow-up → comment → thanks, with re-prompts, opt-out and expiry.
 * It knows channels only through the ChannelAdapter interface and keeps no state in
 * memory: every step is a conditional update, so a restart or a second process
 * carries on where the first left off.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection, type Model } from 'mongoose';
import type {
  EngineSink, InboundMessage, MessageKind, OutgoingMessage, Recipient, ReplyOutcome, ResolveOutcome, ResolvedEvent, SendReceipt,
} from '../channels/channel.ts';
import { PermanentSendError, TransientSendError, WindowClosedError } from '../channels/send-errors.ts';
import { contactModel, type ContactDoc } from './contact-model.ts';
import { optOutModel, type OptOutDoc } from './opt-out-model.ts';
import type { Logger } from '../logger.ts';
import { OPEN_STATES, surveyModel, type SurveyDoc, type SurveyState } from '../storage/survey-model.ts';
import { Eligibility, type SkipReason } from './eligibility.ts';
import { inboundMessageSchema, resolvedEventSchema } from './inbound-validation.ts';
import { validate, ValidationError } from '../validation.ts';
import { categorize, type Category } from './nps-category.ts';
import { readConsent } from './consent-reply.ts';
import { UnknownChannelError, type Outbox } from './outbox.ts';
import { normalizeText, parseReply } from './reply-parser.ts';
import { followupKey, resolveLocale, type Locale, type TemplateKey, type Templates } from './templates.ts';
import { isDuplicateKey } from '../storage/mongo-errors.ts';
import { SurveyStore, type SurveyChanges } from '../storage/survey-store.ts';
import { BACKOFF_PER_ATTEMPT_MS, MAX_REPLY_ATTEMPTS, MAX_RETRY_AFTER_MS, isWorthRetrying, replyBackoffMs, stillRelevant } from './send-retry-policy.ts';

/** After an unexpected error while asking, try that survey again this much later. */
const RETRY_AFTER_ERROR_MS = 5_000;
/** Replies kept on a survey whose question is still in flight. */
const EARLY_REPLIES_KEPT = 5;
/** Unless set otherwise, a survey not asked within two days of its resolution expires. */
const DEFAULT_ASK_WITHIN_MS = 48 * 3_600_000;
/** Every score button and quick reply offers the whole 0–10 scale. */
const SCALE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** A customer's message, validated, as the state machine handles it. */
interface Reply {
  channel: string;
  customerId: string;
  text: string;
  choice?: number;
  surveyId?: string;
  eventId?: string;
  receivedAt: Date;
}

export interface EngineSettings {
  fatigueMs: number;
  askDelayMs: number;
  expireMs: number;
  maxReprompts: number;
  staffIds: readonly string[];
  botIds: readonly string[];
  leaseMs: number;
  defaultLocale: Locale;
  maxCommentChars: number;
  /** After a promoter's comment, ask once whether it may be quoted publicly (default off). */
  askTestimonialConsent?: boolean;
  /** A survey not asked within this long of its resolution expires instead (default 48 h). */
  askWithinMs?: number;
  /** How many due surveys one process asks at once. */
  concurrency?: number;
  /** Attempts at delivering the question before the survey is `failed`. */
  maxAskAttempts?: number;
}

export interface EngineDeps {
  conn: Connection;
  outbox: Outbox;
  templates: Templates;
  settings: EngineSettings;
  logger: Logger;
  /** The clock; tests move it to check delays and expiry. */
  now?: () => Date;
}

/** Emitted after every state change, with the survey as stored. Reports listen. */
export interface TransitionEvent { survey: SurveyDoc; from: SurveyState | null; to: SurveyState }

export interface SurveyEngineEvents {
  transition: [TransitionEvent];
}

export class SurveyEngine extends EventEmitter<SurveyEngineEvents> implements EngineSink {
  readonly surveys: Model<SurveyDoc>;
  readonly contacts: Model<ContactDoc>;
  readonly optOuts: Model<OptOutDoc>;
  readonly store: SurveyStore;
  readonly instanceId = randomUUID();
  private claims = 0;
  private readonly eligibility: Eligibility;
  private readonly now: () => Date;

  constructor(private readonly deps: EngineDeps) {
    super();
    this.surveys = surveyModel(deps.conn);
    this.contacts = contactModel(deps.conn);
    this.optOuts = optOutModel(deps.conn);
    this.now = deps.now ?? (() => new Date());
    this.store = new SurveyStore(this.surveys);
    this.eligibility = new Eligibility(this.contacts, this.optOuts, deps.settings);
  }

  /** Create the indexes the queries need (idempotent). */
  async init(): Promise<void> {
    await Promise.all([this.surveys.init(), this.contacts.init(), this.optOuts.init()]);
  }

  // ── resolved → scheduled ────────────────────────────────────────────────────

  async resolved(input: ResolvedEvent): Promise<ResolveOutcome> {
    const e = validate(resolvedEventSchema, input);
    if (!this.deps.outbox.has(e.channel)) throw new ValidationError('channel', `unknown channel "${e.channel}"`);
    const now = this.now();
    const resolvedAt = e.resolvedAt ?? now;
    const locale = resolveLocale(e.customer.locale, this.deps.settings.defaultLocale);
    const askAt = new Date(Math.max(now.getTime(), resolvedAt.getTime() + this.deps.settings.askDelayMs));
    let created: SurveyDoc;
    try {
      const doc = await this.surveys.create({
        channel: e.channel,
        conversationId: e.conversationId,
        type: e.type ?? 'transactional',
        customer: { id: e.customer.id, name: e.customer.name, locale, segment: e.customer.segment, value: e.customer.value },
        agent: { id: e.agent.id, name: e.agent.name },
        link: e.link,
        address: e.address,
        state: 'scheduled',
        skipReason: e.customer.isBot ? 'bot' : e.skipReason,
        participants: e.participants,
        resolvedAt,
        askAt,
        dirty: true,
      });
      created = doc.toObject() as SurveyDoc;
    } catch (err) {
      // The unique (channel, conversationId) index: this resolution was seen before.
      if (isDuplicateKey(err)) {
        const again = await this.surveys.findOne({ channel: e.channel, conversationId: e.conversationId }, { _id: 1 }).lean().exec();
        return { surveyId: String(again?._id), status: 'duplicate' };
      }
      throw err;
    }
    this.deps.logger.info({ surveyId: String(created._id), channel: e.channel }, 'survey scheduled');
    this.emit('transition', { survey: created, from: null, to: 'scheduled' });
    return { surveyId: String(created._id), status: 'scheduled' };
  }

  // ── scheduled → asked | skipped | failed ────────────────────────────────────

  /** Ask every survey that is due, a few at a time. Returns how many were handled. */
  async askDue(): Promise<number> {
    const workers = this.deps.settings.concurrency ?? 4;
    let handled = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const now = this.now();
        const owner = this.newOwner();
        const claimed = await this.store.claimDue(now, owner, this.leaseUntil(now), this.askableSince(now));
        if (!claimed) return;
        handled++;
        await this.askClaimed(claimed, owner, now);
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    return handled;
  }

  /**
   * Ask one survey now if it is due and nobody else is asking it: the fast path right
   * after a resolution with no delay. Anything this misses, the scheduler's next tick asks.
   */
  async askNow(surveyId: string): Promise<boolean> {
    if (!mongoose.isValidObjectId(surveyId)) return false;
    const now = this.now();
    const owner = this.newOwner();
    const claimed = await this.store.claimDue(now, owner, this.leaseUntil(now), this.askableSince(now), surveyId);
    if (!claimed) return false;
    await this.askClaimed(claimed, owner, now);
    return true;
  }

  private async askClaimed(s: SurveyDoc, owner: string, now: Date): Promise<void> {
    try {
      await this.ask(s, owner, now);
    } catch (err) {
      this.deps.logger.error({ err, surveyId: String(s._id) }, 'asking failed');
      await this.store.release(s._id, owner, new Date(now.getTime() + RETRY_AFTER_ERROR_MS), errorText(err));
    }
  }

  private async ask(s: SurveyDoc, owner: string, now: Date): Promise<void> {
    const leased = { _id: s._id, 'lease.owner': owner };
    // A reason the platform gave at resolution (a bot, no messaging conversation) was stored as skipReason.
    const listReason = (s.skipReason as SkipReason | undefined) ?? this.eligibility.listReason(s.channel, s.customer.id);
    const reservation = listReason ? { reason: listReason } : await this.eligibility.reserve(s.channel, s.customer.id, String(s._id), now);
    if (reservation.reason) {
      await this.move(leased, 'scheduled', 'skipped', { set: { skipReason: reservation.reason }, unset: ['lease'] });
      return;
    }
    let receipt: SendReceipt;
    try {
      receipt = await this.deps.outbox.send(s.channel, this.recipient(s), this.question(s));
    } catch (err) {
      await this.eligibility.unreserve(s.channel, s.customer.id, String(s._id), reservation.previous);
      await this.onAskFailed(s, owner, now, err);
      return;
    }
    // If our lease lapsed and another process took the survey, this matches nothing: that
    // process asks (the at-least-once window) and the reservation, being the survey's, holds.
    const asked = await this.move(leased, 'scheduled', 'asked', {
      set: {
        askedAt: now,
        expiresAt: new Date(now.getTime() + this.deps.settings.expireMs),
        ...(receipt.address ? { address: receipt.address } : {}),
      },
      unset: ['lease', 'lastError'],
    });
    if (asked?.earlyReplies?.length) await this.handleEarlyReplies(asked);
  }

  private async onAskFailed(s: SurveyDoc, owner: string, now: Date, err: unknown): Promise<void> {
    const leased = { _id: s._id, 'lease.owner': owner };
    const attempts = (s.attempts ?? 0) + 1;
    if (err instanceof WindowClosedError) {
      // The platform may not be messaged now: the customer was never asked, so this is a skip, not a failure.
      await this.move(leased, 'scheduled', 'skipped', { set: { skipReason: 'window-closed', lastError: errorText(err) }, unset: ['lease'] });
    } else if (err instanceof TransientSendError && err.retryAfterMs !== undefined && err.retryAfterMs > 0) {
      // The platform said when to come back (a rate limit or a daily cap): wait that long
      // (within reason); being told to wait is not a failed attempt.
      const wait = Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS);
      await this.store.release(s._id, owner, new Date(now.getTime() + wait), errorText(err), false);
    } else if (err instanceof PermanentSendError || err instanceof UnknownChannelError || attempts >= (this.deps.settings.maxAskAttempts ?? 5)) {
      this.deps.logger.warn({ surveyId: String(s._id), channel: s.channel, err: errorText(err) }, 'survey failed');
      await this.move(leased, 'scheduled', 'failed', { set: { lastError: errorText(err), attempts }, unset: ['lease'] });
    } else {
      await this.store.release(s._id, owner, new Date(now.getTime() + BACKOFF_PER_ATTEMPT_MS * attempts), errorText(err));
    }
  }

  /** Replies that arrived while the question was in flight, handled in order now that it is asked. */
  private async handleEarlyReplies(s: SurveyDoc): Promise<void> {
    await this.surveys.updateOne({ _id: s._id }, { $unset: { earlyReplies: '' } }).exec();
    for (const early of s.earlyReplies ?? []) {
      try {
        await this.handleReply({
          channel: s.channel, customerId: s.customer.id, surveyId: String(s._id),
          text: early.text ?? '', choice: early.choice ?? undefined, eventId: early.eventId ?? undefined, receivedAt: early.receivedAt,
        });
      } catch (err) {
        this.deps.logger.error({ err, surveyId: String(s._id) }, 'an early reply could not be handled');
      }
    }
  }

  // ── asked → scored → completed (replies) ────────────────────────────────────

  async message(input: InboundMessage): Promise<ReplyOutcome> {
    const m = validate(inboundMessageSchema, input);
    if (!this.deps.outbox.has(m.channel)) throw new ValidationError('channel', `unknown channel "${m.channel}"`);
    return this.handleReply({ ...m, receivedAt: m.receivedAt ?? this.now() });
  }

  private async handleReply(r: Reply): Promise<ReplyOutcome> {
    // A button names its survey: it answers that survey or nothing, never another open one.
    if (r.surveyId !== undefined && !mongoose.isValidObjectId(r.surveyId)) return { status: 'ignored' };
    const whose = { channel: r.channel, 'customer.id': r.customerId, ...(r.surveyId !== undefined ? { _id: r.surveyId } : {}) };
    const parsed = r.choice !== undefined ? { score: r.choice, optOut: false, comment: null } : parseReply(r.text);

    // The likely step first, as one conditional write: a score answers an asked survey,
    // other text is the comment on a scored one.
    if (!parsed.optOut) {
      const fast = parsed.score !== null
        ? await this.score(whose, parsed.score, parsed.comment, r)
        : r.choice === undefined ? await this.comment(whose, r) : null;
      if (fast) return fast;
    }

    // Otherwise read what is there, once, and act on its state.
    const open = r.surveyId !== undefined
      ? await this.surveys.findOne({ ...whose, state: { $in: OPEN_STATES } }).lean().exec() as SurveyDoc | null
      : await this.store.findFor(r.channel, r.customerId, OPEN_STATES);
    if (!open) return this.keepIfInFlight(whose, r);
    const id = String(open._id);
    if (r.eventId !== undefined && open.eventIds?.includes(r.eventId)) return { status: 'duplicate', surveyId: id };
    if (parsed.optOut) return this.optOut(open, r);
    if (open.state === 'asked') {
      if (parsed.score === null) return this.reprompt(open, r);
      return (await this.score({ _id: open._id }, parsed.score, parsed.comment, r)) ?? { status: 'duplicate', surveyId: id };
    }
    // Scored: the message is the comment. A button pressed again, or nothing printable, is not.
    if (r.choice !== undefined || this.cleanComment(r.text) === null) return { status: 'ignored', surveyId: id };
    return (await this.comment({ _id: open._id }, r)) ?? { status: 'duplicate', surveyId: id };
  }

  /** asked → scored (follow-up asked), or → completed when the score came with a comment. Null if nothing matched. */
  private async score(whose: Record<string, unknown>, score: number, comment: string | null, r: Reply): Promise<ReplyOutcome | null> {
    const category = categorize(score);
    const at = r.receivedAt;
    const cleaned = comment ? this.cleanComment(comment) : null;
    const opts = { eventId: r.eventId, newestFirst: true };
    if (cleaned) {
      const consent = this.consentAsk(category, at);
      const done = await this.move(whose, 'asked', 'completed', {
        set: { score, category, comment: cleaned, scoredAt: at, completedAt: at, ...consent }, unset: ['expiresAt'],
      }, opts);
      if (!done) return null;
      await this.reply(done, consent ? 'consentQuestion' : 'thanks');
      return { status: 'completed', surveyId: String(done._id), score };
    }
    const scored = await this.move(whose, 'asked', 'scored', {
      set: { score, category, scoredAt: at, expiresAt: new Date(at.getTime() + this.deps.settings.expireMs) },
    }, opts);
    if (!scored) return null;
    await this.reply(scored, followupKey(category));
    return { status: 'scored', surveyId: String(scored._id), score };
  }

  /** scored → completed with the comment. Null if nothing matched (or there is no comment). */
  private async comment(whose: Record<string, unknown>, r: Reply): Promise<ReplyOutcome | null> {
    const comment = this.cleanComment(r.text);
    if (!comment) return null;
    // A promoter may be asked for consent to quote the comment; the consent fields are set
    // only when the stored category is promoter, in the same write.
    const consent = this.consentAsk('promoter', r.receivedAt);
    const done = consent
      ? await this.move({ ...whose, category: 'promoter' }, 'scored', 'completed', {
        set: { comment, completedAt: r.receivedAt, ...consent }, unset: ['expiresAt'],
      }, { eventId: r.eventId, newestFirst: true })
      ?? await this.move({ ...whose, category: { $ne: 'promoter' } }, 'scored', 'completed', {
        set: { comment, completedAt: r.receivedAt }, unset: ['expiresAt'],
      }, { eventId: r.eventId, newestFirst: true })
      : await this.move(whose, 'scored', 'completed', {
        set: { comment, completedAt: r.receivedAt }, unset: ['expiresAt'],
      }, { eventId: r.eventId, newestFirst: true });
    if (!done) return null;
    await this.reply(done, done.testimonial?.askedAt ? 'consentQuestion' : 'thanks');
    return { status: 'completed', surveyId: String(done._id), score: done.score ?? undefined };
  }

  /** The fields that ask a promoter for consent to quote, when that is switched on. */
  private consentAsk(category: Category, at: Date): Record<string, unknown> | null {
    if (!this.deps.settings.askTestimonialConsent || category !== 'promoter') return null;
    return { testimonial: { askedAt: at, until: new Date(at.getTime() + this.deps.settings.expireMs) } };
  }

  /**
   * The answer to the consent question: the customer's next message after it, once.
   * Only a clear yes grants consent; the question is never asked again either way.
   */
  private async consentReply(r: Reply): Promise<ReplyOutcome | null> {
    const answer = readConsent(r.text);
    const done = await this.surveys.findOneAndUpdate(
      {
        channel: r.channel, 'customer.id': r.customerId, state: 'completed',
        'testimonial.until': { $gt: r.receivedAt }, 'testimonial.answeredAt': { $exists: false },
        ...(r.surveyId !== undefined ? { _id: r.surveyId } : {}),
      },
      { $set: { 'testimonial.granted': answer === 'granted', 'testimonial.answeredAt': r.receivedAt }, $inc: { version: 1 } },
      { returnDocument: 'after', lean: true, sort: { completedAt: -1 } },
    ).exec() as SurveyDoc | null;
    if (!done) return null;
    await this.reply(done, answer === 'granted' ? 'consentGranted' : 'consentDeclined');
    return { status: 'completed', surveyId: String(done._id), score: done.score ?? undefined };
  }

  /** An unclear answer: ask again politely, or stop asking after the allowed re-prompts. */
  private async reprompt(s: SurveyDoc, r: Reply): Promise<ReplyOutcome> {
    const id = String(s._id);
    const reprompts = s.reprompts ?? 0;
    const seen = { _id: s._id, reprompts };
    if (reprompts < this.deps.settings.maxReprompts) {
      const again = await this.move(seen, 'asked', 'asked', { inc: { reprompts: 1 } }, { eventId: r.eventId });
      if (!again) return { status: 'duplicate', surveyId: id };
      await this.reply(again, 'reprompt');
      return { status: 'reprompted', surveyId: id };
    }
    const gaveUp = await this.move(seen, 'asked', 'expired', { set: { lastError: `no clear score after ${reprompts} re-prompt(s)` } }, { eventId: r.eventId });
    return { status: gaveUp ? 'gave-up' : 'duplicate', surveyId: id };
  }

  private async optOut(s: SurveyDoc, r: Reply): Promise<ReplyOutcome> {
    await this.eligibility.optOut(s.channel, s.customer.id, r.receivedAt);
    // A score already given still counts; an unanswered question is closed.
    const opts = { eventId: r.eventId };
    const moved = s.state === 'scored'
      ? await this.move({ _id: s._id }, 'scored', 'completed', { set: { completedAt: r.receivedAt }, unset: ['expiresAt'] }, opts)
      : await this.move({ _id: s._id }, 'asked', 'skipped', { set: { skipReason: 'opted-out' }, unset: ['expiresAt'] }, opts);
    if (moved) await this.reply(moved, 'optOut');
    return { status: 'opted-out', surveyId: String(s._id) };
  }

  /**
   * No open survey: if this customer's question is being sent at this moment, keep the
   * reply on that survey (one conditional write, no waiting); the asker handles it as soon
   * as the question is stored. If the question was stored in between, this matches nothing
   * and the reply is read against the now-open survey.
   */
  private async keepIfInFlight(whose: Record<string, unknown>, r: Reply): Promise<ReplyOutcome> {
    const kept = await this.surveys.findOneAndUpdate(
      {
        ...whose, state: 'scheduled', 'lease.until': { $gt: this.now() },
        ...(r.eventId !== undefined ? { 'earlyReplies.eventId': { $ne: r.eventId } } : {}),
      },
      { $push: { earlyReplies: { $each: [{ text: r.text, choice: r.choice, eventId: r.eventId, receivedAt: r.receivedAt }], $slice: -EARLY_REPLIES_KEPT } } },
      { projection: { _id: 1 }, lean: true, sort: { askAt: 1 } },
    ).exec();
    if (kept) return { status: 'queued', surveyId: String(kept._id) };
    const open = r.surveyId !== undefined
      ? await this.surveys.exists({ ...whose, state: { $in: OPEN_STATES } })
      : await this.store.findFor(r.channel, r.customerId, OPEN_STATES);
    if (open) return this.handleReply(r);
    if (this.deps.settings.askTestimonialConsent && r.choice === undefined) return (await this.consentReply(r)) ?? { status: 'ignored' };
    return { status: 'ignored' };
  }

  // ── asked | scored → expired | completed (time) ─────────────────────────────

  /**
   * Close surveys nobody answered in time (a score without a comment still counts), and
   * surveys that could not be asked within ASK_WITHIN_HOURS of their resolution: a
   * question days late would be about a conversation the customer has forgotten.
   */
  async expireDue(): Promise<{ expired: number; completed: number }> {
    const now = this.now();
    const due = { expiresAt: { $lte: now } };
    let expired = 0;
    let completed = 0;
    // One conditional write per survey, so a reply landing at the same moment is never overwritten.
    while (await this.move(due, 'asked', 'expired', { unset: ['expiresAt'] })) expired++;
    while (await this.move(due, 'scored', 'completed', { set: { completedAt: now }, unset: ['expiresAt'] })) completed++;
    const tooLate = {
      resolvedAt: { $lt: this.askableSince(now) },
      $or: [{ 'lease.until': { $exists: false } }, { 'lease.until': null }, { 'lease.until': { $lte: now } }],
    };
    const hours = Math.round(this.askWithinMs / 3_600_000);
    while (await this.move(tooLate, 'scheduled', 'expired', { set: { lastError: `not asked within ${hours} h of the resolution` }, unset: ['lease'] })) expired++;
    return { expired, completed };
  }

  // ── helpers ─────────────────────────────────────────────────────────────────

  /** One state change through the store; tells listeners (reports) what happened. */
  private async move(
    whose: Record<string, unknown>, from: SurveyState, to: SurveyState, changes: SurveyChanges,
    opts: { eventId?: string; newestFirst?: boolean } = {},
  ): Promise<SurveyDoc | null> {
    const after = await this.store.transition(whose, from, to, changes, opts);
    if (after) this.emit('transition', { survey: after, from, to });
    return after;
  }

  /**
   * Send the customer the message for this step. The answer is stored already; if the
   * platform cannot take the message now (a rate limit, an outage), it is kept on the survey
   * and the scheduler sends it again (`retryReplies`), so a follow-up question is not lost.
   */
  private async reply(s: SurveyDoc, key: TemplateKey): Promise<void> {
    try {
      await this.sendReply(s, key);
    } catch (err) {
      const retry = isWorthRetrying(err);
      this.deps.logger.warn({ surveyId: String(s._id), channel: s.channel, key, err: errorText(err), retry }, 'reply not delivered');
      const dueAt = new Date(this.now().getTime() + replyBackoffMs(err, 1));
      await this.surveys.updateOne({ _id: s._id }, {
        $set: { lastError: errorText(err), ...(retry ? { pendingReply: { key, attempts: 1, dueAt } } : {}) },
      }).exec();
    }
  }

  private async sendReply(s: SurveyDoc, key: TemplateKey): Promise<void> {
    const kind: MessageKind = key === 'reprompt' ? 'reprompt' : key === 'optOut' ? 'optout'
      : key === 'followupPromoter' || key === 'followupPassive' || key === 'followupDetractor' || key === 'consentQuestion' ? 'followup' : 'thanks';
    await this.deps.outbox.send(s.channel, this.recipient(s), { kind, text: this.text(s, key), choices: null });
  }

  /**
   * A manager's message back to a surveyed customer ("we fixed what you told us"), through
   * the survey's channel and address, within the platform's rules: never to a customer who
   * opted out or was forgotten, and a closed messaging window is said, not retried.
   */
  async messageCustomer(req: { surveyId: string; text: string; by: string }): Promise<{ status: 'sent' | 'window-closed' | 'opted-out' | 'unavailable'; messageId?: string }> {
    if (!mongoose.isValidObjectId(req.surveyId)) return { status: 'unavailable' };
    const s = await this.surveys.findById(req.surveyId).lean().exec() as SurveyDoc | null;
    if (!s || s.forgotten || !this.deps.outbox.has(s.channel)) return { status: 'unavailable' };
    if (await this.eligibility.optedOut(s.channel, s.customer.id)) return { status: 'opted-out' };
    const text = req.text.slice(0, this.deps.settings.maxCommentChars);
    try {
      const receipt = await this.deps.outbox.send(s.channel, this.recipient(s), { kind: 'reply', text, choices: null });
      this.deps.logger.info({ surveyId: req.surveyId, channel: s.channel, by: req.by }, 'message sent back to the customer');
      return { status: 'sent', ...(receipt.messageId ? { messageId: receipt.messageId } : {}) };
    } catch (err) {
      if (err instanceof WindowClosedError) return { status: 'window-closed' };
      this.deps.logger.warn({ surveyId: req.surveyId, channel: s.channel, err: errorText(err) }, 'message back to the customer not delivered');
      return { status: 'unavailable' };
    }
  }

  /** Send again the messages that could not be delivered, once due; drop those the conversation has moved past. */
  async retryReplies(): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = this.now();
      // Claim one due message (pushing its due time past the lease), so one process sends it.
      const s = await this.surveys.findOneAndUpdate(
        { 'pendingReply.dueAt': { $lte: now } },
        { $set: { 'pendingReply.dueAt': this.leaseUntil(now) } },
        { returnDocument: 'after', lean: true },
      ).exec() as SurveyDoc | null;
      if (!s?.pendingReply) return sent;
      const { key, attempts } = s.pendingReply;
      const mine = { _id: s._id, 'pendingReply.key': key, 'pendingReply.attempts': attempts };
      if (!stillRelevant(s, key as TemplateKey)) {
        await this.surveys.updateOne(mine, { $unset: { pendingReply: '' } }).exec();
        continue;
      }
      try {
        await this.sendReply(s, key as TemplateKey);
        await this.surveys.updateOne(mine, { $unset: { pendingReply: '', lastError: '' } }).exec();
        sent++;
      } catch (err) {
        const giveUp = !isWorthRetrying(err) || attempts + 1 >= MAX_REPLY_ATTEMPTS;
        await this.surveys.updateOne(mine, giveUp
          ? { $set: { lastError: errorText(err) }, $unset: { pendingReply: '' } }
          : { $set: { lastError: errorText(err), pendingReply: { key, attempts: attempts + 1, dueAt: new Date(now.getTime() + replyBackoffMs(err, attempts + 1)) } } },
        ).exec();
      }
    }
  }

  private newOwner(): string {
    return `${this.instanceId}:${++this.claims}`;
  }

  private get askWithinMs(): number {
    return this.deps.settings.askWithinMs ?? DEFAULT_ASK_WITHIN_MS;
  }

  /** Surveys resolved before this are too old to ask. */
  private askableSince(now: Date): Date {
    return new Date(now.getTime() - this.askWithinMs);
  }

  private leaseUntil(now: Date): Date {
    return new Date(now.getTime() + this.deps.settings.leaseMs);
  }

  /** The after-care question, or the relationship question for a relational survey. */
  private question(s: SurveyDoc): OutgoingMessage {
    return { kind: 'question', text: this.text(s, s.type === 'relational' ? 'relationshipQuestion' : 'question'), choices: SCALE };
  }

  private text(s: SurveyDoc, key: TemplateKey): string {
    const locale = resolveLocale(s.customer.locale, this.deps.settings.defaultLocale);
    return this.deps.templates.render(key, locale, { name: s.customer.name ?? undefined });
  }

  private recipient(s: SurveyDoc): Recipient {
    return {
      surveyId: String(s._id),
      conversationId: s.conversationId,
      customerId: s.customer.id,
      customerName: s.customer.name ?? undefined,
      locale: s.customer.locale,
      address: (s.address as Record<string, string> | undefined) ?? undefined,
    };
  }

  private cleanComment(text: string): string | null {
    const clean = normalizeText(text).trim().slice(0, this.deps.settings.maxCommentChars);
    return clean.length > 0 ? clean : null;
  }
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, 500);
}
