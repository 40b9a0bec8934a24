/**
 * The Telegram channel, on grammY. Updates come in on our Express port
 * (`/telegram/webhook`, grammY's `handleUpdate`) or, for local runs, by grammY's long
 * polling; every update is checked with zod first (telegram-update.ts). Calls go out
 * through grammY's `Api` to TELEGRAM_API_ROOT (a local fake in tests).
 *
 * - **Asking**: `sendMessage` with an inline keyboard 0–10 in two rows, in the customer's
 *   private chat with the bot, inside a Telegram Business chat as the business
 *   (`business_connection_id` in the survey's address), or in a support group's topic.
 * - **Answers**: a tap (`callback_query`, answered with `answerCallbackQuery`, the
 *   keyboard replaced by "✅ 9/10") or a typed message. The business's own messages in a
 *   business chat, bots, and commands are never answers.
 * - **Resolutions**: `POST /api/resolutions` (with `address.business_connection_id` to ask
 *   in a business chat), or an agent's `/resolve` (telegram-resolve-command.ts).
 * - **Limits**: 30 messages a second for the channel (the outbox's `rate`), one a second
 *   per chat (ChatPacer), a 429's `retry_after` handed to the outbox. A business chat
 *   whose customer has not written for 24 hours is a closed window (telegram-business-chats.ts).
 *
 * Canonical ids are Telegram's numeric user and chat ids, as decimal strings.
 */
import { Bot, type Api } from 'grammy';
import type { Update } from 'grammy/types';
import { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { ChannelAdapter, ChannelContext, Notice, OutgoingMessage, Recipient, SendReceipt } from '../../conversation/channel-contract/channel.ts';
import { PermanentSendError, WindowClosedError } from '../../conversation/channel-contract/send-errors.ts';
import { decodeScoreButton } from '../button-codec.ts';
import { RecentIds } from '../x/x-recent-ids.ts';
import { BUSINESS_REPLY_WINDOW_MS, BusinessChats } from './telegram-business-chats.ts';
import { ChatPacer } from './telegram-chat-pacer.ts';
import { telegramStartUpFailure, toSendError } from './telegram-errors.ts';
import { retryStartUp, type StartUpBackoff } from '../start-up-retry.ts';
import { BackgroundStartUp, type StartUpTries } from '../background-start-up.ts';
import { ANSWERED_DATA, answeredKeyboard, scoreKeyboard, telegramText, type InlineKeyboard } from './telegram-question.ts';
import { isResolveCommand, resolveInBusinessChat, resolveInGroup, type ResolveDecision } from './telegram-resolve-command.ts';
import { chatId, type TelegramSettings } from './telegram-settings.ts';
import { updateSchema, type TelegramCallbackQuery, type TelegramMessage, type TelegramUpdate } from './telegram-update.ts';
import { mountTelegramWebhook, TELEGRAM_WEBHOOK_PATH } from './telegram-webhook-routes.ts';

export const TELEGRAM_CHANNEL = 'telegram';

/** The update kinds the channel reads (give the same list to setWebhook). */
export const ALLOWED_UPDATES = ['message', 'business_message', 'callback_query'] as const;

const USER_ID = /^\d{1,20}$/;

const addressSchema = z.object({
  chat_id: chatId.optional(),
  message_thread_id: z.string().regex(/^\d{1,20}$/).optional(),
  reply_to_message_id: z.string().regex(/^\d{1,20}$/).optional(),
  business_connection_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'expected a business_connection_id').optional(),
});

type SendOptions = Parameters<Api['sendMessage']>[2];

export interface TelegramChannelOptions {
  /** Waits between getMe tries at start-up (tests make them short). */
  startUpBackoff?: Partial<StartUpBackoff>;
  /** How long start-up waits for the first getMe before going on without it (default 15 s). */
  startUpForegroundMs?: number;
}

export class TelegramChannel implements ChannelAdapter {
  readonly name = TELEGRAM_CHANNEL;
  readonly rate: { perSecond: number; concurrent: number };
  private readonly bot: Bot;
  private readonly pacer: ChatPacer;
  private readonly handled = new RecentIds(10_000);
  private ctx: ChannelContext | null = null;
  private businessChats: BusinessChats | null = null;
  private log: Logger;
  private polling: Promise<void> | null = null;
  /** getMe, tried again in the background while Telegram fails (sends wait until it answers). */
  private readonly startUp: BackgroundStartUp;

  constructor(private readonly settings: TelegramSettings, logger: Logger, private readonly options: TelegramChannelOptions = {}) {
    this.log = logger;
    this.rate = { perSecond: settings.ratePerSecond, concurrent: 8 };
    this.pacer = new ChatPacer(settings.chatIntervalMs);
    this.startUp = new BackgroundStartUp({ channel: TELEGRAM_CHANNEL, logger, backoff: options.startUpBackoff, foregroundMs: options.startUpForegroundMs });
    // Long polling holds getUpdates open for 30 s: the client's timeout must outlast it.
    const timeoutSeconds = settings.mode === 'polling' ? Math.max(45, settings.timeoutSeconds) : settings.timeoutSeconds;
    this.bot = new Bot(settings.token, { client: { apiRoot: settings.apiRoot, timeoutSeconds } });
    this.bot.use(async (ctx) => {
      const parsed = updateSchema.safeParse(ctx.update);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        this.log.warn({ field: issue.path.map(String).join('.'), problem: issue.message }, 'telegram: an update we cannot read was skipped');
        return;
      }
      await this.onUpdate(parsed.data);
    });
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
    this.log = ctx.logger;
    this.businessChats = new BusinessChats(ctx.state);
    if (this.settings.mode === 'webhook') {
      mountTelegramWebhook(ctx.http, {
        secret: this.settings.webhookSecret!,
        bodyLimitBytes: this.settings.bodyLimitBytes,
        logger: ctx.logger,
        onUpdate: async (update) => {
          // Until getMe has answered, updates are refused (500) and Telegram delivers them again.
          if (!this.bot.isInited()) throw new Error('telegram: the bot has not reached the Bot API yet');
          await this.bot.handleUpdate(update as unknown as Update).catch((err: unknown) => {
            // grammY wraps what the handler threw; the route answers 500 and Telegram delivers again.
            throw (err as { error?: unknown }).error ?? err;
          });
        },
      });
    }
    await this.startUp.run((tries) => this.connect(tries));
  }

  async stop(): Promise<void> {
    await this.startUp.stop();
    if (this.polling) {
      await this.bot.stop().catch(() => {});
      await this.polling;
      this.polling = null;
    }
  }

  /**
   * getMe (our own, not bot.init(), which retries a 5xx or no answer for ever and would
   * hold start-up). A wrong token stops the bot with a clear line; Telegram being
   * unreachable does not stop the other channels: after a failure that passes, start()
   * returns and getMe is tried again in the background (background-start-up.ts) while
   * updates are refused (500) for Telegram to deliver again, and sends are told to come
   * back later, as Discord's and Slack's are.
   */
  private async connect(tries: StartUpTries): Promise<void> {
    this.bot.botInfo = await retryStartUp(() => this.bot.api.getMe(), {
      what: 'telegram: getMe', classify: telegramStartUpFailure, logger: this.log, ...tries,
    });
    if (!tries.signal.aborted) this.started();
  }

  private started(): void {
    if (this.settings.mode === 'webhook') {
      this.log.info({ webhook: TELEGRAM_WEBHOOK_PATH, bot: this.bot.botInfo.username }, 'telegram channel on (webhook)');
      return;
    }
    this.bot.catch((err) => {
      // Long polling moves past an update whose handling failed: say so (see docs/telegram.md).
      this.log.error({ err: (err.error as Error)?.message ?? String(err.error), updateId: err.ctx.update.update_id }, 'telegram: an update was not handled');
    });
    this.polling = this.bot.start({ allowed_updates: [...ALLOWED_UPDATES] }).catch((err: unknown) => {
      this.log.error({ err: (err as Error).message }, 'telegram: long polling stopped');
    });
    this.log.info({ bot: this.bot.botInfo.username }, 'telegram channel on (long polling)');
  }

  /** Started, but getMe has not answered yet (Telegram was down at start-up). */
  connecting(): boolean {
    return this.startUp.connection === 'connecting';
  }

  /** A Telegram Business chat: the business bot may write only within 24 hours of the customer's last message; a bot's own chat has no window. */
  messagingWindowMs(to: Recipient): number | null {
    return to.address?.business_connection_id ? BUSINESS_REPLY_WINDOW_MS : null;
  }

  async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    // getMe not answered yet (Telegram down at start-up): a wait with a retry-after, not a failed attempt.
    if (!this.startUp.connected) throw this.startUp.notConnected();
    if (!USER_ID.test(to.customerId)) {
      throw new PermanentSendError('the customer id is not a Telegram user id (expected the numeric id)', 'telegram-bad-recipient');
    }
    const parsed = addressSchema.safeParse(to.address ?? {});
    if (!parsed.success) throw new PermanentSendError(`telegram: the survey's address is not one Telegram can use (${parsed.error.issues[0]!.message})`, 'telegram-bad-address');
    const a = parsed.data;
    const chat = a.chat_id ?? to.customerId;
    if (a.business_connection_id && (message.kind === 'question' || message.kind === 'reprompt') && this.businessChats && !(await this.businessChats.mayWrite(chat))) {
      throw new WindowClosedError('telegram: the customer has not written in this business chat for 24 hours; Telegram lets a business bot reply only within that');
    }
    let keyboard: InlineKeyboard | undefined;
    if (message.choices?.length) {
      try {
        keyboard = scoreKeyboard(to.surveyId, message.choices);
      } catch (err) {
        throw new PermanentSendError(`telegram: cannot offer these choices as buttons: ${(err as Error).message}`, 'telegram-keyboard');
      }
    }
    const sent = await this.deliver(chat, message.text, {
      ...(keyboard ? { reply_markup: keyboard } : {}),
      ...(a.message_thread_id ? { message_thread_id: Number(a.message_thread_id) } : {}),
      ...(a.reply_to_message_id ? { reply_parameters: { message_id: Number(a.reply_to_message_id), allow_sending_without_reply: true } } : {}),
      ...(a.business_connection_id ? { business_connection_id: a.business_connection_id } : {}),
    });
    return { messageId: String(sent) };
  }

  /** A notice for managers goes to a chat (a group's id, e.g. ALERT_TARGET=telegram:-1001234567890). */
  async post(channelId: string, notice: Notice): Promise<void> {
    if (!this.startUp.connected) throw this.startUp.notConnected();
    if (!chatId.safeParse(channelId).success) throw new PermanentSendError('the notice target is not a Telegram chat id', 'telegram-bad-chat');
    const fields = Object.entries(notice.fields ?? {}).map(([k, v]) => `${k}: ${v}`);
    await this.deliver(channelId, [notice.text, ...fields].join('\n'), {});
  }

  /** One sendMessage, paced per chat; the message id, or the outbox's error. */
  private async deliver(chat: string, text: string, other: NonNullable<SendOptions>): Promise<number> {
    await this.pacer.wait(chat);
    try {
      const sent = await this.bot.api.sendMessage(chat, telegramText(text), { link_preview_options: { is_disabled: true }, ...other });
      return sent.message_id;
    } catch (err) {
      throw toSendError(err, 'sendMessage');
    }
  }

  private async onUpdate(u: TelegramUpdate): Promise<void> {
    const key = String(u.update_id);
    if (this.handled.has(key)) return; // delivered again after it was handled: the engine would drop it anyway
    if (u.callback_query) await this.onCallback(u.callback_query);
    else if (u.message) await this.onMessage(u.message, false);
    else if (u.business_message) await this.onMessage(u.business_message, true);
    this.handled.add(key);
  }

  private async onMessage(m: TelegramMessage, business: boolean): Promise<void> {
    const type = m.chat.type;
    const group = type === 'group' || type === 'supergroup';
    if (business ? type !== 'private' || !m.business_connection_id : !(type === 'private' || (group && this.settings.supportChatIds.has(String(m.chat.id))))) return;
    const text = m.text ?? m.caption ?? '';
    if (isResolveCommand(text.trim(), this.bot.botInfo.username)) {
      await this.onResolve(m, business, group);
      return;
    }
    const from = m.from;
    // Bots, the business's own messages in its customer's chat, commands (/start) and stickers are not answers.
    if (!from || from.is_bot || m.sender_business_bot || m.sender_chat) return;
    if (business && from.id !== m.chat.id) return;
    // Any message of the customer's (a sticker too) opens Telegram's 24 hours for the business bot.
    if (business) await this.businessChats!.customerWrote(from.id, from.language_code, (m.date ?? Math.floor(Date.now() / 1000)) * 1000);
    if (text.trim() === '' || text.trimStart().startsWith('/')) return;
    const outcome = await this.ctx!.sink.message({ channel: this.name, customerId: String(from.id), text, eventId: `message:${m.chat.id}:${m.message_id}` });
    this.log.debug({ status: outcome.status }, 'telegram: customer message handled');
  }

  private async onResolve(m: TelegramMessage, business: boolean, group: boolean): Promise<void> {
    let decision: ResolveDecision;
    if (business) decision = resolveInBusinessChat(this.name, m, (await this.businessChats!.recall(m.chat.id))?.lang);
    else if (group) decision = resolveInGroup(this.name, m, m.from && !m.sender_chat ? await this.isAdmin(m.chat.id, m.from.id) : false);
    else return; // a private chat with the bot has no agent in it
    if (decision.kind === 'refuse') {
      if (decision.reply && group) await this.replyInGroup(m, decision.reply);
      return;
    }
    const outcome = await this.ctx!.sink.resolved(decision.event);
    this.log.info({ surveyId: outcome.surveyId, status: outcome.status, trigger: business ? 'business' : 'group' }, 'telegram: conversation resolved');
    if (group && outcome.status === 'duplicate') await this.replyInGroup(m, 'This conversation was already resolved; the customer is asked only once.');
  }

  private async onCallback(cq: TelegramCallbackQuery): Promise<void> {
    const tapped = cq.data === ANSWERED_DATA ? null : decodeScoreButton('telegram', cq.data);
    if (!tapped) {
      await this.answerCallback(cq.id);
      return;
    }
    const outcome = await this.ctx!.sink.message({
      channel: this.name, customerId: String(cq.from.id), text: '', choice: tapped.score, surveyId: tapped.surveyId, eventId: `callback:${cq.id}`,
    });
    this.log.debug({ status: outcome.status }, 'telegram: button tap handled');
    await this.answerCallback(cq.id);
    const taken = outcome.status === 'scored' || outcome.status === 'completed';
    if (!taken || !cq.message) return;
    try {
      await this.bot.api.editMessageReplyMarkup(cq.message.chat.id, cq.message.message_id, {
        reply_markup: answeredKeyboard(outcome.score ?? tapped.score),
        ...(cq.message.business_connection_id ? { business_connection_id: cq.message.business_connection_id } : {}),
      });
    } catch (err) {
      // The answer is recorded; an old keyboard left in place is cosmetic.
      this.log.debug({ err: toSendError(err, 'editMessageReplyMarkup').message }, 'telegram: the keyboard was not replaced');
    }
  }

  private async answerCallback(id: string): Promise<void> {
    await this.bot.api.answerCallbackQuery(id).catch((err: unknown) => {
      this.log.debug({ err: toSendError(err, 'answerCallbackQuery').message }, 'telegram: callback query not answered');
    });
  }

  private async replyInGroup(m: TelegramMessage, text: string): Promise<void> {
    try {
      await this.deliver(String(m.chat.id), text, {
        ...(m.is_topic_message && m.message_thread_id !== undefined ? { message_thread_id: m.message_thread_id } : {}),
        reply_parameters: { message_id: m.message_id, allow_sending_without_reply: true },
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'telegram: could not answer /resolve in the group');
    }
  }

  private async isAdmin(chat: number, user: number): Promise<boolean> {
    try {
      const member = await this.bot.api.getChatMember(chat, user);
      return member.status === 'creator' || member.status === 'administrator';
    } catch (err) {
      this.log.warn({ err: toSendError(err, 'getChatMember').message }, 'telegram: could not check whether /resolve came from an administrator');
      return false;
    }
  }
}
