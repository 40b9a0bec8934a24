/**
 * Chatwoot's webhook on the bot's port: `POST /chatwoot/webhook` (signed deliveries)
 * or `POST /chatwoot/webhook/<CHATWOOT_WEBHOOK_TOKEN>` (a secret in the URL, for
 * Chatwoot servers that do not sign). With a webhook secret set, `X-Chatwoot-Signature`
 * is checked over the raw bytes before anything parses them (401 unsigned or stale,
 * 403 forged); with a token set, any other URL is 404. The handler runs to the end
 * before the 200 (the answer is with the engine by then); when it throws the answer is
 * 500, so Chatwoot's retry delivers it again and the engine drops what it already has.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../../logger.ts';
import { secretsEqual } from '../meta/hub-signature.ts';
import { CHATWOOT_SIGNATURE_HEADER, CHATWOOT_TIMESTAMP_HEADER, checkChatwootSignature } from './chatwoot-signature.ts';
import { deliverVerifiedJson } from '../webhook-json.ts';

export const CHATWOOT_WEBHOOK_PATH = '/chatwoot/webhook';

export interface ChatwootWebhookOptions {
  webhookSecret?: string;
  webhookToken?: string;
  signatureMaxAgeMs: number;
  bodyLimitBytes: number;
  logger: Logger;
  now?: () => number;
  /** Handle a trusted JSON body; throw PayloadError for a 400, anything else for a 500. */
  onPayload(json: unknown): Promise<void>;
}

export function mountChatwootWebhook(router: Router, options: ChatwootWebhookOptions): void {
  const raw = express.raw({ type: () => true, limit: options.bodyLimitBytes });
  const handler = async (req: Request, res: Response) => {
    const token = typeof req.params.token === 'string' ? req.params.token : undefined;
    const expected = options.webhookToken;
    if (expected ? token === undefined || !secretsEqual(token, expected) : token !== undefined) {
      if (token !== undefined) options.logger.warn({ ip: req.ip }, 'chatwoot webhook: wrong URL token, refused');
      res.status(404).json({ error: 'no such route' });
      return;
    }
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (options.webhookSecret) {
      const check = checkChatwootSignature(
        body, options.webhookSecret, req.get(CHATWOOT_SIGNATURE_HEADER), req.get(CHATWOOT_TIMESTAMP_HEADER),
        options.signatureMaxAgeMs, (options.now ?? Date.now)(),
      );
      if (check !== 'ok') {
        options.logger.warn({ ip: req.ip, check }, 'chatwoot webhook: signature check failed, refused');
        if (check === 'missing') res.status(401).json({ error: `missing ${CHATWOOT_SIGNATURE_HEADER} or ${CHATWOOT_TIMESTAMP_HEADER} header` });
        else if (check === 'stale') res.status(401).json({ error: `${CHATWOOT_TIMESTAMP_HEADER} is too far from now` });
        else res.status(403).json({ error: 'signature does not match' });
        return;
      }
    }
    await deliverVerifiedJson(body, res, options.onPayload, (why) => options.logger.warn(why, 'chatwoot webhook: payload refused'));
  };
  router.post(CHATWOOT_WEBHOOK_PATH, raw, handler);
  router.post(`${CHATWOOT_WEBHOOK_PATH}/:token`, raw, handler);
}
