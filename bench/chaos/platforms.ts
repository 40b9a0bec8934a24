/**
 * The four platforms of the run, each driven the way the platform itself behaves:
 * webhook (the chat system POSTs to the bot's API), Slack (signed Events API and
 * interaction POSTs, redelivered with X-Slack-Retry-Num on failure), X (signed Account
 * Activity POSTs, redelivered on failure) and Discord (gateway dispatches to the shard
 * that holds the server or DMs; a button press counts once the bot acknowledged it).
 * Every delivery goes to a bot process the platform can reach; a failed one is
 * delivered again to any process, a bounded number of times.
 */
import { API_TOKEN, type BotPool } from './bot-pool.ts';
import type { Rng } from './fuzz.ts';
import { WebhookReceiver } from '../../test/fakes/webhook-receiver.ts';
import { FakeSlack, BOT_TOKEN } from '../../test/fakes/slack-web-api.ts';
import { buttonPress, dmMessage, reactionAdded, sign, SIGNING_SECRET, type SlackPost } from '../../test/fakes/slack-events.ts';
import { FakeXApi, signActivity } from '../../test/fakes/x-api.ts';
import { SlidingWindowLimit } from '../../test/fakes/sliding-window-limit.ts';
import { FakeDiscord } from '../../test/fakes/discord-fake.ts';
import { Intent } from '../../test/fakes/discord-gateway.ts';
import { buildSupportServer, TEST_DISCORD_TOKEN, type SupportServer } from '../../test/fakes/discord-support-server.ts';
import type { MessageJson } from '../../test/fakes/discord-world.ts';
import { sleep } from './processes.ts';

export type PlatformName = 'webhook' | 'slack' | 'discord' | 'x';
export type MessageKind = 'question' | 'reprompt' | 'followup' | 'thanks' | 'optout' | 'other';

export interface BotMessage { kind: MessageKind; text: string; seenAt: number; buttons: Array<{ score: number; ref: string }> }

/** One care conversation and its customer, as the run knows them. */
export interface Conversation {
  platform: PlatformName;
  index: number;
  /** The survey's (channel, conversationId). */
  conversationId: string;
  customerId: string;
  /** Platform details (Slack root ts, Discord thread id, …). */
  ref: Record<string, string>;
  /** What the bot sent the customer, in order, with when the run first saw it. */
  messages: BotMessage[];
}

export interface DeliveryResult { accepted: boolean; status: number; attempts: number; body?: string }

export function kindOf(text: string): MessageKind {
  if (/how likely is it/i.test(text)) return 'question';
  if (/did not catch/i.test(text)) return 'reprompt';
  if (/main reason/i.test(text)) return 'followup';
  if (/thanks a lot/i.test(text)) return 'thanks';
  if (/will not send you/i.test(text)) return 'optout';
  return 'other';
}

const SLACK_CARE = 'CCHAOS001';
const SLACK_AGENT = 'UCHAOSAGT';
export const X_CREDS = {
  consumerKey: 'chaos-x-consumer-key',
  consumerSecret: 'chaos-x-consumer-secret-0123456789',
  accessToken: '4400-chaos-brand-access-token',
  accessTokenSecret: 'chaos-x-access-token-secret',
  brandUserId: '4400',
};
export const WEBHOOK_SECRET = 'chaos-webhook-secret-0123456789';

interface HttpRequest { path: string; headers: Record<string, string>; body: string }

/** The simulators, started in this process, and the platform-side behaviour of each. */
export class Platforms {
  receiver!: WebhookReceiver;
  slack!: FakeSlack;
  x!: FakeXApi;
  discord!: FakeDiscord;
  support!: SupportServer;
  /** Counters of what each platform did (redeliveries, refusals, …). */
  readonly stats: Record<string, number> = {};
  private slackTs = 1_800_000_000;
  private webhookCursor = 0;
  private webhookMessages = 0;
  private xCursor = 0;
  private readonly byCustomer = new Map<string, Conversation>();
  private readonly discordDm = new Map<string, string>();

  constructor(private readonly bots: BotPool, private readonly rng: Rng) {}

  async start(): Promise<void> {
    this.receiver = await new WebhookReceiver(WEBHOOK_SECRET).start();
    this.slack = await new FakeSlack().start();
    this.slack.addUser({ id: SLACK_AGENT, real_name: 'Sam Agent', locale: 'en-US' });
    this.x = await FakeXApi.start(X_CREDS);
    // X's documented DM limit, enforced like the other platforms' limits.
    this.x.dmLimit = new SlidingWindowLimit(200, 15 * 60_000);
    this.discord = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
    this.support = buildSupportServer(this.discord);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.receiver?.stop(), this.slack?.close(), this.x?.stop(), this.discord?.stop()]);
  }

  /** The shard (0 or 1) that holds the Discord server: (guild_id >> 22) % 2. */
  get discordGuildShard(): number {
    return Number((BigInt(this.support.guildId) >> 22n) % 2n);
  }

  /** Settings every bot process gets to reach the simulators. */
  botEnv(): Record<string, string> {
    return {
      WEBHOOK_OUTBOUND_URL: this.receiver.url,
      WEBHOOK_SECRET,
      WEBHOOK_RATE_PER_SECOND: '50',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: this.slack.apiUrl,
      SLACK_CARE_CHANNELS: SLACK_CARE,
      SLACK_STAFF_IDS: SLACK_AGENT,
      SLACK_RATE_PER_SECOND: '30',
      X_CONSUMER_KEY: X_CREDS.consumerKey,
      X_CONSUMER_SECRET: X_CREDS.consumerSecret,
      X_ACCESS_TOKEN: X_CREDS.accessToken,
      X_ACCESS_TOKEN_SECRET: X_CREDS.accessTokenSecret,
      X_BRAND_USER_ID: X_CREDS.brandUserId,
      X_API_URL: `${this.x.url}/1.1/`,
      X_DM_PER_DAY_APP: '1000000',
      X_DM_PER_DAY_USER: '1000000',
      ...this.support.env({ DISCORD_RATE_PER_SECOND: '30', DISCORD_THREAD_FALLBACK: 'false' }),
    };
  }

  private count(key: string, n = 1): void {
    this.stats[key] = (this.stats[key] ?? 0) + n;
  }

  // ── conversations ───────────────────────────────────────────────────────────

  newConversation(platform: PlatformName, index: number): Conversation {
    let conv: Conversation;
    switch (platform) {
      case 'webhook':
        conv = { platform, index, conversationId: `chaos-w-${index}`, customerId: `chaos-wc-${index}`, ref: {}, messages: [] };
        break;
      case 'x':
        conv = { platform, index, conversationId: `chaos-x-${index}`, customerId: String(7_000_000 + index), ref: {}, messages: [] };
        break;
      case 'slack': {
        const customerId = `UC${String(index).padStart(7, '0')}`;
        this.slack.addUser({ id: customerId, real_name: `Customer ${index}`, locale: 'en-US' });
        const root = this.slack.say(SLACK_CARE, customerId, 'My order never arrived');
        this.slack.say(SLACK_CARE, SLACK_AGENT, 'Sorry! Resent it today.', root);
        conv = { platform, index, conversationId: `${SLACK_CARE}:${root}`, customerId, ref: { root }, messages: [] };
        break;
      }
      case 'discord': {
        const customer = this.support.customer(`Customer ${index}`);
        const thread = this.discord.openThread(this.support.forum.id, customer.id, `Problem ${index}`, 'Something is broken');
        this.discord.post(thread.id, this.support.agent.id, 'Fixed, please try again');
        conv = { platform, index, conversationId: thread.id, customerId: customer.id, ref: { thread: thread.id }, messages: [] };
        this.discordDm.set(customer.id, this.discord.world.dmChannelFor(customer.id).id);
        break;
      }
    }
    this.byCustomer.set(`${platform}:${conv.customerId}`, conv);
    return conv;
  }

  /** Deliver the resolution once (delivery `n` of 3); true when the platform saw it accepted. */
  async resolve(conv: Conversation, n: number): Promise<boolean> {
    switch (conv.platform) {
      case 'webhook':
      case 'x': {
        const body = JSON.stringify({
          channel: conv.platform, conversationId: conv.conversationId,
          customer: { id: conv.customerId, name: `Customer ${conv.index}` }, agent: { id: `agent-${conv.index % 7}`, name: 'Agent' },
        });
        const r = await this.deliver({ path: '/api/resolutions', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body });
        return r.accepted;
      }
      case 'slack': {
        // Slack redelivers the same event (same event_id) with X-Slack-Retry-Num.
        const post = conv.ref.reaction ? JSON.parse(conv.ref.reaction) as SlackPost : reactionAdded(SLACK_AGENT, 'white_check_mark', SLACK_CARE, conv.ref.root!, conv.customerId);
        conv.ref.reaction = JSON.stringify({ body: post.body, contentType: post.contentType });
        return (await this.deliverSlack(post, n)).accepted;
      }
      case 'discord': {
        // A staff member archives the thread; Discord's dispatch is then delivered twice more.
        if (n === 0) {
          await this.discordConnected(this.discordGuildShard);
          this.discord.changeThread(conv.ref.thread!, { archived: true }, this.support.agent.id);
          conv.ref.update = JSON.stringify(this.discord.gateway.lastDispatchOf('THREAD_UPDATE', this.discordGuildShard)?.d ?? null);
          return this.discordReceived(this.discordGuildShard);
        }
        const d = JSON.parse(conv.ref.update ?? 'null') as unknown;
        if (d === null) return false;
        return this.dispatchDiscord(() => this.discord.gateway.dispatch('THREAD_UPDATE', d, Intent.Guilds), this.discordGuildShard);
      }
    }
  }

  /** New bot messages to the customers of `convs` since the last look, stamped with now. */
  collect(convs: Iterable<Conversation>): void {
    const now = Date.now();
    const received = this.receiver.received;
    for (; this.webhookCursor < received.length; this.webhookCursor++) {
      const b = received[this.webhookCursor]!.body;
      const conv = this.byCustomer.get(`webhook:${String(b.customerId)}`);
      if (!conv) continue;
      const choices = Array.isArray(b.choices) ? b.choices as number[] : [];
      conv.messages.push({ kind: kindOf(String(b.text)), text: String(b.text), seenAt: now, buttons: choices.map((s) => ({ score: s, ref: String(s) })) });
    }
    const sent = this.x.sent;
    for (; this.xCursor < sent.length; this.xCursor++) {
      const m = sent[this.xCursor]!;
      const conv = this.byCustomer.get(`x:${m.recipientId}`);
      if (!conv) continue;
      conv.messages.push({
        kind: kindOf(m.text), text: m.text, seenAt: now,
        buttons: (m.quickReply ?? []).map((o) => ({ score: Number(o.label), ref: o.metadata ?? '' })),
      });
    }
    for (const conv of convs) {
      if (conv.platform === 'slack') {
        const list = this.slack.botMessages(this.slack.dmChannelOf(conv.customerId));
        for (let i = conv.messages.length; i < list.length; i++) {
          const m = list[i]!;
          conv.messages.push({ kind: kindOf(m.text ?? ''), text: m.text ?? '', seenAt: now, buttons: slackButtons(m.blocks).map((b) => ({ score: Number(b.text.text), ref: JSON.stringify({ ts: m.ts, action: b.action_id, value: b.value }) })) });
        }
      } else if (conv.platform === 'discord') {
        const dm = this.discordDm.get(conv.customerId)!;
        const list = (this.discord.world.messages.get(dm) ?? []).filter((m) => m.author.id === this.discord.world.bot.id);
        for (let i = conv.messages.length; i < list.length; i++) {
          const m = list[i]!;
          conv.messages.push({ kind: kindOf(m.content), text: m.content, seenAt: now, buttons: discordButtons(m).map((b) => ({ score: Number(b.label), ref: JSON.stringify({ id: m.id, custom: b.custom_id }) })) });
        }
      }
    }
  }

  /** The customer sends `text` (or presses the button of `button`); true when the platform saw it accepted. */
  async answer(conv: Conversation, reply: { text: string } | { button: { score: number; ref: string } }): Promise<DeliveryResult> {
    switch (conv.platform) {
      case 'webhook': {
        const text = 'text' in reply ? reply.text : String(reply.button.score);
        // The chat system's own message id, the same on every redelivery (README: what a chat system should send).
        const messageId = `chaos-msg-${conv.index}-${++this.webhookMessages}`;
        return this.deliver({ path: '/api/channels/webhook/messages', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ customerId: conv.customerId, text, messageId }) });
      }
      case 'x': {
        const payload = 'text' in reply
          ? this.x.customerDm(conv.customerId, reply.text)
          : this.x.customerDm(conv.customerId, String(reply.button.score), { quickReplyMetadata: reply.button.ref });
        return this.deliverX(payload);
      }
      case 'slack': {
        if ('text' in reply) return this.deliverSlack(dmMessage(conv.customerId, reply.text, this.nextSlackTs()), 0);
        const b = JSON.parse(reply.button.ref) as { ts: string; action: string; value: string };
        const question = this.slack.botMessages(this.slack.dmChannelOf(conv.customerId)).find((m) => m.ts === b.ts) ?? { ts: b.ts };
        // A press the bot could not store is answered with a note (only the customer sees it) to press again: they do.
        let r: DeliveryResult = { accepted: false, status: 0, attempts: 0 };
        for (let press = 0; press < 8; press++) {
          const since = this.slack.calls.length;
          r = await this.deliverSlack(buttonPress({ user: conv.customerId, channel: this.slack.dmChannelOf(conv.customerId), message: question, actionId: b.action, value: b.value }), 0);
          const toldAgain = this.slack.calls.slice(since).some((c) => c.method === 'chat.postEphemeral' && c.params.user === conv.customerId && /press it again/i.test(String(c.params.text ?? '')));
          if (!r.accepted || !toldAgain) return r;
          this.count('slackPressedAgain');
          await sleep(1000 + this.rng() * 2000);
        }
        return r;
      }
      case 'discord':
        return this.answerDiscord(conv, reply);
    }
  }

  // ── fuzz ────────────────────────────────────────────────────────────────────

  /** One fuzzed reply through a platform; returns the HTTP status (0: not delivered), or 200 for a gateway dispatch. */
  async fuzz(platform: PlatformName, customerId: string, text: string, rawBody?: string): Promise<number> {
    switch (platform) {
      case 'webhook': {
        const body = rawBody ?? JSON.stringify({ customerId, text });
        return (await this.deliverOnce({ path: '/api/channels/webhook/messages', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body })).status;
      }
      case 'slack': {
        const post = dmMessage(customerId, text, this.nextSlackTs());
        return (await this.deliverOnce(slackRequest(post))).status;
      }
      case 'x': {
        const body = JSON.stringify(this.x.customerDm(customerId, text));
        return (await this.deliverOnce({ path: '/x/webhook', headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signActivity(body, X_CREDS.consumerSecret) }, body })).status;
      }
      case 'discord': {
        if (!this.discord.gateway.shardState(0)?.connected) return 0;
        this.discordDm.set(customerId, this.discord.world.dmChannelFor(customerId).id);
        this.discord.dm(customerId, text.slice(0, 2000) || '\u200b');
        return 200;
      }
    }
  }

  /** A Discord member who writes to the bot but has no survey. */
  discordFuzzUser(): string {
    return this.support.customer('Fuzz Member').id;
  }

  // ── delivery ────────────────────────────────────────────────────────────────

  private nextSlackTs(): string {
    this.slackTs += 1;
    return `${this.slackTs}.000100`;
  }

  /** Deliver to any live process; on a network error or 5xx (or 429) deliver again, at most 10 times over about a minute. */
  private async deliver(req: HttpRequest, remake?: (attempt: number) => HttpRequest): Promise<DeliveryResult> {
    let last: DeliveryResult = { accepted: false, status: 0, attempts: 0 };
    for (let attempt = 0; attempt < 10; attempt++) {
      const r = await this.deliverOnce(attempt > 0 && remake ? remake(attempt) : req);
      last = { ...r, attempts: attempt + 1 };
      if (r.status >= 200 && r.status < 300) return { ...last, accepted: true };
      if (r.status !== 0 && r.status < 500 && r.status !== 429) return last;
      this.count('redeliveries');
      await sleep(Math.min(8000, 250 * 2 ** attempt) * (0.5 + this.rng()));
    }
    this.count('deliveriesGivenUp');
    return last;
  }

  private async deliverOnce(req: HttpRequest): Promise<{ accepted: boolean; status: number; body?: string }> {
    const bot = await this.bots.pickReady(5000);
    if (!bot) return { accepted: false, status: 0 };
    try {
      const res = await fetch(`${bot.url}${req.path}`, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(15_000) });
      const body = await res.text();
      return { accepted: res.status >= 200 && res.status < 300, status: res.status, body };
    } catch {
      return { accepted: false, status: 0 };
    }
  }

  private deliverSlack(post: SlackPost, firstRetry: number): Promise<DeliveryResult> {
    return this.deliver(slackRequest(post, firstRetry > 0 ? firstRetry : undefined), (attempt) => slackRequest(post, firstRetry + attempt));
  }

  private deliverX(payload: unknown): Promise<DeliveryResult> {
    const body = JSON.stringify(payload);
    return this.deliver({ path: '/x/webhook', headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signActivity(body, X_CREDS.consumerSecret) }, body });
  }

  private async discordConnected(shard: number, timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.discord.gateway.shardState(shard)?.connected) return true;
      await sleep(100);
    }
    return false;
  }

  /**
   * Wait until the shard's client has received the dispatch just sent (its heartbeat
   * reports the sequence). False if the session ended first (the process died): that
   * dispatch never reached the bot.
   */
  private async discordReceived(shard: number, timeoutMs = 10_000): Promise<boolean> {
    const state = this.discord.gateway.shardState(shard);
    if (!state) return false;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const now = this.discord.gateway.shardState(shard);
      if (!now || now.sessionId !== state.sessionId) return false;
      if (now.acked >= state.seq) return true;
      await sleep(50);
    }
    return false;
  }

  /** Dispatch (again, on a new session) until the shard's client has received it; bounded. */
  private async dispatchDiscord(send: () => void, shard: number): Promise<boolean> {
    for (let attempt = 0; attempt < 8; attempt++) {
      if (!await this.discordConnected(shard)) return false;
      send();
      if (await this.discordReceived(shard)) return true;
      this.count('discordRedispatches');
    }
    return false;
  }

  private async answerDiscord(conv: Conversation, reply: { text: string } | { button: { score: number; ref: string } }): Promise<DeliveryResult> {
    if ('text' in reply) {
      // A typed DM is typed once: Discord keeps it (and delivers it to the session that is up,
      // if any, once). The bot must have it either way: live, or by re-reading the DM.
      this.discord.dm(conv.customerId, reply.text);
      if (!this.discord.gateway.shardState(0)?.connected) this.count('discordTypedWhileNoSession');
      return { accepted: true, status: 200, attempts: 1 };
    }
    // A button press counts once the bot acknowledged the interaction (the customer sees it taken).
    const b = JSON.parse(reply.button.ref) as { id: string; custom: string };
    for (let attempt = 0; attempt < 8; attempt++) {
      if (!await this.discordConnected(0)) break;
      let record;
      try {
        record = this.discord.pressButton(b.id, conv.customerId, b.custom);
      } catch {
        // The buttons are gone: the bot took an earlier press.
        return { accepted: true, status: 200, attempts: attempt + 1 };
      }
      const deadline = Date.now() + 4000;
      while (Date.now() < deadline && !record.callback) await sleep(50);
      if (record.callback) {
        // Acknowledged; then either shown answered, or the customer is asked (only they see it) to press again: they do.
        const settled = Date.now() + 15_000;
        while (Date.now() < settled && !record.edited && record.followUps.length === 0 && record.callback.type !== 7) await sleep(100);
        if (!record.followUps.some((f) => /press it again/i.test(String(f.content ?? '')))) return { accepted: true, status: 200, attempts: attempt + 1 };
        this.count('discordPressedAgain');
        await sleep(1000 + this.rng() * 2000);
        continue;
      }
      this.count('discordPressesUnanswered');
      await sleep(500);
    }
    return { accepted: false, status: 0, attempts: 8 };
  }
}

function slackRequest(post: SlackPost, retryNum?: number): HttpRequest {
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': post.contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': sign(SIGNING_SECRET, timestamp, post.body),
  };
  if (retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(retryNum);
    headers['x-slack-retry-reason'] = 'http_error';
  }
  return { path: '/slack/events', headers, body: post.body };
}

function slackButtons(blocks: unknown[] | undefined): Array<{ action_id: string; value: string; text: { text: string } }> {
  const actions = (blocks ?? []).find((b) => (b as { type?: string }).type === 'actions') as { elements?: Array<{ action_id: string; value: string; text: { text: string } }> } | undefined;
  return actions?.elements ?? [];
}

function discordButtons(m: MessageJson): Array<{ label: string; custom_id: string }> {
  return m.components.flatMap((row) => row.components).filter((c): c is { type: number; label: string; custom_id: string } => typeof c.label === 'string' && typeof c.custom_id === 'string');
}
