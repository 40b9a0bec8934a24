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
  EngineSink, InboundMessage, MessageKind, OutgoingMessage, Recipient, ReplyOutcome, ResolveOutcome, ResolvedEvent,
} from '../channels/channel.ts';
import { PermanentSendError, TransientSendError, WindowClosedError } from '../channels/send-errors.ts';
import { contactModel, type ContactDoc } from './contact-model.ts';
import { optOutModel, type OptOutDoc } from './opt-out-model.ts';
import { inboundEventModel, type InboundEventDoc } from './inbound-event-model.ts';
import type { Logger } from '../logger.ts';
import { surveyModel, type SurveyDoc, type SurveyState } from '../storage/survey-model.ts';
import { Eligibility } from './eligibility.ts';
import { inboundMessageSchema, resolvedEventSchema } from './inbound-validation.ts';
import { validate, ValidationError } from '../validation.ts';
import { categorize } from './nps-category.ts';
import { UnknownChannelError, type Outbox } from './outbox.ts';
import { normalizeText, parseReply } from './reply-parser.ts';
import { followupKey, resolveLocale, type Locale, type TemplateKey, type Templates } from './templates.ts';
import { isDuplicateKey } from '../storage/mongo-errors.ts';
import { SurveyStore, type SurveyChanges } from '../storage/survey-store.ts';

/** How long a reply waits for a question that is being sent at that moment. */
const IN_FLIGHT_WAIT_MS = 5_000;
const IN_FLIGHT_POLL_MS = 50;

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
  readonly inboundEvents: Model<InboundEventDoc>;
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
    this.inboundEvents = inboundEventModel(deps.conn);
    this.optOuts = optOutModel(deps.conn);
    this.now = deps.now ?? (() => new Date());
    this.store = new SurveyStore(this.surveys);
    this.eligibility = new Eligibility(this.contacts, this.optOuts, deps.settings);
  }

  /** Create the indexes the queries need (idempotent). */
  async init(): Promise<void> {
    await Promise.all([
      this.surveys.init(), this.contacts.init(), this.inboundEvents.init(), this.optOuts.init(),
    ]);
  }

  // ── resolution ──────────────────────────────────────────────────────────────

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
        skipReason: e.customer.isBot ? 'bot' : undefined,
        resolvedAt,
        askAt,
        dirty: true,
      });
      created = doc.toObject() as SurveyDoc;
    } catch (err) {
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

  // ── asking ──────────────────────────────────────────────────────────────────

  /** Ask every survey that is due, a few at a time. Returns how many were handled. */
  async askDue(): Promise<number> {
    const workers = this.deps.settings.concurrency ?? 4;
    let handled = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const now = this.now();
        const owner = `${this.instanceId}:${++this.claims}`;
        const claimed = await this.store.claimDue(now, owner, new Date(now.getTime() + this.deps.settings.leaseMs));
        if (!claimed) return;
        handled++;
        try {
          await this.ask(claimed, owner, now);
        } catch (err) {
          this.deps.logger.error({ err, surveyId: String(claimed._id) }, 'asking failed');
          await this.store.release(claimed, owner, new Date(now.getTime() + 5_000), errorText(err));
        }
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
    const now = this.now();
    const s = await this.surveys.findById(surveyId, { state: 1, askAt: 1, lease: 1, version: 1 }).lean().exec();
    if (!s || s.state !== 'scheduled' || s.askAt > now || (s.lease?.until && s.lease.until > now)) return false;
    const owner = `${this.instanceId}:${++this.claims}`;
    const claimed = await this.store.update(s._id, s.version ?? 0, { set: { lease: { owner, until: new Date(now.getTime() + this.deps.settings.leaseMs) } } });
    if (!claimed || claimed.state !== 'scheduled') return false;
    try {
      await this.ask(claimed, owner, now);
    } catch (err) {
      this.deps.logger.error({ err, surveyId }, 'asking failed');
      await this.store.release(claimed, owner, new Date(now.getTime() + 5_000), errorText(err));
    }
    return true;
  }

  private async ask(s: SurveyDoc, owner: string, now: Date): Promise<void> {
    const lease = { 'lease.owner': owner };
    // A bot flag from the platform was stored as skipReason 'bot' at resolution.
    const listReason = s.skipReason === 'bot' ? 'bot' : this.eligibility.listReason(s.channel, s.customer.id);
    if (listReason) {
      await this.move(s, 'scheduled', 'skipped', { set: { skipReason: listReason }, unset: ['lease'] }, lease);
      return;
    }
    const reservation = await this.eligibility.reserve(s.channel, s.customer.id, now);
    if (reservation.reason) {
      await this.move(s, 'scheduled', 'skipped', { set: { skipReason: reservation.reason }, unset: ['lease'] }, lease);
      return;
    }
    try {
      const receipt = await this.deps.outbox.send(s.channel, this.recipient(s), this.question(s));
      await this.move(s, 'scheduled', 'asked', {
        set: {
          askedAt: now,
          expiresAt: new Date(now.getTime() + this.deps.settings.expireMs),
          ...(receipt.address ? { address: receipt.address } : {}),
        },
        unset: ['lease', 'lastError'],
      }, lease);
    } catch (err) {
      await this.eligibility.unreserve(s.channel, s.customer.id, now, reservation.previous);
      const attempts = (s.attempts ?? 0) + 1;
      if (err instanceof WindowClosedError) {
        // The platform may not be messaged now: the customer was never asked, so this is a skip, not a failure.
        await this.move(s, 'scheduled', 'skipped', { set: { skipReason: 'window-closed', lastError: errorText(err) }, unset: ['lease'] }, lease);
      } else if (err instanceof TransientSendError && err.retryAfterMs !== undefined && err.retryAfterMs > 0) {
        // The platform said when to come back (a rate limit or a daily cap): wait that
        // long; being told to wait is not a failed attempt.
        await this.store.release(s, owner, new Date(now.getTime() + err.retryAfterMs), errorText(err), false);
      } else if (err instanceof PermanentSendError || err instanceof UnknownChannelError || attempts >= (this.deps.settings.maxAskAttempts ?? 5)) {
        this.deps.logger.warn({ surveyId: String(s._id), channel: s.channel, err: errorText(err) }, 'survey failed');
        await this.move(s, 'scheduled', 'failed', { set: { lastError: errorText(err), attempts }, unset: ['lease'] }, lease);
      } else {
        await this.store.release(s, owner, new Date(now.getTime() + 30_000 * attempts), errorText(err));
      }
    }
  }

  // ── replies ─────────────────────────────────────────────────────────────────

  async message(input: InboundMessage): Promise<ReplyOutcome> {
    const m = validate(inboundMessageSchema, input);
    if (!this.deps.outbox.has(m.channel)) throw new ValidationError('channel', `unknown channel "${m.channel}"`);
    const survey = await this.openSurveyFor(m.channel, m.customerId, m.surveyId);
    if (!survey) return { status: 'ignored' };
    if (m.eventId && !(await this.firstTimeSeen(m.channel, m.eventId))) return { status: 'duplicate', surveyId: String(survey._id) };
    const now = m.receivedAt ?? this.now();
    const parsed = m.choice !== undefined
      ? { score: m.choice, optOut: false, comment: null }
      : parseReply(m.text);

    if (parsed.optOut) return this.optOut(survey, now);
    if (survey.state === 'asked') return this.onScoreReply(survey, parsed.score, parsed.comment, now);
    // state 'scored': this message is the comment. A button pressed again is not a comment.
    if (m.choice !== undefined) return { status: 'ignored', surveyId: String(survey._id) };
    const comment = this.cleanComment(m.text);
    if (!comment) return { status: 'ignored', surveyId: String(survey._id) };
    const done = await this.move(survey, 'scored', 'completed', { set: { comment, completedAt: now }, unset: ['expiresAt'] });
    if (!done) return { status: 'duplicate', surveyId: String(survey._id) };
    await this.reply(done, 'thanks');
    return { status: 'completed', surveyId: String(done._id), score: done.score ?? undefined };
  }

  private async onScoreReply(s: SurveyDoc, score: number | null, comment: string | null, now: Date): Promise<ReplyOutcome> {
    const id = String(s._id);
    if (score === null) {
      const reprompts = s.reprompts ?? 0;
      if (reprompts < this.deps.settings.maxReprompts) {
        const moved = await this.move(s, 'asked', 'asked', { inc: { reprompts: 1 } }, { reprompts });
        if (!moved) return { status: 'duplicate', surveyId: id };
        await this.reply(moved, 'reprompt');
        return { status: 'reprompted', surveyId: id };
      }
      const gaveUp = await this.move(s, 'asked', 'expired', { set: { lastError: `no clear score after ${reprompts} re-prompt(s)` } }, { reprompts });
      return { status: gaveUp ? 'gave-up' : 'duplicate', surveyId: id };
    }
    const category = categorize(score);
    const cleaned = comment ? this.cleanComment(comment) : null;
    if (cleaned) {
      const done = await this.move(s, 'asked', 'completed', {
        set: { score, category, comment: cleaned, scoredAt: now, completedAt: now }, unset: ['expiresAt'],
      });
      if (!done) return { status: 'duplicate', surveyId: id };
      await this.reply(done, 'thanks');
      return { status: 'completed', surveyId: id, score };
    }
    const scored = await this.move(s, 'asked', 'scored', {
      set: { score, category, scoredAt: now, expiresAt: new Date(now.getTime() + this.deps.settings.expireMs) },
    });
    if (!scored) return { status: 'duplicate', surveyId: id };
    await this.reply(scored, followupKey(category));
    return { status: 'scored', surveyId: id, score };
  }

  private async optOut(s: SurveyDoc, now: Date): Promise<ReplyOutcome> {
    await this.eligibility.optOut(s.channel, s.customer.id, now);
    // A score already given still counts; an unanswered question is closed.
    const moved = s.state === 'scored'
      ? await this.move(s, 'scored', 'completed', { set: { completedAt: now }, unset: ['expiresAt'] })
      : await this.move(s, 'asked', 'skipped', { set: { skipReason: 'opted-out' }, unset: ['expiresAt'] });
    if (moved) await this.reply(moved, 'optOut');
    return { status: 'opted-out', surveyId: String(s._id) };
  }

  // ── expiry ──────────────────────────────────────────────────────────────────

  /** Close surveys nobody answered in time; a score without a comment still counts. */
  async expireDue(): Promise<{ expired: number; completed: number }> {
    const now = this.now();
    let expired = 0;
    let completed = 0;
    // One survey at a time through the store, so a reply landing at the same moment is never overwritten.
    for (;;) {
      const due = await this.surveys.find({ state: { $in: ['asked', 'scored'] }, expiresAt: { $lte: now } }, { state: 1 })
        .limit(500).lean().exec();
      let moved = 0;
      for (const s of due) {
        const after = s.state === 'asked'
          ? await this.move(s as SurveyDoc, 'asked', 'expired', { unset: ['expiresAt'] }, { expiresAt: { $lte: now } })
          : await this.move(s as SurveyDoc, 'scored', 'completed', { set: { completedAt: now }, unset: ['expiresAt'] }, { expiresAt: { $lte: now } });
        if (!after) continue;
        moved++;
        if (s.state === 'asked') expired++;
        else completed++;
      }
      if (due.length < 500 || moved === 0) break;
    }
    // Event ids only need to outlive the platforms' redelivery windows.
    await this.inboundEvents.deleteMany({ at: { $lt: new Date(now.getTime() - 7 * 86_400_000) } }).exec();
    return { expired, completed };
  }

  // ── helpers ─────────────────────────────────────────────────────────────────

  private async openSurveyFor(channel: string, customerId: string, surveyId?: string): Promise<SurveyDoc | null> {
    for (let waited = 0; ; waited += IN_FLIGHT_POLL_MS) {
      if (surveyId && mongoose.isValidObjectId(surveyId)) {
        const s = await this.surveys.findOne({ _id: surveyId, channel, 'customer.id': customerId, state: { $in: ['asked', 'scored'] } }).lean().exec();
        if (s) return s as SurveyDoc;
      }
      const open = await this.store.findOpen(channel, customerId, ['asked', 'scored']);
      if (open || waited >= IN_FLIGHT_WAIT_MS) return open;
      // A fast reply can arrive while the question is still being stored as asked:
      // wait for that step rather than drop the answer.
      const inFlight = await this.surveys.exists({ channel, 'customer.id': customerId, state: 'scheduled', 'lease.until': { $gt: this.now() } });
      // Not in flight (any more): it may have become open since the first look.
      if (!inFlight) return this.store.findOpen(channel, customerId, ['asked', 'scored']);
      await new Promise((r) => setTimeout(r, IN_FLIGHT_POLL_MS));
    }
  }

  private async firstTimeSeen(channel: string, eventId: string): Promise<boolean> {
    try {
      await this.inboundEvents.create({ _id: `${channel}:${eventId}`, at: this.now() });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Move `s` (as the caller read it) from `from` to `to`; null if it is no longer there. */
  private async move(
    s: Pick<SurveyDoc, '_id'> & { version?: number; state?: SurveyState }, from: SurveyState, to: SurveyState,
    changes: SurveyChanges, extra: Record<string, unknown> = {},
  ): Promise<SurveyDoc | null> {
    const known = s.state === from && Object.keys(extra).length === 0 ? s.version : undefined;
    const after = await this.store.transition(s._id, from, to, changes, extra, known);
    if (after) this.emit('transition', { survey: after, from, to });
    return after;
  }

  private async reply(s: SurveyDoc, key: TemplateKey): Promise<void> {
    const kind: MessageKind = key === 'thanks' ? 'thanks' : key === 'reprompt' ? 'reprompt' : key === 'optOut' ? 'optout' : 'followup';
    try {
      await this.deps.outbox.send(s.channel, this.recipient(s), { kind, text: this.text(s, key), choices: null });
    } catch (err) {
      // The answer is stored either way; only the courtesy message is lost. Keep why.
      this.deps.logger.warn({ surveyId: String(s._id), channel: s.channel, kind, err: errorText(err) }, 'reply not delivered');
      await this.store.update(s._id, s.version, { set: { lastError: errorText(err) } });
    }
  }

  private question(s: SurveyDoc): OutgoingMessage {
    return { kind: 'question', text: this.text(s, 'question'), choices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
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
