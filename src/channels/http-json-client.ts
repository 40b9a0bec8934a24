/**
 * The one HTTP client of every integration the bot speaks HTTP to itself (the generic
 * webhook, Meta's Graph API, Chatwoot, the helpdesk bridges: Zendesk, Sunshine
 * Conversations, Intercom, Freshchat). Slack, Discord, Telegram and X go through their
 * platform libraries. What every call gets, the same way:
 *
 * - a timeout (10 s unless the adapter says otherwise) and, when a rate is given, one
 *   Bottleneck limiter pacing every call of the client;
 * - the answer read with a size cap (`capped-body.ts`, 1 MB unless told), then parsed as
 *   JSON when it is JSON (an HTML error page is kept as text for the message);
 * - `Retry-After` read once, in seconds or as an HTTP date (`retry-after.ts`);
 * - redirects refused: a 3xx is an answer, never followed (customer data would go wherever
 *   it points);
 * - the answer turned into the contract's send errors by the adapter's mapping hook
 *   (`failure`), by default: 429, 408, 5xx transient (Retry-After honoured, a bare 429
 *   waits a second); 3xx and other 4xx a permanent `HttpRefusal` coded `<platform>-<status>`,
 *   so a caller can tell "gone" (404, 410) from "refused". No answer at all is transient.
 */
import Bottleneck from 'bottleneck';
import { PermanentSendError, TransientSendError } from '../conversation/channel-contract/send-errors.ts';
import { cappedText, MAX_RESPONSE_BYTES } from './capped-body.ts';
import { retryAfterMs } from './retry-after.ts';

/** A platform's answer as the mapping hook sees it. */
export interface HttpAnswer {
  status: number;
  ok: boolean;
  headers: Headers;
  /** The body as text, at most the cap. */
  text: string;
  /** The body parsed, or undefined when empty or not JSON. */
  json: unknown;
  /** `Retry-After` in ms (seconds or HTTP date, capped), undefined when absent or unreadable. */
  retryAfterMs: number | undefined;
}

/** The call an answer belongs to (the path as given, before the base URL). */
export interface HttpCall { method: string; path: string }

export interface HttpJsonClientOptions {
  /** Short platform name for messages and error codes (`zendesk`, `intercom`). */
  platform: string;
  /** Prefixed to every path. */
  baseUrl: string;
  /** Headers on every call (authorization, API version). */
  headers?: Record<string, string>;
  /** Calls per second for the whole client; none: not paced here. */
  ratePerSecond?: number;
  timeoutMs?: number;
  maxResponseBytes?: number;
  now?: () => number;
  /** The error an answer means, or undefined when it is a success. Default: `statusFailure(platform)`. */
  failure?: (answer: HttpAnswer, call: HttpCall) => Error | undefined;
  /** The error for no answer at all (refused connection, timeout). Default: transient `<platform> unreachable: …`. */
  unreachable?: (err: Error, call: HttpCall) => Error;
}

/** A permanent refusal with the HTTP status kept, so callers can branch on 404. */
export class HttpRefusal extends PermanentSendError {
  constructor(message: string, code: string, readonly status: number) { super(message, code); }
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export class HttpJsonClient {
  private readonly limiter: Bottleneck | undefined;

  constructor(private readonly options: HttpJsonClientOptions) {
    this.limiter = options.ratePerSecond ? new Bottleneck({ minTime: Math.ceil(1000 / options.ratePerSecond), maxConcurrent: 4 }) : undefined;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request('GET', path) as Promise<T>;
  }

  post<T = unknown>(path: string, body: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request('POST', path, body, headers) as Promise<T>;
  }

  put<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request('PUT', path, body) as Promise<T>;
  }

  async stop(): Promise<void> {
    await this.limiter?.stop({ dropWaitingJobs: false });
  }

  /**
   * One call; resolves with the parsed answer, rejects with the hook's error. A string
   * body goes as it is (a body that was signed), anything else as JSON.
   */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<unknown> {
    const call = (): Promise<unknown> => this.once({ method, path }, body, headers);
    return this.limiter ? this.limiter.schedule(call) : call();
  }

  private async once(call: HttpCall, body: unknown, headers: Record<string, string> | undefined): Promise<unknown> {
    const o = this.options;
    let res: Response;
    try {
      res = await fetch(o.baseUrl + call.path, {
        method: call.method,
        headers: {
          accept: 'application/json', ...o.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      throw o.unreachable ? o.unreachable(err as Error, call) : new TransientSendError(`${o.platform} unreachable: ${(err as Error).message}`);
    }
    const text = await cappedText(res, o.maxResponseBytes ?? MAX_RESPONSE_BYTES);
    const answer: HttpAnswer = {
      status: res.status,
      ok: res.ok,
      headers: res.headers,
      text,
      json: readJson(text),
      retryAfterMs: retryAfterMs(res.headers.get('retry-after'), (o.now ?? Date.now)()),
    };
    const error = (o.failure ?? statusFailure(o.platform))(answer, call);
    if (error) throw error;
    return answer.json;
  }
}

/** JSON when the text is JSON; undefined when empty, cut by the cap, or HTML. */
export function readJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type StatusKind = 'ok' | 'redirect' | 'transient' | 'permanent';

/** What an HTTP status means before any platform detail: 2xx ok, 3xx a redirect we do not follow, 429/408/5xx try again, other 4xx never. */
export function statusKind(status: number): StatusKind {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 300 && status < 400) return 'redirect';
  if (status === 429 || status === 408 || status >= 500) return 'transient';
  return 'permanent';
}

/** The default mapping hook (the helpdesk bridges'): messages name the platform, the method and the path without ids. */
export function statusFailure(platform: string): (answer: HttpAnswer, call: HttpCall) => Error | undefined {
  return (answer, call) => {
    const kind = statusKind(answer.status);
    if (kind === 'ok') return undefined;
    // Platform ids stay out of the message (it is stored and logged): path segments with digits become :id.
    const reason = kind === 'redirect' ? 'a redirect, not followed' : errorText(answer.json) ?? (answer.text.slice(0, 200).trim() || `HTTP ${answer.status}`);
    const what = `${platform} answered ${answer.status} to ${call.method} ${redactIds(call.path)}: ${reason}`;
    if (kind === 'transient') return new TransientSendError(what, answer.retryAfterMs ?? (answer.status === 429 ? 1000 : undefined));
    return new HttpRefusal(what, `${platform}-${answer.status}`, answer.status);
  };
}

/** The first readable error message of the usual shapes ({error}, {message}, {errors:[{title|message|code}]}). */
function errorText(json: unknown): string | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const o = json as Record<string, unknown>;
  const pick = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 300) : undefined);
  if (Array.isArray(o.errors) && o.errors.length > 0) {
    const e = o.errors[0] as Record<string, unknown>;
    return pick(e?.title) ?? pick(e?.message) ?? pick(e?.detail) ?? pick(e?.code);
  }
  const nested = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : undefined;
  return pick(o.error) ?? pick(nested?.message) ?? pick(o.message) ?? pick(o.description) ?? pick(o.title);
}

/** `/conversations/123/reply?x=1` → `/conversations/:id/reply`. */
export function redactIds(path: string): string {
  return path.split('?')[0]!.replace(/\/[^/]*\d[^/]*/g, '/:id');
}
