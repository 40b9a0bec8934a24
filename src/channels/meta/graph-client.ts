/**
 * A small Graph API client over fetch: `POST {base}/{version}/{path}` with the access
 * token in the Authorization header (never in the URL, so it stays out of logs), a
 * timeout, and Meta's error body turned into the send error the outbox understands
 * (see graph-errors.ts). The base URL and version are settings, so tests point the
 * client at a local server.
 */
import { z } from 'zod';
import type { PermanentSendError, TransientSendError, WindowClosedError } from '../../conversation/channel-contract/send-errors.ts';
import { graphSendError, type MetaProduct } from './graph-errors.ts';
import { cappedText } from '../capped-body.ts';

export interface GraphClientOptions {
  product: MetaProduct;
  /** e.g. `https://graph.facebook.com` (no version, no trailing slash needed). */
  baseUrl: string;
  /** e.g. `v24.0`. */
  version: string;
  accessToken: string;
  timeoutMs?: number;
  now?: () => number;
}

const errorBodySchema = z.object({
  error: z.object({
    message: z.string().max(10_000).optional(),
    type: z.string().max(200).optional(),
    code: z.number().int().optional(),
    error_subcode: z.number().int().optional(),
    is_transient: z.boolean().optional(),
    error_user_msg: z.string().max(10_000).optional(),
    error_data: z.object({ details: z.string().max(10_000).optional() }).loose().optional().catch(undefined),
  }).loose(),
});

export type GraphSendError = WindowClosedError | TransientSendError | PermanentSendError;

export class GraphClient {
  private readonly root: string;

  constructor(private readonly options: GraphClientOptions) {
    this.root = `${options.baseUrl.replace(/\/+$/, '')}/${options.version}/`;
  }

  get product(): MetaProduct {
    return this.options.product;
  }

  /** POST JSON; resolves with the parsed answer, rejects with a GraphSendError. */
  async post(path: string, body: unknown): Promise<unknown> {
    const now = this.options.now ?? Date.now;
    let res: Response;
    try {
      res = await fetch(this.root + path.replace(/^\/+/, ''), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.accessToken}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw graphSendError({ product: this.options.product, status: null, message: (err as Error).message }, now());
    }
    const text = await cappedText(res);
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const failure = errorBodySchema.safeParse(json);
    // Graph answers 200 on success; an error object means failure whatever the status says.
    if (res.ok && !failure.success) return json;
    const e = failure.success ? failure.data.error : undefined;
    const details = e?.error_data?.details;
    throw graphSendError({
      product: this.options.product,
      status: res.status,
      code: e?.code,
      subcode: e?.error_subcode,
      message: [e?.message ?? (text.slice(0, 200) || `HTTP ${res.status}`), details].filter(Boolean).join(' — '),
      isTransient: e?.is_transient,
      retryAfter: res.headers.get('retry-after'),
      businessUseCaseUsage: res.headers.get('x-business-use-case-usage'),
    }, now());
  }
}
