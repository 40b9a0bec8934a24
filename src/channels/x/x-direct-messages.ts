/**
 * Sending X direct messages. The rest of the channel sees only `XDirectMessages`, so
 * twit (unmaintained, see docs/x.md) can be swapped for another v1.1 client or plain
 * fetch without touching anything else. `TwitDirectMessages` is the twit version.
 */
import type { IncomingMessage } from 'node:http';
import Twit from 'twit';
import { z } from 'zod';
import type { PermanentSendError, TransientSendError } from '../../conversation/channel-contract/send-errors.ts';
import { fitText } from '../text-limit.ts';
import { DEFAULT_X_API_URL } from './x-settings.ts';
import type { QuickReplyOption } from './x-quick-reply.ts';
import { toSendError } from './x-send-error.ts';

export interface DirectMessage {
  recipientId: string;
  text: string;
  quickReply?: QuickReplyOption[];
}

export interface XDirectMessages {
  /** Send one DM; resolves with X's event id, or rejects with a Permanent/TransientSendError. */
  send(dm: DirectMessage): Promise<{ id?: string }>;
}

export interface XCredentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessTokenSecret: string;
}

/** X's DM text limit. */
export const MAX_DM_CHARS = 10_000;

const DM_ENDPOINT = 'direct_messages/events/new';

const sentEventSchema = z.object({ event: z.object({ id: z.string().regex(/^\d{1,30}$/) }) });
const twitErrorSchema = z.object({
  allErrors: z.array(z.object({ code: z.number().int().optional(), message: z.string().optional() }).loose()).optional(),
});

type BuildReqOpts = (
  method: string, path: string, params: unknown, isStreaming: boolean,
  callback: (err: Error | null, reqOpts?: { url?: string }) => void,
) => void;

export class TwitDirectMessages implements XDirectMessages {
  private readonly twit: Twit;

  constructor(credentials: XCredentials, apiUrl = DEFAULT_X_API_URL, private readonly now: () => number = Date.now, timeoutMs = 10_000) {
    this.twit = new Twit({
      consumer_key: credentials.consumerKey,
      consumer_secret: credentials.consumerSecret,
      access_token: credentials.accessToken,
      access_token_secret: credentials.accessTokenSecret,
      timeout_ms: timeoutMs,
    });
    if (apiUrl !== DEFAULT_X_API_URL) useRestRoot(this.twit, apiUrl);
  }

  send(dm: DirectMessage): Promise<{ id?: string }> {
    const params: Twit.Params = {
      event: {
        type: 'message_create',
        message_create: {
          target: { recipient_id: dm.recipientId },
          message_data: {
            text: fitText(dm.text, { chars: MAX_DM_CHARS }),
            ...(dm.quickReply ? { quick_reply: { type: 'options' as const, options: dm.quickReply } } : {}),
          },
        },
      },
    };
    return new Promise((resolve, reject) => {
      // The callback form, because only it hands back the response (x-rate-limit-reset).
      this.twit.post(DM_ENDPOINT, params, (err: Error | undefined, data: unknown, resp: IncomingMessage | undefined) => {
        const status = resp?.statusCode ?? null;
        if (err || status === null || status >= 300) {
          reject(this.failure(err, status, resp));
          return;
        }
        const parsed = sentEventSchema.safeParse(data);
        resolve(parsed.success ? { id: parsed.data.event.id } : {});
      });
    });
  }

  /** No response at all (network, timeout) has status null; twit's parsed `{errors}` give the codes. */
  private failure(err: Error | undefined, status: number | null, resp: IncomingMessage | undefined): PermanentSendError | TransientSendError {
    const info = twitErrorSchema.safeParse(err ?? {});
    const errors = info.success ? info.data.allErrors ?? [] : [];
    const reset = resp?.headers['x-rate-limit-reset'];
    return toSendError({
      status,
      codes: errors.flatMap((e) => (e.code !== undefined ? [e.code] : [])),
      message: errors.find((e) => e.message)?.message ?? err?.message ?? `HTTP ${status}`,
      rateLimitReset: Array.isArray(reset) ? reset[0] : reset,
    }, this.now());
  }
}

/**
 * Point one twit instance at another REST root (X_API_URL). twit hard-codes
 * `https://api.twitter.com/1.1/`; a full URL as the path would work for GETs, but twit
 * then skips its JSON-body handling, which `direct_messages/events/new` needs (see
 * twit/lib/twitter.js `_buildReqOpts`). So we let twit build the request as usual and
 * swap the root on that instance's URL just before `request` signs and sends it.
 */
function useRestRoot(twit: Twit, apiUrl: string): void {
  const internals = twit as unknown as { _buildReqOpts: BuildReqOpts };
  const build = internals._buildReqOpts.bind(twit);
  internals._buildReqOpts = (method, path, params, isStreaming, callback) => {
    build(method, path, params, isStreaming, (err, reqOpts) => {
      if (reqOpts?.url?.startsWith(DEFAULT_X_API_URL)) reqOpts.url = apiUrl + reqOpts.url.slice(DEFAULT_X_API_URL.length);
      callback(err, reqOpts);
    });
  };
}
