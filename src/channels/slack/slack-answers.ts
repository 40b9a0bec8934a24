/**
 * Customers' answers, handed to the engine: a score button pressed (in the DM or, after
 * a fallback, in the care thread), a reply typed in the DM, or a reply typed in a care
 * thread where the bot asked because the DM was refused. Everything else — the bot's
 * own messages, other bots, edits, deletions, joins — is not an answer.
 *
 * A typed answer is acknowledged to Slack only once the engine stored it (see
 * slack-receiver.ts); a button press, which Slack never redelivers, shows the chosen
 * score only once it is stored, and otherwise asks the customer to press again.
 *
 * Each answer carries an event id that is the same on every redelivery of the same
 * Slack message (`channel:ts`), so a retried event is one answer.
 */
import type { EngineSink, ReplyOutcome } from '../../conversation/channel-contract/channel.ts';
import type { Logger } from '../../logger.ts';
import type { SlackApi } from './slack-api.ts';
import { answeredBlocks, decodeButtonValue, questionTextOf, SCORE_ACTION } from './slack-blocks.ts';
import { slackErrorCode } from './slack-errors.ts';
import type { FallbackThreads } from './slack-fallback-threads.ts';
import { WRITTEN_SUBTYPES, type BlockActions, type MessageEvent } from './slack-payloads.ts';
import type { SlackSettings } from './slack-settings.ts';

export interface AnswerDeps {
  api: SlackApi;
  settings: SlackSettings;
  sink: EngineSink;
  logger: Logger;
  threads: FallbackThreads;
  botUserId: () => string | undefined;
}

/** Shown only to the customer when a pressed score could not be stored. */
export const NOT_RECORDED = 'Sorry, we could not record your answer just now. Please press it again in a moment.';

/** What the channel learns about one press while the engine handles it. */
export interface ButtonPress {
  onStored?: (outcome: ReplyOutcome) => void;
  toldAgain?: () => boolean;
}

export class SlackAnswers {
  constructor(private readonly deps: AnswerDeps) {}

  /** The press could not be stored (in time): the customer is asked, in a note only they see, to press again. */
  async askToPressAgain(body: BlockActions): Promise<void> {
    const channel = body.container?.channel_id ?? body.channel?.id;
    if (!channel) return;
    await this.deps.api.postEphemeral(channel, body.user.id, NOT_RECORDED, body.message?.thread_ts)
      .catch((e) => this.deps.logger.debug({ err: slackErrorCode(e) }, 'slack ephemeral failed'));
  }

  /**
   * A score button: the engine gets the exact score; the question then shows it, without
   * buttons. `press.onStored` is told as soon as the score is stored (before its follow-up
   * goes); once `press.toldAgain()` the customer was already asked to press again.
   */
  async fromButton(body: BlockActions, press: ButtonPress = {}): Promise<ReplyOutcome | null> {
    const action = body.actions.find((a) => SCORE_ACTION.test(a.action_id));
    const value = action?.value ? decodeButtonValue(action.value) : null;
    if (!action || !value) return null;
    const channel = body.container?.channel_id ?? body.channel?.id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    if (body.user.id !== value.customerId) {
      // In a fallback thread anyone can see the buttons; only the customer's press counts.
      if (channel) {
        await this.deps.api.postEphemeral(channel, body.user.id, 'This question is for someone else.', body.message?.thread_ts)
          .catch((err) => this.deps.logger.debug({ err: slackErrorCode(err) }, 'slack ephemeral failed'));
      }
      return null;
    }
    let outcome: ReplyOutcome;
    try {
      outcome = await this.deps.sink.message({
        channel: 'slack',
        customerId: body.user.id,
        text: '',
        choice: value.score,
        surveyId: value.surveyId,
        eventId: `action:${channel ?? '-'}:${messageTs ?? '-'}:${action.action_ts ?? action.action_id}`,
        ...(press.onStored ? { onStored: press.onStored } : {}),
      });
    } catch (err) {
      // Slack does not redeliver a press: the buttons stay, and the customer is asked to press again.
      this.deps.logger.warn({ err: err instanceof Error ? err.name : 'error', code: slackErrorCode(err) }, 'slack button answer not stored; the customer is asked to try again');
      if (!press.toldAgain?.()) await this.askToPressAgain(body);
      return null;
    }
    if ((outcome.status === 'scored' || outcome.status === 'completed') && channel && messageTs) {
      const question = questionTextOf(body.message?.blocks) ?? '';
      await this.deps.api.update(channel, messageTs, `${question} (${value.score}/10)`.trim(), answeredBlocks(question, value.score))
        .catch((err) => this.deps.logger.warn({ err: slackErrorCode(err) }, 'slack chat.update of the answered question failed'));
    }
    return outcome;
  }

  /** A typed message: a DM to the bot, or a reply in a fallback thread by its customer. */
  async fromMessage(e: MessageEvent): Promise<ReplyOutcome | null> {
    if (e.subtype && !WRITTEN_SUBTYPES.has(e.subtype)) return null; // edits, deletions, joins, bot_message, …
    if (!e.user || e.bot_id || e.user === this.deps.botUserId()) return null;
    const text = e.text ?? '';
    const eventId = `msg:${e.channel}:${e.ts}`;
    if (e.channel_type === 'im') {
      return this.deps.sink.message({ channel: 'slack', customerId: e.user, text, eventId });
    }
    const threadTs = e.thread_ts;
    if (!threadTs || threadTs === e.ts) return null; // not a thread reply
    if (!this.deps.settings.threadFallback || !this.deps.settings.careChannels.has(e.channel)) return null;
    if (this.deps.settings.staffIds.has(e.user)) return null;
    // The customer is the root's author; Slack says who that is on thread replies.
    if (e.parent_user_id && e.parent_user_id !== e.user) return null;
    const survey = await this.deps.threads.surveyIn(e.channel, threadTs, e.user);
    if (!survey) return null;
    return this.deps.sink.message({ channel: 'slack', customerId: e.user, text, surveyId: survey, eventId });
  }
}
