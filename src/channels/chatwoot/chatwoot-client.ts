/**
 * The part of Chatwoot's application API the bridge uses, over fetch with the
 * `api_access_token` header:
 *
 * - `GET  /api/v1/accounts/{account}/conversations/{id}` — the conversation, for
 *   `can_reply` (false when the platform's messaging window has closed) and its inbox
 *   type;
 * - `POST /api/v1/accounts/{account}/conversations/{id}/messages` — a message into the
 *   conversation (`outgoing`, or `private` for a note), optionally an `input_select`.
 *
 * One Bottleneck limiter paces every call (CHATWOOT_RATE_PER_SECOND), whichever
 * Chatwoot channel asks. Failures become the outbox's errors: 429 (Rack::Attack), 5xx,
 * 408 and no answer are transient (Retry-After honoured); 401, 403, 404, 422 and other
 * 4xx are permanent.
 */
import Bottleneck from 'bottleneck';
import { z } from 'zod';
import { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';
import { cappedText } from '../capped-body.ts';

export interface ChatwootClientOptions {
  url: string;
  apiToken: string;
  accountId: string;
  ratePerSecond: number;
  timeoutMs?: number;
}

export interface InputSelectItem { title: string; value: string }

export interface NewMessage {
  content: string;
  private?: boolean;
  inputSelect?: InputSelectItem[];
}

export interface ConversationInfo {
  canReply?: boolean;
  channelType?: string;
  status?: string;
}

const conversationAnswer = z.object({
  can_reply: z.boolean().optional().catch(undefined),
  channel: z.string().max(100).optional().catch(undefined),
  status: z.string().max(40).optional().catch(undefined),
  meta: z.object({ channel: z.string().max(100).optional().catch(undefined) }).loose().optional().catch(undefined),
}).loose();

const messageAnswer = z.object({ id: z.union([z.number(), z.string().max(40)]) }).loose();

const errorAnswer = z.object({
  error: z.string().max(2000).optional().catch(undefined),
  message: z.string().max(2000).optional().catch(undefined),
  errors: z.array(z.unknown()).max(20).optional().catch(undefined),
}).loose();

/** A conversation id in a URL path: Chatwoot's are numbers. */
const CONVERSATION_ID = /^\d{1,20}$/;

export class ChatwootClient {
  private readonly limiter: Bottleneck;
  private readonly root: string;

  constructor(private readonly options: ChatwootClientOptions) {
    this.limiter = new Bottleneck({ minTime: Math.ceil(1000 / options.ratePerSecond), maxConcurrent: 4 });
    this.root = `${options.url}/api/v1/accounts/${options.accountId}/conversations/`;
  }

  async conversation(conversationId: string): Promise<ConversationInfo> {
    const json = await this.call('GET', `${checkId(conversationId)}`);
    const c = conversationAnswer.safeParse(json);
    if (!c.success) return {};
    return { canReply: c.data.can_reply, channelType: c.data.meta?.channel ?? c.data.channel, status: c.data.status };
  }

  /** Post a message; resolves with Chatwoot's message id. */
  async createMessage(conversationId: string, m: NewMessage): Promise<string | undefined> {
    const body = m.inputSelect
      ? { content: m.content, message_type: 'outgoing', private: false, content_type: 'input_select', content_attributes: { items: m.inputSelect } }
      : { content: m.content, message_type: 'outgoing', private: m.private === true };
    const json = await this.call('POST', `${checkId(conversationId)}/messages`, body);
    const parsed = messageAnswer.safeParse(json);
    return parsed.success ? String(parsed.data.id) : undefined;
  }

  async stop(): Promise<void> {
    await this.limiter.stop({ dropWaitingJobs: false });
  }

  private call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    return this.limiter.schedule(() => this.request(method, path, body));
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.root + path, {
        method,
        headers: { api_access_token: this.options.apiToken, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new TransientSendError(`chatwoot unreachable: ${(err as Error).message}`);
    }
    const text = await cappedText(res);
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json;
    const e = errorAnswer.safeParse(json);
    const reason = (e.success ? e.data.error ?? e.data.message ?? (e.data.errors ? JSON.stringify(e.data.errors) : undefined) : undefined)
      ?? (text.slice(0, 200).trim() || `HTTP ${res.status}`);
    const what = `chatwoot answered ${res.status} to ${method} …/conversations/${path}: ${reason}`;
    if (res.status === 429 || res.status >= 500 || res.status === 408) {
      throw new TransientSendError(what, retryAfterMs(res.headers.get('retry-after')));
    }
    throw new PermanentSendError(what, `chatwoot-${res.status}`);
  }
}

function checkId(conversationId: string): string {
  if (!CONVERSATION_ID.test(conversationId)) {
    throw new PermanentSendError('the conversation id is not a Chatwoot conversation id (expected the number in …/conversations/<id>)', 'chatwoot-bad-conversation');
  }
  return conversationId;
}

function retryAfterMs(value: string | null): number | undefined {
  if (!value || !/^\d{1,7}$/.test(value.trim())) return undefined;
  return Math.max(1000, Number(value.trim()) * 1000);
}
