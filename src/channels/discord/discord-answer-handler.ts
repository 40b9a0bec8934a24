/**
 * The customer's answers, to the engine: a button press, a message typed in the DM, or,
 * when the bot had to ask in the support
 * thread, a message the customer types there. The bot's own messages and other bots
 * are ignored. Each answer carries Discord's id as the event id, so a dispatch
 * delivered twice (a gateway resume replays events) is counted once.
 *
 * A button press is answered only once the engine stored it: the response (UPDATE_MESSAGE)
 * shows the choice on the question, without buttons. Discord does not deliver a press
 * again, so acknowledging it first would lose it if the process died before storing. When
 * it cannot be stored within the response window (Discord allows three seconds), the press
 * is acknowledged with a deferred update, the buttons stay and the customer is asked, in a
 * message only they see, to press again; an answer stored late is then still shown.
 */
import { MessageFlags, type ButtonInteraction, type Client, type Message } from 'discord.js';
import type { EngineSink, ReplyOutcome } from '../../conversation/channel-contract/channel.ts';
import type { Logger } from '../../logger.ts';
import type { FallbackThreads } from './discord-fallback-threads.ts';
import type { ResolutionWatcher } from './discord-resolution-watcher.ts';
import { answeredContent, parseButtonCustomId } from './discord-survey-message.ts';
import { deliverHeld } from '../held-delivery.ts';
import type { DmCatchUp, TypedAnswer } from './discord-dm-catch-up.ts';

const CLOSED_OUTCOMES = new Set(['completed', 'opted-out', 'gave-up']);
/** A typed answer is held this long at most while the database is away (then it is logged as lost). */
const ANSWER_HOLD_MS = 5 * 60_000;
/**
 * A press is answered this long after it arrived at most while its answer is being stored
 * (Discord allows three seconds from the press; the rest is for the gateway and the response).
 */
const RESPOND_WITHIN_MS = 2_000;
/** Outcomes of a press that mean the choice is stored. */
const STORED_CHOICE = new Set(['scored', 'completed']);
/** Shown only to the customer when a pressed score could not be stored. */
export const NOT_RECORDED = 'Sorry, we could not record your answer just now. Please press it again in a moment.';

type Stored = { outcome: ReplyOutcome } | { err: unknown };

/** The settled value, or null when `ms` passed first. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), ms); });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

function errName(err: unknown): string {
  return err instanceof Error ? err.name : 'error';
}

export class AnswerHandler {
  /** Per customer, the answer being handled: a quick "9" then "great help" must reach the engine in that order. */
  private readonly inOrder = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: {
    client: Client;
    sink: EngineSink;
    fallback: FallbackThreads;
    watcher: ResolutionWatcher;
    threadFallback: boolean;
    logger: Logger;
    /** Re-reads DMs for answers no process handled. */
    catchUp?: DmCatchUp;
    /** The adapter stops: a held answer is let go (the next start's DM look-back reads it again). */
    signal?: AbortSignal;
  }) {}

  /** True when the button was one of ours (whatever became of it). */
  async onButton(interaction: ButtonInteraction): Promise<boolean> {
    const choice = parseButtonCustomId(interaction.customId);
    if (!choice) return false;
    if (interaction.user.id !== choice.customerId) {
      // In a thread anyone can see the buttons; only the customer's press counts.
      await interaction.reply({ content: 'This question is for someone else.', flags: MessageFlags.Ephemeral })
        .catch((err: unknown) => this.ackFailed(err, interaction.id));
      return true;
    }
    // Discord does not deliver an interaction again: the press is acknowledged only once
    // its answer is stored (then the same response shows the choice), or together with the
    // request to press again. A process killed before that leaves the press unanswered,
    // Discord tells the customer it failed, and they press again.
    // Answered as soon as the score is stored, not after its follow-up went too.
    let onStored: (outcome: ReplyOutcome) => void = () => undefined;
    const storedFirst = new Promise<Stored>((resolve) => { onStored = (outcome) => resolve({ outcome }); });
    const storing: Promise<Stored> = this.serially(interaction.user.id, () => this.deps.sink.message({
      channel: 'discord',
      customerId: interaction.user.id,
      text: '',
      choice: choice.score,
      surveyId: choice.surveyId,
      eventId: interaction.id,
      onStored,
    })).then((outcome) => ({ outcome }), (err: unknown) => ({ err }));
    const inTime = await within(Promise.race([storedFirst, storing]), RESPOND_WITHIN_MS);
    if (inTime && 'outcome' in inTime) {
      const { outcome } = inTime;
      this.stored(outcome, interaction.user.id);
      if (STORED_CHOICE.has(outcome.status)) {
        await interaction.update({ content: answeredContent(interaction.message.content, choice.score), components: [] })
          .catch((err: unknown) => this.ackFailed(err, interaction.id));
      } else {
        await interaction.deferUpdate().catch((err: unknown) => this.ackFailed(err, interaction.id));
      }
      return true;
    }
    // Not stored (yet): acknowledged in time, with the request to press again.
    const deferred = await interaction.deferUpdate().then(() => true, (err: unknown) => { this.ackFailed(err, interaction.id); return false; });
    this.deps.logger.warn({ err: inTime ? errName(inTime.err) : 'slow', via: 'button' }, 'discord answer not stored in time; the customer is asked to press again');
    if (deferred) {
      await interaction.followUp({ content: NOT_RECORDED, flags: MessageFlags.Ephemeral })
        .catch((e: unknown) => this.ackFailed(e, interaction.id));
    }
    if (inTime) return true;
    // Stored late after all: show it (a second press is then a duplicate).
    const late = await Promise.race([storedFirst, storing]);
    if (!('outcome' in late)) return true;
    this.stored(late.outcome, interaction.user.id);
    if (deferred && STORED_CHOICE.has(late.outcome.status)) {
      await interaction.editReply({ content: answeredContent(interaction.message.content, choice.score), components: [] })
        .catch((err: unknown) => this.ackFailed(err, interaction.id));
    }
    return true;
  }

  private stored(outcome: ReplyOutcome, customerId: string): void {
    this.deps.logger.info({ status: outcome.status, surveyId: outcome.surveyId, via: 'button' }, 'discord answer');
    if (CLOSED_OUTCOMES.has(outcome.status)) void this.deps.catchUp?.forget(customerId).catch(() => undefined);
  }

  async onMessage(message: Message): Promise<void> {
    const me = this.deps.client.user?.id;
    if (message.author.id === me) {
      // Our own question in a thread, seen over the gateway by whichever process holds the shard.
      if (message.channel.isThread() && message.components.length > 0) {
        this.deps.fallback.learn(message.channelId, message.components.map((c) => c.toJSON()));
      }
      return;
    }
    if (message.author.bot || message.webhookId || message.system) return;
    if (!message.inGuild()) {
      await this.forward(message, undefined);
      return;
    }
    // In a thread only its owner (the customer) can be answering a survey asked there.
    const thread = message.channel;
    if (!this.deps.threadFallback || !thread.isThread() || thread.ownerId !== message.author.id || !this.deps.watcher.isCareThread(thread)) return;
    const asked = await this.deps.fallback.surveyFor(message.channelId, message.author.id);
    if (!asked) return;
    const outcome = await this.forward(message, asked.surveyId);
    if (CLOSED_OUTCOMES.has(outcome.status)) this.deps.fallback.forget(message.channelId);
  }

  private async forward(message: Message, surveyId: string | undefined): Promise<ReplyOutcome> {
    // The gateway will not deliver this message again: hold it through a database outage
    // (in order, per customer) rather than drop the customer's answer or their STOP. If the
    // hold runs out, the DM look-back reads it again once the database is back.
    const typed = { id: message.id, authorId: message.author.id, content: message.content, createdAt: message.createdAt };
    const via = message.inGuild() ? 'thread' : 'dm';
    let outcome: ReplyOutcome;
    try {
      outcome = await this.serially(message.author.id, () => deliverHeld(() => this.toEngine(typed, surveyId), { maxMs: ANSWER_HOLD_MS, logger: this.deps.logger, ...(this.deps.signal ? { signal: this.deps.signal } : {}) }));
    } catch (err) {
      if (via === 'dm') this.deps.catchUp?.request();
      throw err;
    }
    this.after(outcome, typed.authorId, via);
    return outcome;
  }

  /** A DM message the look-back found (no process handled it live): once, in order with live ones. */
  async fromLookBack(typed: TypedAnswer): Promise<ReplyOutcome> {
    const outcome = await this.serially(typed.authorId, () => this.toEngine(typed, undefined));
    this.after(outcome, typed.authorId, 'look-back');
    return outcome;
  }

  private toEngine(typed: TypedAnswer, surveyId: string | undefined): Promise<ReplyOutcome> {
    return this.deps.sink.message({
      channel: 'discord',
      customerId: typed.authorId,
      text: typed.content,
      eventId: typed.id,
      receivedAt: typed.createdAt,
      ...(surveyId ? { surveyId } : {}),
    });
  }

  private after(outcome: ReplyOutcome, customerId: string, via: string): void {
    if (outcome.status !== 'ignored' && outcome.status !== 'duplicate') {
      this.deps.logger.info({ status: outcome.status, surveyId: outcome.surveyId, via }, 'discord answer');
    }
    // The survey takes no more answers: its DM need not be read again.
    if (via !== 'thread' && CLOSED_OUTCOMES.has(outcome.status)) {
      void this.deps.catchUp?.forget(customerId).catch(() => undefined);
    }
  }

  private serially<T>(customerId: string, job: () => Promise<T>): Promise<T> {
    const before = this.inOrder.get(customerId) ?? Promise.resolve();
    const mine = before.then(job, job);
    const tail = mine.catch(() => undefined);
    this.inOrder.set(customerId, tail);
    void tail.then(() => {
      if (this.inOrder.get(customerId) === tail) this.inOrder.delete(customerId);
    });
    return mine;
  }

  private ackFailed(err: unknown, interactionId: string): void {
    // 40060: already acknowledged (a replayed dispatch); 10062: too late. The answer still counts.
    this.deps.logger.warn({ interactionId, err: err instanceof Error ? err.message : String(err) }, 'discord interaction response failed');
  }
}
