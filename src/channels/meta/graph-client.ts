/**
 * The Graph API on the shared platform client (`../http-json-client.ts`: timeout, body
 * cap, redirects refused): `POST {base}/{version}/{path}` with the access token in the
 * Authorization header (never in the URL, so it stays out of logs), and Meta's error
 * body turned into the send error the outbox understands (see graph-errors.ts). The base URL and version are settings, so tests point the
 * client at a local server.
 */
import { z } from 'zod';
import type { PermanentSendError, TransientSendError, WindowClosedError } from '../../conversation/channel-contract/send-errors.ts';
import { graphSendError, type MetaProduct } from './graph-errors.ts';
import { HttpJsonClient, type HttpAnswer } from '../http-json-client.ts';

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
  private readonly http: HttpJsonClient;

  constructor(private readonly options: GraphClientOptions) {
    const now = options.now ?? Date.now;
    this.http = new HttpJsonClient({
      platform: options.product,
      baseUrl: `${options.baseUrl.replace(/\/+$/, '')}/${options.version}/`,
      headers: { authorization: `Bearer ${options.accessToken}` },
      timeoutMs: options.timeoutMs ?? 15_000,
      now,
      failure: (answer) => graphFailure(options.product, answer, now()),
      unreachable: (err) => graphSendError({ product: options.product, status: null, message: err.message }, now()),
    });
  }

  get product(): MetaProduct {
    return this.options.product;
  }

  /** POST JSON; resolves with the parsed answer, rejects with a GraphSendError. */
  post(path: string, body: unknown): Promise<unknown> {
    return this.http.post(path.replace(/^\/+/, ''), body);
  }
}

/** Graph answers 200 on success; an error object means failure whatever the status says. */
function graphFailure(product: MetaProduct, answer: HttpAnswer, nowMs: number): GraphSendError | undefined {
  const failure = errorBodySchema.safeParse(answer.json);
  if (answer.ok && !failure.success) return undefined;
  const e = failure.success ? failure.data.error : undefined;
  const details = e?.error_data?.details;
  return graphSendError({
    product,
    status: answer.status,
    code: e?.code,
    subcode: e?.error_subcode,
    message: [e?.message ?? (answer.text.slice(0, 200) || `HTTP ${answer.status}`), details].filter(Boolean).join(' — '),
    isTransient: e?.is_transient,
    retryAfter: answer.headers.get('retry-after'),
    businessUseCaseUsage: answer.headers.get('x-business-use-case-usage'),
  }, nowMs);
}
