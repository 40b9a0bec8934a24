/**
 * The seam between a chat platform and the survey engine.
 *
 * An adapter turns platform events into two engine events (`resolved` and `message`)
 * and offers `send` (a DM to a customer) and `post` (a notice to managers). It never
 * touches the database: everything it learns goes to the engine through the sink,
 * and everything it must remember between sends comes back in `Recipient.address`.
 *
 * @example
 * const adapter: ChannelAdapter = createWebhookChannel(config.webhook);
 * await adapter.start({ sink: engine, logger, http: router, state: new MongoChannelStateStore(conn, 'webhook') });
 */
import type { Router } from 'express';
import type { Logger } from '../../logger.ts';
import type { ChannelStateStore } from './channel-state.ts';

/** Channel names are short lowercase words (`slack`, `discord`, `x`, `webhook`, `console`), with an optional `:kind` (`chatwoot:whatsapp`). */
export type ChannelName = string;

export type SurveyType = 'transactional' | 'relational';

/** A care conversation was resolved: the engine may ask its customer the NPS question. */
export interface ResolvedEvent {
  channel: ChannelName;
  conversationId: string;
  customer: { id: string; name?: string; locale?: string; isBot?: boolean; segment?: string; value?: number };
  agent: { id: string; name?: string };
  resolvedAt?: Date;
  type?: SurveyType;
  /** A link or reference managers can follow back to the conversation. */
  link?: string;
  /** Platform routing data the adapter wants back on every send (e.g. a thread id). */
  address?: Record<string, string>;
  /** The caller's id for this event; a repeat of the same conversation is `duplicate` either way. */
  eventId?: string;
  /**
   * The platform already says this customer cannot be asked here (a Zendesk ticket with no
   * messaging conversation: e-mail only). The survey is stored and skipped with this reason
   * (a short slug, e.g. `no-messaging-conversation`), never asked.
   */
  skipReason?: string;
  /**
   * Every agent who replied in the conversation, where the platform tells (helpdesk
   * bridges), with how many replies each wrote; `agent` stays the one the platform names
   * (assignee, closing admin, resolver). For attribution rules that share credit.
   */
  participants?: Array<{ id: string; name?: string; replies: number }>;
}

export type ResolveStatus = 'scheduled' | 'duplicate';
export interface ResolveOutcome { surveyId: string; status: ResolveStatus }

/** A customer wrote (or pressed a button) in the chat. */
export interface InboundMessage {
  channel: ChannelName;
  customerId: string;
  /** What the customer typed; empty for a button press. */
  text: string;
  /** A score chosen with a button or quick reply; exact, no parsing needed. */
  choice?: number;
  /** The survey a button belongs to, when the platform carries it back. */
  surveyId?: string;
  /** The platform's id for this event, so a redelivered event is handled once. */
  eventId?: string;
  receivedAt?: Date;
  /**
   * Called once a score is stored, before the message it makes owed (the follow-up) is
   * sent: a platform that never redelivers a button press answers the press then.
   */
  onStored?: (outcome: ReplyOutcome) => void;
}

export type ReplyStatus =
  | 'ignored'      // no open survey for this customer: the message is not ours
  | 'duplicate'    // the same platform event was handled before
  | 'scored'       // a score was read; the follow-up question was sent
  | 'completed'    // the survey is complete (comment read, or score with comment)
  | 'reprompted'   // the reply was unclear; asked again politely
  | 'gave-up'      // still unclear after the allowed re-prompts; the bot stops asking
  | 'opted-out';   // the customer asked never to be surveyed again

export interface ReplyOutcome { status: ReplyStatus; surveyId?: string; score?: number }

/** What an adapter hands its events to. The engine implements it. */
export interface EngineSink {
  resolved(event: ResolvedEvent): Promise<ResolveOutcome>;
  message(event: InboundMessage): Promise<ReplyOutcome>;
}

/** `reply`: a person's message back to the customer after the survey (closing the loop). */
export type MessageKind = 'question' | 'reprompt' | 'followup' | 'thanks' | 'optout' | 'reply';

/** One message to a customer. `choices` is [0..10] on the question (for buttons), else null. */
export interface OutgoingMessage {
  kind: MessageKind;
  text: string;
  choices: number[] | null;
  /**
   * Stable across every attempt at this one message (a retry after a crash or an outage
   * sends the same key): adapters hand it to the platform's deduplication where there is
   * one (Discord's nonce, the webhook channel's X-NPS-Delivery).
   */
  idempotencyKey?: string;
}

/** Who gets a message, and the routing data the adapter asked the engine to keep. */
export interface Recipient {
  surveyId: string;
  conversationId: string;
  customerId: string;
  customerName?: string;
  locale: string;
  address?: Record<string, string>;
}

/** What a send returns. `address`, when given, replaces the stored routing data (e.g. thread fallback). */
export interface SendReceipt { messageId?: string; address?: Record<string, string> }

/** A notice for managers (detractor alert, digest), posted into a team channel. */
export interface Notice {
  text: string;
  /** Optional plain key/value lines a platform may render as fields. */
  fields?: Record<string, string>;
}

export interface ChannelContext {
  sink: EngineSink;
  logger: Logger;
  /** Routes the channel needs on the bot's one HTTP port (webhooks). Mounted at `/`. */
  http: Router;
  /**
   * State shared with the other processes running this channel (daily caps, open
   * conversations), scoped to the channel. The adapter's only way to keep anything.
   */
  state: ChannelStateStore;
}

/**
 * One documented platform limit: at most `limit` sends in any `windowMs`, counted for the
 * whole app (one workspace, guild, page, number or account: what one adapter sends as) or
 * per chat (one customer's DM, or one channel a notice goes to). The outbox shares it
 * across every bot process through the database.
 */
export interface RateLimit {
  per: 'app' | 'chat';
  limit: number;
  windowMs: number;
  /** Sends that may go at once after a quiet spell (default 1: evenly spaced); the rest of the limit is spread out. */
  burst?: number;
  /** Where the figure comes from, for operators reading the declaration. */
  source?: string;
}

export interface ChannelRate {
  /** Sends per second for the whole app: the platform's ceiling, or an operator's lower setting. */
  perSecond: number;
  /** In flight at once, per process. */
  concurrent?: number;
  /** The platform's other documented limits (per chat, per 15 minutes…). */
  limits?: readonly RateLimit[];
}

/** Who handled a conversation, when a caller resolves it without saying. */
export interface AgentRef { id: string; name?: string }

export interface ChannelAdapter {
  readonly name: ChannelName;
  /**
   * Outbox pacing for this platform: messages per second (for the whole app, every bot
   * process together) and at most this many in flight per process, plus the platform's
   * other documented limits. Every platform adapter sets it; without it sends are not
   * paced (in-process channels).
   */
  readonly rate?: ChannelRate;
  /**
   * How long after the customer's last message the platform lets the business write to
   * them freely (Meta's and Telegram Business's 24 hours), for this recipient; null or
   * absent when there is no such window. The engine sends nothing optional (a reminder)
   * outside it.
   */
  messagingWindowMs?(to: Recipient): number | null;
  /**
   * Resolves once the channel's routes are mounted and either it is connected or its
   * platform failed in a way that passes (it then goes on connecting in the background).
   */
  start(ctx: ChannelContext): Promise<void>;
  stop(): Promise<void>;
  /**
   * True while the adapter started but is still connecting to its platform in the
   * background (Discord, Slack, Telegram when their platform was down at start-up); sends
   * then fail with a TransientSendError that says when to come back. Absent: nothing to connect.
   */
  connecting?(): boolean;
  /** Send a DM. Throw `PermanentSendError` or `TransientSendError` (see send-errors.ts). */
  send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt>;
  /** Post a notice for managers into a channel of this platform. */
  post(channelId: string, notice: Notice): Promise<void>;
  /**
   * The agent of a conversation resolved without one (`POST /api/resolutions` with no
   * `agent`), found from what the platform shows (X: the brand's DM signatures "… ^AB").
   * Null when it cannot tell; channels without this method cannot find agents at all.
   */
  findAgent?(conversationId: string, customerId: string): Promise<AgentRef | null>;
  /**
   * The canonical form of a customer id on this platform (WhatsApp: digits only; Slack:
   * `U…`/`W…`), or null when `id` is not one. Applied where ids enter from outside the
   * platform (`POST /api/resolutions`, `nps-bot forget`), so every stored id matches what
   * the platform's own events carry. Channels without it take ids as given.
   */
  canonicalCustomerId?(id: string): string | null;
  /**
   * `nps-bot forget`: erase what this channel keeps about the customer in its shared
   * state (`state`: the same store `start` gets; the adapter need not be started).
   * Every adapter that keeps per-customer state implements it; the keys are its own.
   */
  forget?(customerId: string, state: ChannelStateStore): Promise<void>;
}
