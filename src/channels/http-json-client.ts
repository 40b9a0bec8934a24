/**
 * A small JSON-over-HTTP client for helpdesk APIs (Zendesk, Sunshine Conversations,
 * Intercom, Freshchat): one Bottleneck limiter per client, a timeout per call, and
 * failures turned into the outbox's errors. 429, 408, 5xx and no answer are transient
 * (Retry-After honoured); other 4xx are permanent, with the platform's code
 * (`<platform>-<status>`) so a caller can tell "gone" (404, 410) from "refused".
 */
import Bottleneck from 'bottleneck';
import { PermanentSendError, TransientSendError } from '../conversation/channel-contract/send-errors.ts';
import { retryAfterMs } from './webhook-channel.ts';

export interface HttpJsonClientOptions {
  /** Short platform name for messages and error codes (`zendesk`, `intercom`). */
  platform: string;
  baseUrl: string;
  /** Headers on every call (authorization, API version). */
  headers: Record<string, string>;
  ratePerSecond: number;
  timeoutMs?: number;
}

/** A permanent refusal with the HTTP status kept, so callers can branch on 404. */
export class HttpRefusal extends PermanentSendError {
  constructor(message: string, code: string, readonly status: number) { super(message, code); }
}

export class HttpJsonClient {
  private readonly limiter: Bottleneck;

  constructor(private readonly options: HttpJsonClientOptions) {
    this.limiter = new Bottleneck({ minTime: Math.ceil(1000 / options.ratePerSecond), maxConcurrent: 4 });
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.call('GET', path) as Promise<T>;
  }

  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.call('POST', path, body) as Promise<T>;
  }

  put<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.call('PUT', path, body) as Promise<T>;
  }

  async stop(): Promise<void> {
    await this.limiter.stop({ dropWaitingJobs: false });
  }

  private call(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.limiter.schedule(() => this.request(method, path, body));
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const { platform } = this.options;
    let res: Response;
    try {
      res = await fetch(this.options.baseUrl + path, {
        method,
        headers: { accept: 'application/json', ...this.options.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new TransientSendError(`${platform} unreachable: ${(err as Error).message}`);
    }
    const text = await res.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json;
    // Platform ids stay out of the message (it is stored and logged): path segments with digits become :id.
    const what = `${platform} answered ${res.status} to ${method} ${redactIds(path)}: ${errorText(json) ?? (text.slice(0, 200).trim() || `HTTP ${res.status}`)}`;
    if (res.status === 429 || res.status >= 500 || res.status === 408) {
      throw new TransientSendError(what, retryAfterMs(res.headers.get('retry-after')) ?? (res.status === 429 ? 1000 : undefined));
    }
    throw new HttpRefusal(what, `${platform}-${res.status}`, res.status);
  }
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
