/**
 * What a Graph API failure means for the outbox. Meta answers
 * `{error: {message, type, code, error_subcode, is_transient, error_data}}` and the
 * code (with the subcode) says more than the HTTP status:
 *
 * - **window closed** — the 24-hour messaging window is over, the customer may not be
 *   messaged now: Messenger `10/2018278` (and `10/2018065`), Instagram `10/2534022`,
 *   WhatsApp `131047` ("Re-engagement message"; `470` on the old on-premises API).
 *   Not a delivery failure: the engine skips the survey (`window-closed`).
 * - **rate limited** — wait and send again: `4`, `17`, `32`, `341`, `613`, the
 *   business-use-case limits `80001`–`80014`, WhatsApp `130429` (throughput), `131056`
 *   (too many messages to one customer), `131048` (spam rate limit). How long comes
 *   from `Retry-After`, else `X-Business-Use-Case-Usage`'s
 *   `estimated_time_to_regain_access` (minutes), else a per-code default.
 * - **transient** — try again with backoff: 5xx, no answer, `is_transient: true`, `1`,
 *   `2`, `1200` (Messenger "temporary send message failure"), WhatsApp `131000`,
 *   `131016`, `131057`, `133004`.
 * - **permanent** — everything else: the person blocked the page or is unavailable
 *   (`551`, `200/2018108`), unknown recipient (`100/2018001`), undeliverable (`131026`),
 *   bad token (`190`), missing permission (`10`, `200`–`299`), an invalid message (`100`,
 *   `131009`), a missing template (`132001`)… The survey fails with Meta's words.
 */
import { PermanentSendError, TransientSendError, WindowClosedError } from '../../conversation/channel-contract/send-errors.ts';
import { retryAfterMs } from '../retry-after.ts';

/** Retry-After is read the one way every platform client reads it. */
export { retryAfterMs };

export type MetaProduct = 'messenger' | 'instagram' | 'whatsapp';

export interface GraphFailure {
  product: MetaProduct;
  /** HTTP status, or null when no response came (network, timeout). */
  status: number | null;
  code?: number;
  subcode?: number;
  message: string;
  isTransient?: boolean;
  /** The `Retry-After` header, as sent. */
  retryAfter?: string | null;
  /** The `X-Business-Use-Case-Usage` header, as sent. */
  businessUseCaseUsage?: string | null;
}

export type GraphErrorKind = 'window-closed' | 'rate-limited' | 'transient' | 'permanent';

/** [code, subcode] pairs (subcode undefined = any) that mean the messaging window is closed. */
const WINDOW_CLOSED: ReadonlyArray<readonly [number, number | undefined]> = [
  [10, 2018278],  // Messenger: "This message is sent outside of allowed window."
  [10, 2018065],  // Messenger: outside the window without the news-messaging permission
  [10, 2534022],  // Instagram: "This message is sent outside of allowed window."
  [131047, undefined], // WhatsApp Cloud API: re-engagement message (more than 24 hours)
  [470, undefined],    // WhatsApp on-premises API: the same
];

/** Rate-limit codes and how long to wait when Meta gives no hint (ms). */
const RATE_LIMITED = new Map<number, number>([
  [4, 60_000], [17, 60_000], [32, 60_000], [341, 60_000], [613, 60_000],
  [80001, 60_000], [80002, 60_000], [80004, 60_000], [80005, 60_000], [80006, 60_000],
  [80007, 60_000], [80008, 60_000], [80014, 60_000],
  [130429, 1_000],   // WhatsApp: throughput reached (messages per second)
  [131056, 6_000],   // WhatsApp: pair rate limit (one customer, about one message per 6 s)
  [131048, 60_000],  // WhatsApp: spam rate limit
]);

const TRANSIENT = new Set([1, 2, 1200, 131000, 131016, 131057, 133004]);

export function classifyGraphFailure(f: GraphFailure): GraphErrorKind {
  const { code, subcode } = f;
  if (code !== undefined && WINDOW_CLOSED.some(([c, s]) => c === code && (s === undefined || s === subcode))) return 'window-closed';
  // An undocumented subcode with Meta's own words for the same thing.
  if (code === 10 && /outside (of )?(the )?allowed (messaging )?window/i.test(f.message)) return 'window-closed';
  if (f.status === 429 || (code !== undefined && RATE_LIMITED.has(code))) return 'rate-limited';
  if (f.status === null || f.status >= 500 || f.status === 408 || f.isTransient === true || (code !== undefined && TRANSIENT.has(code))) {
    return 'transient';
  }
  return 'permanent';
}

/** The error the adapter throws for a failure: the outbox retries transient ones, the engine skips a closed window. */
export function graphSendError(f: GraphFailure, nowMs = Date.now()): WindowClosedError | TransientSendError | PermanentSendError {
  const what = describe(f);
  switch (classifyGraphFailure(f)) {
    case 'window-closed':
      return new WindowClosedError(`${what}: the 24-hour messaging window has closed`);
    case 'rate-limited':
      // The pair rate limit holds back one customer's chat, not the number's other chats.
      return new TransientSendError(what, rateLimitWaitMs(f, nowMs), f.code === 131056 ? 'chat' : 'app');
    case 'transient':
      return new TransientSendError(what, retryAfterMs(f.retryAfter, nowMs));
    default:
      return new PermanentSendError(what, f.code !== undefined ? `meta-${f.code}${f.subcode !== undefined ? `-${f.subcode}` : ''}` : `http-${f.status}`);
  }
}

function describe(f: GraphFailure): string {
  const where = f.status === null ? 'unreachable' : `answered ${f.status}`;
  const code = f.code !== undefined ? ` (code ${f.code}${f.subcode !== undefined ? `, subcode ${f.subcode}` : ''})` : '';
  return `${f.product}: Graph API ${where}: ${f.message.slice(0, 300)}${code}`;
}

/** How long a rate limit asks us to wait: Retry-After, else Meta's usage header, else the code's default. */
export function rateLimitWaitMs(f: GraphFailure, nowMs: number): number {
  const hinted = retryAfterMs(f.retryAfter, nowMs) ?? regainAccessMs(f.businessUseCaseUsage);
  const fallback = f.code !== undefined ? RATE_LIMITED.get(f.code) ?? 60_000 : 60_000;
  return Math.max(1_000, hinted ?? fallback);
}

/**
 * `X-Business-Use-Case-Usage: {"<id>": [{"type": "pages", "call_count": 100, …,
 * "estimated_time_to_regain_access": <minutes>}]}` → the longest wait it names, in ms.
 */
export function regainAccessMs(header: string | null | undefined): number | undefined {
  if (!header || header.length > 10_000) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(header);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  let minutes: number | undefined;
  for (const entries of Object.values(json as Record<string, unknown>)) {
    if (!Array.isArray(entries)) continue;
    for (const e of entries) {
      const m = (e as { estimated_time_to_regain_access?: unknown } | null)?.estimated_time_to_regain_access;
      if (typeof m === 'number' && Number.isFinite(m) && m >= 0) minutes = Math.max(minutes ?? 0, m);
    }
  }
  return minutes === undefined ? undefined : minutes * 60_000;
}
