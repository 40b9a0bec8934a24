/**
 * A small local stand-in for the Telegram Bot API (https://core.telegram.org/bots/api)
 * on 127.0.0.1, built from its documentation:
 *
 * - Requests are `POST /bot<token>/<method>` with a JSON body (or query parameters);
 *   answers are `{ok: true, result}` or `{ok: false, error_code, description,
 *   parameters?: {retry_after}}`. A wrong token is 401 "Unauthorized", an unknown
 *   method 404 "Not Found".
 * - `getMe`, `setWebhook` (url, `secret_token` of 1–256 characters `A-Za-z0-9_-`,
 *   `allowed_updates`), `deleteWebhook`, `getWebhookInfo`, `getUpdates` (offset
 *   confirms, `timeout` long-polls; 409 while a webhook is set), `sendMessage`,
 *   `answerCallbackQuery`, `editMessageReplyMarkup`, `getChatMember`.
 * - `sendMessage` checks what the docs say: text 1–4096 characters, an inline keyboard
 *   whose buttons have a text and `callback_data` of 1–64 bytes, a chat the bot may write
 *   to (a user who never started the bot: 403 "bot can't initiate conversation with a
 *   user"; blocked: 403 "bot was blocked by the user"; unknown: 400 "chat not found"), a
 *   forum topic that exists, a business connection that exists and is enabled, and a
 *   business chat with an incoming message in the last 24 hours (a message
 *   sent through it has the business account as `from` and the bot as
 *   `sender_business_bot`). With `perChatIntervalMs` set, a second message to one chat
 *   sooner than half that is 429 "Too Many Requests: retry after 1" (Telegram asks bots to
 *   keep to about one message a second per chat, and answers bursts with 429).
 * - Updates (private, business and group messages, taps on a sent message's buttons) are
 *   built by the helpers below and delivered to the webhook set with `setWebhook`, with
 *   `X-Telegram-Bot-Api-Secret-Token`, or queued for `getUpdates` when no webhook is set.
 *
 * Tests script failures with `failNext(method, {error_code, description, parameters})`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake } from './loopback-fake.ts';

export interface TgUser { id: number; is_bot: boolean; first_name: string; last_name?: string; username?: string; language_code?: string }
export interface TgChat { id: number; type: 'private' | 'group' | 'supergroup' | 'channel'; title?: string; first_name?: string; is_forum?: boolean }
export interface TgButton { text: string; callback_data?: string; url?: string }
export interface TgMessage {
  message_id: number;
  date: number;
  chat: TgChat;
  from?: TgUser;
  text?: string;
  reply_markup?: { inline_keyboard: TgButton[][] };
  message_thread_id?: number;
  is_topic_message?: boolean;
  business_connection_id?: string;
  sender_business_bot?: TgUser;
  reply_to_message?: TgMessage;
  forum_topic_created?: { name: string; icon_color: number };
}
export type TgUpdate = { update_id: number } & Record<string, unknown>;

export interface ApiFailure { error_code: number; description: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } }
export interface Attempt { method: string; chatId?: string; status: number; description?: string; /** When it arrived (ms since the epoch). */ at: number }

interface Group { chat: TgChat; admins: Set<number>; topics: Map<number, TgMessage> }
interface BusinessConnection { id: string; user: TgUser; user_chat_id: number; date: number; is_enabled: boolean; customers: Set<number>; lastIncoming: Map<number, number> }

export class FakeTelegramBotApi extends LoopbackFake {
  readonly bot: TgUser;
  /** Every message the bot sent, in order. */
  readonly sent: TgMessage[] = [];
  readonly attempts: Attempt[] = [];
  /** Callback query ids the bot answered. */
  readonly answeredCallbacks: string[] = [];
  /** What the bot's webhook answered to each delivery this fake made. */
  readonly webhookAnswers: number[] = [];
  webhook: { url: string; secret?: string; allowed_updates?: string[] } | null = null;
  /** 0: no per-chat flood limit. */
  perChatIntervalMs = 0;
  private readonly users = new Map<number, TgUser>();
  private readonly started = new Set<number>();
  private readonly blocked = new Set<number>();
  private readonly groups = new Map<number, Group>();
  private readonly business = new Map<string, BusinessConnection>();
  private readonly messages = new Map<string, TgMessage>();
  private readonly nextMessageId = new Map<number, number>();
  private readonly callbacks = new Map<string, { answered: boolean }>();
  private readonly lastSendAt = new Map<number, number>();
  private readonly failures = new Map<string, ApiFailure[]>();
  private readonly outages = new Map<string, ApiFailure>();
  private readonly queue: TgUpdate[] = [];
  private pollers: Array<() => void> = [];
  private nextUpdateId = 500_000;
  private nextUserId = 700_000_000;
  private nextCallback = 1;

  private constructor(readonly token: string, username: string) {
    super();
    this.bot = { id: Number(token.split(':')[0]), is_bot: true, first_name: 'Care survey', username };
  }

  static async start(opts: { token: string; username?: string }): Promise<FakeTelegramBotApi> {
    return new FakeTelegramBotApi(opts.token, opts.username ?? 'acme_care_bot').listen();
  }

  override async stop(): Promise<void> {
    for (const wake of this.pollers) wake();
    await super.stop();
  }

  failNext(method: string, ...failures: ApiFailure[]): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...failures]);
  }

  /** Every call of `method` fails so (after any scripted by failNext) until `restore(method)`. */
  failUntilRestored(method: string, failure: ApiFailure): void {
    this.outages.set(method, failure);
  }

  restore(method: string): void {
    this.outages.delete(method);
  }

  // ── the world: people, groups, business accounts ─────────────────────────────

  user(fields: Partial<TgUser> = {}): TgUser {
    const u: TgUser = { id: ++this.nextUserId, is_bot: false, first_name: 'Casey', ...fields };
    this.users.set(u.id, u);
    return u;
  }

  /** The user pressed Start (or wrote to the bot): the bot may now message them. */
  startChat(u: TgUser): void {
    this.started.add(u.id);
  }

  block(u: TgUser): void {
    this.blocked.add(u.id);
  }

  group(opts: { id: number; title: string; admins: TgUser[]; forum?: boolean }): TgChat {
    const chat: TgChat = { id: opts.id, type: 'supergroup', title: opts.title, ...(opts.forum ? { is_forum: true } : {}) };
    this.groups.set(opts.id, { chat, admins: new Set(opts.admins.map((a) => a.id)), topics: new Map() });
    return chat;
  }

  /** A business account connects the bot (Settings → Telegram Business → Chatbots). */
  connectBusiness(owner: TgUser): string {
    const id = `bc_${Buffer.from(String(owner.id)).toString('base64url')}${this.business.size}`;
    this.business.set(id, { id, user: owner, user_chat_id: owner.id, date: now(), is_enabled: true, customers: new Set(), lastIncoming: new Map() });
    return id;
  }

  disableBusiness(connectionId: string): void {
    const c = this.business.get(connectionId);
    if (c) c.is_enabled = false;
  }

  to(chatId: number): TgMessage[] {
    return this.sent.filter((m) => m.chat.id === chatId);
  }

  message(chatId: number, messageId: number): TgMessage | undefined {
    return this.messages.get(`${chatId}:${messageId}`);
  }

  // ── updates ──────────────────────────────────────────────────────────────────

  /** A user's message in their private chat with the bot. */
  privateMessage(from: TgUser, text: string): TgUpdate {
    this.started.add(from.id);
    const chat: TgChat = { id: from.id, type: 'private', first_name: from.first_name };
    return this.update({ message: this.store({ chat, from, text }) });
  }

  /** A message in a business account's chat with a customer; `from` is the customer or the business owner. */
  businessMessage(connectionId: string, customer: TgUser, from: TgUser, text: string, opts: { date?: number } = {}): TgUpdate {
    const c = this.business.get(connectionId);
    if (!c) throw new Error(`no business connection ${connectionId}`);
    const date = opts.date ?? now();
    if (from.id === customer.id) {
      c.customers.add(customer.id);
      c.lastIncoming.set(customer.id, date);
    }
    const chat: TgChat = { id: customer.id, type: 'private', first_name: customer.first_name };
    const message = this.store({ chat, from, text, business_connection_id: connectionId });
    message.date = date;
    return this.update({ business_message: message });
  }

  /** A customer opens a forum topic in a support group: the topic's first message. */
  openTopic(chatId: number, from: TgUser, name: string): { threadId: number; update: TgUpdate } {
    const g = this.groups.get(chatId)!;
    const created = this.store({ chat: g.chat, from, forum_topic_created: { name, icon_color: 7322096 } });
    created.message_thread_id = created.message_id;
    created.is_topic_message = true;
    g.topics.set(created.message_id, created);
    return { threadId: created.message_id, update: this.update({ message: created }) };
  }

  /** A message in a group; inside a topic it points at the topic's first message unless it replies to another. */
  groupMessage(chatId: number, from: TgUser, text: string, opts: { threadId?: number; replyTo?: TgMessage } = {}): TgUpdate {
    const g = this.groups.get(chatId)!;
    const topic = opts.threadId !== undefined ? g.topics.get(opts.threadId) : undefined;
    const replyTo = opts.replyTo ?? topic;
    return this.update({
      message: this.store({
        chat: g.chat, from, text,
        ...(topic ? { message_thread_id: topic.message_id, is_topic_message: true } : {}),
        ...(replyTo ? { reply_to_message: shallow(replyTo) } : {}),
      }),
    });
  }

  /** `from` taps the button labelled `label` on a message the bot sent. */
  tap(message: TgMessage, from: TgUser, label: string): TgUpdate {
    const current = this.messages.get(`${message.chat.id}:${message.message_id}`) ?? message;
    const button = current.reply_markup?.inline_keyboard.flat().find((b) => b.text === label);
    if (!button?.callback_data) throw new Error(`no button "${label}" on message ${message.message_id}`);
    const id = `${this.bot.id}${String(this.nextCallback++).padStart(6, '0')}`;
    this.callbacks.set(id, { answered: false });
    return this.update({
      callback_query: { id, from, message: current, chat_instance: `-${Math.abs(current.chat.id)}42`, data: button.callback_data },
    });
  }

  /** Deliver an update the way Telegram does: to the webhook with the secret header, or into the getUpdates queue. */
  async deliver(update: TgUpdate, opts: { secret?: string | null } = {}): Promise<Response> {
    if (!this.webhook) throw new Error('no webhook is set (call setWebhook first)');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const secret = opts.secret === undefined ? this.webhook.secret : opts.secret;
    if (secret !== undefined && secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
    const res = await fetch(this.webhook.url, { method: 'POST', headers, body: JSON.stringify(update) });
    this.webhookAnswers.push(res.status);
    return res;
  }

  /** Queue an update for getUpdates (long polling). */
  enqueue(update: TgUpdate): void {
    this.queue.push(update);
    for (const wake of this.pollers.splice(0)) wake();
  }

  queued(): number {
    return this.queue.length;
  }

  private update(body: Record<string, unknown>): TgUpdate {
    return { update_id: ++this.nextUpdateId, ...body };
  }

  private store(m: Omit<TgMessage, 'message_id' | 'date'>): TgMessage {
    const id = (this.nextMessageId.get(m.chat.id) ?? 0) + 1;
    this.nextMessageId.set(m.chat.id, id);
    const message: TgMessage = { message_id: id, date: now(), ...m };
    this.messages.set(`${m.chat.id}:${id}`, message);
    return message;
  }

  // ── the Bot API ──────────────────────────────────────────────────────────────

  protected async handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://api.telegram.local');
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return this.sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== this.token) return this.sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    let params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (raw) {
      try {
        params = { ...params, ...(JSON.parse(raw) as Record<string, unknown>) };
      } catch {
        return this.sendJson(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
      }
    }
    const method = m[2]!;
    const chatId = params.chat_id === undefined ? undefined : String(params.chat_id);
    const scripted = this.failures.get(method)?.shift() ?? this.outages.get(method);
    if (scripted) {
      this.attempts.push({ method, chatId, status: scripted.error_code, description: scripted.description, at: Date.now() });
      return this.sendJson(res, scripted.error_code, { ok: false, ...scripted });
    }
    const answer = await this.call(method, params);
    this.attempts.push({ method, chatId, status: answer.ok ? 200 : answer.error_code, description: answer.ok ? undefined : answer.description, at: Date.now() });
    this.sendJson(res, answer.ok ? 200 : answer.error_code, answer);
  }

  private async call(method: string, p: Record<string, unknown>): Promise<{ ok: true; result: unknown } | ({ ok: false } & ApiFailure)> {
    const ok = (result: unknown) => ({ ok: true as const, result });
    const bad = (description: string, error_code = 400, parameters?: ApiFailure['parameters']) => ({ ok: false as const, error_code, description, ...(parameters ? { parameters } : {}) });
    switch (method) {
      case 'getMe':
        return ok({ ...this.bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: true });
      case 'setWebhook': {
        if (typeof p.url !== 'string') return bad('Bad Request: bad webhook: URL must be provided');
        if (p.url === '') { this.webhook = null; return ok(true); }
        const secret = p.secret_token;
        if (secret !== undefined && (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))) return bad('Bad Request: secret token contains unallowed characters');
        this.webhook = { url: p.url, secret: secret as string | undefined, allowed_updates: p.allowed_updates as string[] | undefined };
        return ok(true);
      }
      case 'deleteWebhook':
        this.webhook = null;
        if (p.drop_pending_updates === true) this.queue.length = 0;
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.length });
      case 'getUpdates':
        return this.getUpdates(p);
      case 'sendMessage':
        return this.sendMessage(p);
      case 'answerCallbackQuery': {
        const q = this.callbacks.get(String(p.callback_query_id));
        if (!q || q.answered) return bad('Bad Request: query is too old and response timeout expired or query ID is invalid');
        q.answered = true;
        this.answeredCallbacks.push(String(p.callback_query_id));
        return ok(true);
      }
      case 'editMessageReplyMarkup': {
        const message = this.messages.get(`${String(p.chat_id)}:${String(p.message_id)}`);
        if (!message || message.from?.id !== (message.business_connection_id ? this.business.get(message.business_connection_id)?.user.id : this.bot.id)) {
          return bad('Bad Request: message to edit not found');
        }
        if (message.business_connection_id && p.business_connection_id !== message.business_connection_id) return bad('Bad Request: message to edit not found');
        const markup = p.reply_markup as TgMessage['reply_markup'];
        const problem = checkKeyboard(markup);
        if (problem) return bad(problem);
        if (JSON.stringify(markup) === JSON.stringify(message.reply_markup)) {
          return bad('Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        message.reply_markup = markup;
        return ok(message);
      }
      case 'getChatMember': {
        const g = this.groups.get(Number(p.chat_id));
        if (!g) return bad('Bad Request: chat not found');
        const user = this.users.get(Number(p.user_id));
        if (!user) return bad('Bad Request: user not found');
        return ok({ status: g.admins.has(user.id) ? 'administrator' : 'member', user });
      }
      default:
        return { ok: false, error_code: 404, description: 'Not Found' };
    }
  }

  private async getUpdates(p: Record<string, unknown>) {
    if (this.webhook) return { ok: false as const, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" };
    const offset = typeof p.offset === 'number' ? p.offset : Number(p.offset ?? 0);
    if (offset > 0) while (this.queue.length > 0 && this.queue[0]!.update_id < offset) this.queue.shift();
    const timeout = Math.min(Number(p.timeout ?? 0), 50);
    if (this.queue.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeout * 1000);
        this.pollers.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    return { ok: true as const, result: this.queue.slice(0, Number(p.limit ?? 100)) };
  }

  private sendMessage(p: Record<string, unknown>) {
    const bad = (description: string, error_code = 400, parameters?: ApiFailure['parameters']) => ({ ok: false as const, error_code, description, ...(parameters ? { parameters } : {}) });
    const chatId = Number(p.chat_id);
    if (!Number.isSafeInteger(chatId)) return bad('Bad Request: chat not found');
    const text = p.text;
    if (typeof text !== 'string' || text.trim() === '') return bad('Bad Request: message text is empty');
    if (text.length > 4096) return bad('Bad Request: message is too long');
    const markup = p.reply_markup as TgMessage['reply_markup'] | undefined;
    const problem = markup === undefined ? null : checkKeyboard(markup);
    if (problem) return bad(problem);

    let chat: TgChat;
    let from: TgUser = this.bot;
    let businessBot: TgUser | undefined;
    let thread: number | undefined;
    const connectionId = p.business_connection_id;
    if (connectionId !== undefined) {
      const c = this.business.get(String(connectionId));
      // The exact wording for a disabled connection is not documented; Telegram's own error names are upper case.
      if (!c || !c.is_enabled) return bad('Bad Request: BUSINESS_CONNECTION_INVALID');
      if (!c.customers.has(chatId)) return bad('Bad Request: chat not found');
      // BusinessBotRights.can_reply: only chats with an incoming message in the last 24 hours (the wording here is ours).
      if (now() - (c.lastIncoming.get(chatId) ?? 0) > 24 * 3600) return bad('Forbidden: no incoming message in this business chat in the last 24 hours', 403);
      chat = { id: chatId, type: 'private', first_name: this.users.get(chatId)?.first_name };
      from = c.user;
      businessBot = this.bot;
    } else if (chatId > 0) {
      const user = this.users.get(chatId);
      if (!user) return bad('Bad Request: chat not found');
      if (this.blocked.has(chatId)) return bad('Forbidden: bot was blocked by the user', 403);
      if (!this.started.has(chatId)) return bad("Forbidden: bot can't initiate conversation with a user", 403);
      chat = { id: chatId, type: 'private', first_name: user.first_name };
    } else {
      const g = this.groups.get(chatId);
      if (!g) return bad('Bad Request: chat not found');
      chat = g.chat;
      if (p.message_thread_id !== undefined) {
        thread = Number(p.message_thread_id);
        if (!g.topics.has(thread)) return bad('Bad Request: message thread not found');
      }
    }
    const replyTo = (p.reply_parameters as { message_id?: number; allow_sending_without_reply?: boolean } | undefined);
    if (replyTo?.message_id !== undefined && !this.messages.has(`${chatId}:${replyTo.message_id}`) && !replyTo.allow_sending_without_reply) {
      return bad('Bad Request: message to be replied not found');
    }
    if (this.perChatIntervalMs > 0) {
      const last = this.lastSendAt.get(chatId);
      // Half the interval: room for requests that took different times to get here; a burst has no gap at all.
      if (last !== undefined && Date.now() - last < this.perChatIntervalMs / 2) return bad('Too Many Requests: retry after 1', 429, { retry_after: 1 });
      this.lastSendAt.set(chatId, Date.now());
    }
    const message = this.store({
      chat, from, text,
      ...(markup ? { reply_markup: markup } : {}),
      ...(thread !== undefined ? { message_thread_id: thread, is_topic_message: true } : {}),
      ...(connectionId !== undefined ? { business_connection_id: String(connectionId), sender_business_bot: businessBot } : {}),
      ...(replyTo?.message_id !== undefined && this.messages.has(`${chatId}:${replyTo.message_id}`) ? { reply_to_message: shallow(this.messages.get(`${chatId}:${replyTo.message_id}`)!) } : {}),
    });
    this.sent.push(message);
    return { ok: true as const, result: message };
  }
}

function checkKeyboard(markup: TgMessage['reply_markup'] | undefined): string | null {
  const rows = markup?.inline_keyboard;
  if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) return "Bad Request: can't parse inline keyboard button: InlineKeyboardMarkup must be an Array of Arrays";
  for (const b of rows.flat()) {
    if (typeof b.text !== 'string' || b.text === '') return 'Bad Request: BUTTON_TEXT_INVALID';
    if (b.callback_data !== undefined) {
      const bytes = Buffer.byteLength(String(b.callback_data), 'utf8');
      if (bytes < 1 || bytes > 64) return 'Bad Request: BUTTON_DATA_INVALID';
    } else if (b.url === undefined) {
      return "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";
    }
  }
  return null;
}

/** A message as it appears inside another (`reply_to_message` is not nested further). */
function shallow(m: TgMessage): TgMessage {
  const { reply_to_message: _omit, ...rest } = m;
  return rest;
}

const now = () => Math.floor(Date.now() / 1000);
