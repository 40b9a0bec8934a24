/**
 * What every flow of the engine shares: its settings, the survey repository, eligibility,
 * the outbox, the clock, the texts, and the one place a state change is announced
 * (`moved`, which reports listen to). The flows (asking, replies, consent, expiry, owed
 * messages, manager messages) each take this core; none keeps state in memory.
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { MessageKind, OutgoingMessage, Recipient } from './channel-contract/channel.ts';
import type { Logger } from '../logger.ts';
import type { OwedMessage, SurveyDoc, SurveyRepository, SurveyState } from '../storage/surveys/index.ts';
import type { Eligibility } from './eligibility.ts';
import type { Outbox } from './outbox.ts';
import type { GiveUpReason } from './send-retry-policy.ts';
import { normalizeText } from './reply-parser.ts';
import { resolveLocale, type Locale, type TemplateKey, type Templates } from './templates.ts';

/** Every score button and quick reply offers the whole 0–10 scale. */
export const SCALE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
/** Unless set otherwise, a survey not asked within two days of its resolution expires. */
const DEFAULT_ASK_WITHIN_MS = 48 * 3_600_000;
/** A write that records a send which already happened is retried this often while the database is away. */
const PERSIST_RETRY_MS = 250;

export interface EngineSettings {
  fatigueMs: number;
  askDelayMs: number;
  expireMs: number;
  maxReprompts: number;
  staffIds: readonly string[];
  botIds: readonly string[];
  /** How long one process may take to send a message before another sends it again. */
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
  /** REMINDER_AFTER_HOURS: one reminder this long after an unanswered question (unset: none). */
  reminderAfterMs?: number;
}

/** Emitted after every state change, with the survey as stored. Reports listen. */
export interface TransitionEvent { survey: SurveyDoc; from: SurveyState | null; to: SurveyState }

/** Emitted when a message owed to the customer is given up unsent (what kind, or a manager's message, and why). Metrics listen. */
export interface GivenUpEvent { channel: string; message: MessageKind | 'manager'; reason: GiveUpReason }

export interface SurveyEngineEvents {
  transition: [TransitionEvent];
  givenUp: [GivenUpEvent];
}

export class EngineCore {
  constructor(
    readonly repo: SurveyRepository,
    readonly eligibility: Eligibility,
    readonly outbox: Outbox,
    private readonly templates: Templates,
    readonly settings: EngineSettings,
    readonly logger: Logger,
    readonly now: () => Date,
    private readonly events: EventEmitter<SurveyEngineEvents>,
  ) {}

  /** Tell listeners (reports) a survey changed state; passes the survey through. */
  moved(after: SurveyDoc | null, from: SurveyState | null, to: SurveyState): SurveyDoc | null {
    if (after) this.events.emit('transition', { survey: after, from, to });
    return after;
  }

  /**
   * Say that a message owed to the customer is given up unsent, and why: a warning,
   * except when the conversation moved past it or the customer opted out (nothing lost).
   */
  gaveUp(s: SurveyDoc, message: GivenUpEvent['message'], reason: GiveUpReason, why: string): void {
    const line = { surveyId: String(s._id), channel: s.channel, message, reason, why };
    if (reason === 'no-longer-relevant' || reason === 'opted-out') this.logger.info(line, 'owed message given up');
    else this.logger.warn(line, 'owed message given up');
    this.events.emit('givenUp', { channel: s.channel, message, reason });
  }

  /** A message owed from now (`since`), leased to this process until `leaseMs` from now. */
  owe(key: TemplateKey, now = this.now()): OwedMessage {
    return { id: randomUUID(), key, attempts: 0, dueAt: this.leaseUntil(now), since: now };
  }

  leaseUntil(now: Date): Date {
    return new Date(now.getTime() + this.settings.leaseMs);
  }

  get askWithinMs(): number {
    return this.settings.askWithinMs ?? DEFAULT_ASK_WITHIN_MS;
  }

  /** Surveys resolved before this are too old to ask. */
  askableSince(now: Date): Date {
    return new Date(now.getTime() - this.askWithinMs);
  }

  /** The message for an owed step: the question (with the 0–10 choices), or any message after it. */
  message(s: SurveyDoc, owed: Pick<OwedMessage, 'id' | 'key'>): OutgoingMessage {
    const key = owed.key as TemplateKey;
    const question = key === 'question' || key === 'relationshipQuestion';
    return { kind: kindOf(key), text: this.text(s, key), choices: question ? SCALE : null, idempotencyKey: owed.id };
  }

  /** The after-care question, or the relationship question for a relational survey. */
  questionKey(s: Pick<SurveyDoc, 'type'>): TemplateKey {
    return s.type === 'relational' ? 'relationshipQuestion' : 'question';
  }

  text(s: SurveyDoc, key: TemplateKey): string {
    const locale = resolveLocale(s.customer.locale, this.settings.defaultLocale);
    return this.templates.render(key, locale, { name: s.customer.name ?? undefined });
  }

  recipient(s: SurveyDoc): Recipient {
    return {
      surveyId: String(s._id),
      conversationId: s.conversationId,
      customerId: s.customer.id,
      customerName: s.customer.name ?? undefined,
      locale: s.customer.locale,
      address: (s.address as Record<string, string> | undefined) ?? undefined,
    };
  }

  cleanComment(text: string): string | null {
    const clean = normalizeText(text).trim().slice(0, this.settings.maxCommentChars);
    return clean.length > 0 ? clean : null;
  }

  /**
   * Record something that already happened on the platform (a message went out). The
   * database may be away just then: keep trying until `until` (the lease of the message),
   * because giving up means the message is sent again by whoever owns it next. Past that,
   * the error goes up and the intent stays owed (at least once, never lost).
   */
  async persistAfterSend<T>(write: () => Promise<T>, until: Date): Promise<T> {
    // The lease is on the engine's clock; the waiting is real time.
    const deadline = Date.now() + Math.max(0, until.getTime() - this.now().getTime());
    for (;;) {
      try {
        return await write();
      } catch (err) {
        if (Date.now() + PERSIST_RETRY_MS >= deadline) throw err;
        this.logger.warn({ err: errorText(err) }, 'recording a sent message failed; retrying');
        await new Promise((r) => setTimeout(r, PERSIST_RETRY_MS));
      }
    }
  }
}

/** What kind of message a template is, for adapters that treat kinds differently. */
export function kindOf(key: TemplateKey): MessageKind {
  if (key === 'question' || key === 'relationshipQuestion') return 'question';
  if (key === 'reprompt' || key === 'reminder') return 'reprompt';
  if (key === 'optOut') return 'optout';
  if (key === 'followupPromoter' || key === 'followupPassive' || key === 'followupDetractor' || key === 'consentQuestion') return 'followup';
  return 'thanks';
}

/**
 * What kind of error, without its message: platform errors may quote the ids they were
 * given, so warnings carry this and the full text goes to debug.
 */
export function errorKind(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? `${err.name}:${code}` : err.name;
}

export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, 500);
}
