/**
 * The survey conversation engine: resolution → (eligibility, delay) → question →
 * score → one follow-up → comment → thanks, with re-prompts, opt-out and expiry.
 *
 * This class is the engine's face (the `EngineSink` adapters call, and the ticks the
 * scheduler runs); the work is done by one file per flow on a shared core:
 * asking.ts (intake and the question), reply-flow.ts (the reply state machine),
 * consent-flow.ts, expiry.ts, owed-messages.ts (messages owed after the question, and
 * every owed message taken again after a crash) and manager-messages.ts. It knows
 * channels only through the channel contract and keeps no state in memory: every step
 * is one conditional write through the survey repository.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { EngineSink, InboundMessage, ReplyOutcome, ResolveOutcome, ResolvedEvent } from './channel-contract/channel.ts';
import type { Logger } from '../logger.ts';
import { SurveyRepository } from '../storage/surveys/index.ts';
import { Asking } from './asking.ts';
import { ConsentFlow } from './consent-flow.ts';
import { contactModel } from './contact-model.ts';
import { EngineCore, type EngineSettings, type SurveyEngineEvents } from './engine-core.ts';
import { Eligibility } from './eligibility.ts';
import { Expiry } from './expiry.ts';
import { inboundMessageSchema } from './inbound-validation.ts';
import { ManagerMessages, type ManagerMessageStatus } from './manager-messages.ts';
import { optOutModel } from './opt-out-model.ts';
import type { Outbox } from './outbox.ts';
import { OwedMessages } from './owed-messages.ts';
import { Reminders } from './reminders.ts';
import { ReplyFlow } from './reply-flow.ts';
import type { Templates } from './templates.ts';
import { validate, ValidationError } from '../validation.ts';

export type { EngineSettings, TransitionEvent, SurveyEngineEvents } from './engine-core.ts';

export interface EngineDeps {
  conn: Connection;
  outbox: Outbox;
  templates: Templates;
  settings: EngineSettings;
  logger: Logger;
  /** The clock; tests move it to check delays and expiry. */
  now?: () => Date;
}

export class SurveyEngine extends EventEmitter<SurveyEngineEvents> implements EngineSink {
  readonly instanceId = randomUUID();
  private readonly core: EngineCore;
  private readonly asking: Asking;
  private readonly owed: OwedMessages;
  private readonly replies: ReplyFlow;
  private readonly expiry: Expiry;
  private readonly reminders: Reminders;
  private readonly managerMessages: ManagerMessages;
  private readonly init_: () => Promise<void>;

  constructor(deps: EngineDeps) {
    super();
    const repo = new SurveyRepository(deps.conn);
    const contacts = contactModel(deps.conn);
    const optOuts = optOutModel(deps.conn);
    this.init_ = async () => { await Promise.all([repo.init(), contacts.init(), optOuts.init()]); };
    this.core = new EngineCore(
      repo, new Eligibility(contacts, optOuts, deps.settings), deps.outbox, deps.templates, deps.settings, deps.logger,
      deps.now ?? (() => new Date()), this,
    );
    this.asking = new Asking(this.core);
    this.owed = new OwedMessages(this.core, this.asking);
    this.replies = new ReplyFlow(this.core, this.owed, new ConsentFlow(this.core, this.owed));
    this.expiry = new Expiry(this.core);
    this.reminders = new Reminders(this.core, this.owed);
    this.managerMessages = new ManagerMessages(this.core);
  }

  /** Create the indexes the queries need (idempotent). */
  init(): Promise<void> {
    return this.init_();
  }

  /** A conversation was resolved: store its survey (a repeated resolution answers `duplicate`). */
  resolved(event: ResolvedEvent): Promise<ResolveOutcome> {
    return this.asking.resolved(event);
  }

  /** A customer wrote or pressed a button. */
  async message(input: InboundMessage): Promise<ReplyOutcome> {
    const m = validate(inboundMessageSchema, input);
    if (!this.core.outbox.has(m.channel)) throw new ValidationError('channel', `unknown channel "${m.channel}"`);
    return this.replies.handle({ ...m, receivedAt: m.receivedAt ?? this.core.now(), ...(input.onStored ? { onStored: input.onStored } : {}) });
  }

  /** Ask one survey now if it is due and nobody else is asking it. */
  askNow(surveyId: string): Promise<boolean> {
    return this.asking.askNow(surveyId);
  }

  /** Ask every survey that is due (the scheduler's tick). */
  askDue(): Promise<number> {
    return this.asking.askDue();
  }

  /** Send every owed message whose lease ran out: questions and replies, then managers' messages (the scheduler's tick). */
  async sendOwed(): Promise<number> {
    return (await this.owed.sendDue()) + (await this.managerMessages.sendDue());
  }

  /** Send the one reminder of every unanswered question that is due one (the scheduler's tick; REMINDER_AFTER_HOURS). */
  sendReminders(): Promise<number> {
    return this.reminders.sendDue();
  }

  /** Close what nobody answered in time (the scheduler's tick). */
  expireDue(): Promise<{ expired: number; completed: number }> {
    return this.expiry.expireDue();
  }

  /** A manager's message back to a surveyed customer. */
  messageCustomer(req: { surveyId: string; text: string; by: string }): Promise<{ status: ManagerMessageStatus; messageId?: string }> {
    return this.managerMessages.send(req);
  }
}
