/**
 * The Slack Web API methods the channel calls, through the official client, with
 * every answer checked by zod before it is used. The client's own retries are kept
 * short and rate-limited calls are rejected at once, so the outbox (which knows the
 * platform's pace and the Retry-After) decides when to try again.
 */
import { webApi, type types } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../../logger.ts';
import { slackLogger } from './slack-logger.ts';

export type SlackBlocks = Array<types.KnownBlock | types.Block>;

export interface SlackUser {
  id: string;
  name?: string;
  locale?: string;
  isBot: boolean;
  deleted: boolean;
}

export interface ThreadMessage {
  ts: string;
  threadTs?: string;
  user?: string;
  botId?: string;
  subtype?: string;
  metadata?: { eventType: string; payload: Record<string, unknown> };
}

/** What the bot attaches to the messages it posts in a thread (fallback), to find them again. */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, string>;
}

export interface PostArgs {
  channel: string;
  text: string;
  blocks?: SlackBlocks;
  threadTs?: string;
  metadata?: MessageMetadata;
}

const str = z.string().max(3000);
const tsSchema = z.string().regex(/^\d{1,12}\.\d{1,9}$/, 'expected a Slack ts');

const authTestSchema = z.object({ user_id: str, bot_id: str.optional() });
const openSchema = z.object({ channel: z.object({ id: str.min(1) }) });
const postSchema = z.object({ channel: str, ts: tsSchema });
const permalinkSchema = z.object({ permalink: z.string().max(2000) });
const userInfoSchema = z.object({
  user: z.object({
    id: str,
    name: str.optional(),
    real_name: str.optional(),
    deleted: z.boolean().optional(),
    is_bot: z.boolean().optional(),
    locale: z.string().max(35).optional(),
    profile: z.object({ display_name: str.optional(), real_name: str.optional() }).optional(),
  }),
});
const messageSchema = z.object({
  ts: tsSchema,
  thread_ts: tsSchema.optional(),
  user: str.optional(),
  bot_id: str.optional(),
  subtype: str.optional(),
  metadata: z.object({ event_type: str, event_payload: z.record(z.string(), z.unknown()).optional() }).optional(),
});
const repliesSchema = z.object({
  messages: z.array(z.unknown()).max(1000),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().max(500).optional() }).optional(),
});

export interface SlackApiOptions {
  token: string;
  apiUrl?: string;
  logger: Logger;
}

const USER_CACHE_MS = 10 * 60_000;
const USER_CACHE_MAX = 2000;

export class SlackApi {
  readonly client: webApi.WebClient;
  private readonly users = new Map<string, { user: SlackUser; at: number }>();

  constructor(options: SlackApiOptions) {
    this.client = new webApi.WebClient(options.token, clientOptions(options.apiUrl, options.logger));
  }

  async authTest(): Promise<{ userId: string; botId?: string }> {
    const r = parse(authTestSchema, await this.client.auth.test(), 'auth.test');
    return { userId: r.user_id, botId: r.bot_id };
  }

  /** The id of the DM channel between the bot and this user. */
  async openDm(userId: string): Promise<string> {
    return parse(openSchema, await this.client.conversations.open({ users: userId }), 'conversations.open').channel.id;
  }

  async post(args: PostArgs): Promise<{ channel: string; ts: string }> {
    const result = await this.client.chat.postMessage({
      channel: args.channel,
      text: args.text,
      ...(args.blocks ? { blocks: args.blocks } : {}),
      ...(args.threadTs ? { thread_ts: args.threadTs } : {}),
      ...(args.metadata ? { metadata: args.metadata } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    return parse(postSchema, result, 'chat.postMessage');
  }

  async update(channel: string, ts: string, text: string, blocks: SlackBlocks): Promise<void> {
    await this.client.chat.update({ channel, ts, text, blocks });
  }

  async postEphemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void> {
    await this.client.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
  }

  async permalink(channel: string, ts: string): Promise<string> {
    return parse(permalinkSchema, await this.client.chat.getPermalink({ channel, message_ts: ts }), 'chat.getPermalink').permalink;
  }

  /** A user's name, locale and whether Slack says it is a bot; cached for a few minutes. */
  async user(userId: string): Promise<SlackUser> {
    const hit = this.users.get(userId);
    if (hit && Date.now() - hit.at < USER_CACHE_MS) return hit.user;
    const r = parse(userInfoSchema, await this.client.users.info({ user: userId, include_locale: true }), 'users.info').user;
    const user: SlackUser = {
      id: r.id,
      name: nonEmpty(r.profile?.real_name) ?? nonEmpty(r.real_name) ?? nonEmpty(r.profile?.display_name) ?? nonEmpty(r.name),
      locale: nonEmpty(r.locale),
      isBot: r.is_bot === true,
      deleted: r.deleted === true,
    };
    if (this.users.size >= USER_CACHE_MAX) this.users.delete(this.users.keys().next().value!);
    this.users.set(userId, { user, at: Date.now() });
    return user;
  }

  /**
   * The messages of the thread that contains `ts`: the root first, then the replies,
   * oldest first. Stops after `maxMessages` so a huge thread costs a bounded number of calls.
   */
  async thread(channel: string, ts: string, opts: { maxMessages?: number; metadata?: boolean } = {}): Promise<ThreadMessage[]> {
    const max = opts.maxMessages ?? 1000;
    const out: ThreadMessage[] = [];
    let cursor: string | undefined;
    do {
      const page = parse(repliesSchema, await this.client.conversations.replies({
        channel, ts, limit: Math.min(200, max), ...(cursor ? { cursor } : {}), ...(opts.metadata ? { include_all_metadata: true } : {}),
      }), 'conversations.replies');
      for (const raw of page.messages) {
        const m = messageSchema.safeParse(raw);
        if (!m.success) continue; // a message shape we do not use (e.g. a tombstone)
        out.push({
          ts: m.data.ts,
          threadTs: m.data.thread_ts,
          user: m.data.user,
          botId: m.data.bot_id,
          subtype: m.data.subtype,
          metadata: m.data.metadata ? { eventType: m.data.metadata.event_type, payload: m.data.metadata.event_payload ?? {} } : undefined,
        });
      }
      cursor = page.has_more ? nonEmpty(page.response_metadata?.next_cursor) : undefined;
    } while (cursor && out.length < max);
    return out;
  }
}

/**
 * The Web API client's options: another base URL when set; network errors and 5xx
 * retried twice, quickly; a 429 rejected at once with its Retry-After, for the outbox.
 */
export function clientOptions(apiUrl: string | undefined, logger: Logger): webApi.WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    logger: slackLogger(logger),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
    timeout: 10_000,
  };
}

export class SlackResponseError extends Error {
  override readonly name = 'SlackResponseError';
}

function parse<S extends z.ZodType>(schema: S, value: unknown, method: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new SlackResponseError(`slack ${method}: unexpected answer at ${issue.path.map(String).join('.') || '(top)'}: ${issue.message}`);
}

function nonEmpty(s: string | undefined): string | undefined {
  return s && s.trim().length > 0 ? s.trim() : undefined;
}
