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
 * On the shared platform client (`../http-json-client.ts`), whose limiter paces every
 * call (CHATWOOT_RATE_PER_SECOND), whichever Chatwoot channel asks. Failures become the
 * outbox's errors (`chatwootFailure`): 429 (Rack::Attack), 5xx, 408 and no answer are
 * transient (Retry-After honoured, at least a second); 401, 403, 404, 422, other 4xx and
 * a redirect are permanent.
 */
import { z } from 'zod';
import { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';
import { HttpJsonClient, statusKind, type HttpAnswer, type HttpCall } from '../http-json-client.ts';

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
  private readonly http: HttpJsonClient;

  constructor(private readonly options: ChatwootClientOptions) {
    this.http = new HttpJsonClient({
      platform: 'chatwoot',
      baseUrl: `${options.url}/api/v1/accounts/${options.accountId}/conversations/`,
      headers: { api_access_token: options.apiToken },
      ratePerSecond: options.ratePerSecond,
      timeoutMs: options.timeoutMs,
      failure: chatwootFailure,
    });
  }

  async conversation(conversationId: string): Promise<ConversationInfo> {
    const json = await this.http.get(`${checkId(conversationId)}`);
    const c = conversationAnswer.safeParse(json);
    if (!c.success) return {};
    return { canReply: c.data.can_reply, channelType: c.data.meta?.channel ?? c.data.channel, status: c.data.status };
  }

  /** Post a message; resolves with Chatwoot's message id. */
  async createMessage(conversationId: string, m: NewMessage): Promise<string | undefined> {
    const body = m.inputSelect
      ? { content: m.content, message_type: 'outgoing', private: false, content_type: 'input_select', content_attributes: { items: m.inputSelect } }
      : { content: m.content, message_type: 'outgoing', private: m.private === true };
    const json = await this.http.post(`${checkId(conversationId)}/messages`, body);
    const parsed = messageAnswer.safeParse(json);
    return parsed.success ? String(parsed.data.id) : undefined;
  }

  async stop(): Promise<void> {
    await this.http.stop();
  }
}

/** Chatwoot's answer → the outbox's errors, with Chatwoot's own words. */
export function chatwootFailure(answer: HttpAnswer, call: HttpCall): Error | undefined {
  const kind = statusKind(answer.status);
  if (kind === 'ok') return undefined;
  const e = errorAnswer.safeParse(answer.json);
  const reason = (e.success ? e.data.error ?? e.data.message ?? (e.data.errors ? JSON.stringify(e.data.errors) : undefined) : undefined)
    ?? (answer.text.slice(0, 200).trim() || `HTTP ${answer.status}`);
  const what = `chatwoot answered ${answer.status} to ${call.method} …/conversations/${call.path}: ${reason}`;
  if (kind === 'transient') {
    return new TransientSendError(what, answer.retryAfterMs === undefined ? undefined : Math.max(1000, answer.retryAfterMs));
  }
  return new PermanentSendError(what, `chatwoot-${answer.status}`);
}

function checkId(conversationId: string): string {
  if (!CONVERSATION_ID.test(conversationId)) {
    throw new PermanentSendError('the conversation id is not a Chatwoot conversation id (expected the number in …/conversations/<id>)', 'chatwoot-bad-conversation');
  }
  return conversationId;
}
