/**
 * The Account Activity webhook on the bot's port: `GET /x/webhook` answers X's CRC
 * challenge, `POST /x/webhook` checks the signature over the raw body and hands the
 * validated payload on. Mounted before the app's JSON parser, so the body read here
 * is the exact bytes X signed. A signed body can be replayed by whoever saw it, so DM
 * events older than `maxEventAgeMs` are dropped (answered 200, so X does not retry).
 */
import express, { type Router } from 'express';
import type { Logger } from '../../logger.ts';
import { activityPayloadSchema, withoutStaleEvents, type ActivityPayload } from './x-activity-payload.ts';
import { crcResponseToken, isCrcToken, verifyXSignature, X_SIGNATURE_HEADER } from './x-webhook-signature.ts';
import { jsonOrBadRequest } from '../webhook-json.ts';

export const X_WEBHOOK_PATH = '/x/webhook';

export interface XWebhookOptions {
  consumerSecret: string;
  bodyLimitBytes: number;
  logger: Logger;
  /** DM events created longer ago than this are ignored (replays). */
  maxEventAgeMs: number;
  now: () => Date;
  /** Handle a verified payload; a throw answers 500 so X delivers it again. */
  onPayload(payload: ActivityPayload): Promise<void>;
}

export function mountXWebhook(router: Router, options: XWebhookOptions): void {
  router.get(X_WEBHOOK_PATH, (req, res) => {
    const token = req.query.crc_token;
    if (!isCrcToken(token)) {
      res.status(400).json({ error: 'crc_token: expected one token of at most 255 letters, digits, or - _ + / = .', field: 'crc_token' });
      return;
    }
    res.json({ response_token: crcResponseToken(token, options.consumerSecret) });
  });

  const raw = express.raw({ type: () => true, limit: options.bodyLimitBytes });
  router.post(X_WEBHOOK_PATH, raw, async (req, res) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = req.get(X_SIGNATURE_HEADER);
    if (!header) {
      res.status(401).json({ error: `missing ${X_SIGNATURE_HEADER} header` });
      return;
    }
    if (!verifyXSignature(body, options.consumerSecret, header)) {
      options.logger.warn({ ip: req.ip }, 'x webhook: signature does not match, refused');
      res.status(403).json({ error: 'signature does not match' });
      return;
    }
    const parsedBody = jsonOrBadRequest(body, res);
    if (!parsedBody) return;
    const json = parsedBody.json;
    const parsed = activityPayloadSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.map(String).join('.') || 'body';
      options.logger.warn({ field, problem: issue.message }, 'x webhook: payload refused');
      res.status(400).json({ error: `${field}: ${issue.message}`, field });
      return;
    }
    const { payload, stale } = withoutStaleEvents(parsed.data, options.now().getTime(), options.maxEventAgeMs);
    if (stale > 0) {
      // No ids: an event this old is either a replay or a long-delayed delivery; either way not acted on.
      options.logger.warn({ stale, maxAgeSeconds: Math.round(options.maxEventAgeMs / 1000) }, 'x webhook: direct message events older than X_MAX_EVENT_AGE_MINUTES ignored');
    }
    await options.onPayload(payload);
    res.status(200).json({ ok: true });
  });
}
