/**
 * The Zendesk bridge's two webhooks on the bot's port, both read raw and trusted before
 * anything parses them:
 *
 * - `POST /zendesk/webhook` — Zendesk's webhook (ticket status changed), signed:
 *   `X-Zendesk-Webhook-Signature` checked over timestamp + raw bytes (401 unsigned or
 *   stale, 403 forged);
 * - `POST /zendesk/sunshine/webhook` — Sunshine Conversations' webhook (customer
 *   messages and postbacks): the `X-API-Key` Sunshine sends, and/or basic auth, as the
 *   integration is set up (401 missing, 403 wrong).
 *
 * Both answer 200 only once the payload is handled, 400 for a payload that is not the
 * documented shape, 500 when the engine failed (the platform retries).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../../logger.ts';
import { secretsEqual } from '../meta/hub-signature.ts';
import { deliverVerifiedJson } from '../webhook-json.ts';
import { checkZendeskSignature, ZENDESK_SIGNATURE_HEADER, ZENDESK_TIMESTAMP_HEADER } from './zendesk-signature.ts';

export const ZENDESK_WEBHOOK_PATH = '/zendesk/webhook';
export const SUNSHINE_WEBHOOK_PATH = '/zendesk/sunshine/webhook';

export interface ZendeskWebhookOptions {
  webhookSecret: string;
  sunshineWebhookSecret?: string;
  sunshineBasicAuth?: string;
  signatureMaxAgeMs: number;
  bodyLimitBytes: number;
  logger: Logger;
  now?: () => number;
  onZendesk(json: unknown): Promise<void>;
  onSunshine(json: unknown): Promise<void>;
}

export function mountZendeskWebhooks(router: Router, o: ZendeskWebhookOptions): void {
  const raw = express.raw({ type: () => true, limit: o.bodyLimitBytes });
  const bodyOf = (req: Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

  router.post(ZENDESK_WEBHOOK_PATH, raw, async (req: Request, res: Response) => {
    const body = bodyOf(req);
    const check = checkZendeskSignature(body, o.webhookSecret, req.get(ZENDESK_SIGNATURE_HEADER), req.get(ZENDESK_TIMESTAMP_HEADER), o.signatureMaxAgeMs, (o.now ?? Date.now)());
    if (check !== 'ok') {
      o.logger.warn({ ip: req.ip, check }, 'zendesk webhook: signature check failed, refused');
      if (check === 'missing') res.status(401).json({ error: `missing ${ZENDESK_SIGNATURE_HEADER} or ${ZENDESK_TIMESTAMP_HEADER} header` });
      else if (check === 'stale') res.status(401).json({ error: `${ZENDESK_TIMESTAMP_HEADER} is too far from now` });
      else res.status(403).json({ error: 'signature does not match' });
      return;
    }
    await deliverVerifiedJson(body, res, o.onZendesk, (why) => o.logger.warn(why, 'zendesk webhook: payload refused'));
  });

  router.post(SUNSHINE_WEBHOOK_PATH, raw, async (req: Request, res: Response) => {
    const problem = sunshineAuthProblem(req, o);
    if (problem) {
      o.logger.warn({ ip: req.ip, problem }, 'sunshine webhook: not authenticated, refused');
      res.status(problem === 'missing' ? 401 : 403).json({ error: problem === 'missing' ? 'missing X-API-Key or basic authentication' : 'credentials do not match' });
      return;
    }
    await deliverVerifiedJson(bodyOf(req), res, o.onSunshine, (why) => o.logger.warn(why, 'sunshine webhook: payload refused'));
  });
}

function sunshineAuthProblem(req: Request, o: ZendeskWebhookOptions): 'missing' | 'mismatch' | null {
  if (o.sunshineWebhookSecret) {
    const key = req.get('x-api-key');
    if (!key) return 'missing';
    if (!secretsEqual(key, o.sunshineWebhookSecret)) return 'mismatch';
  }
  if (o.sunshineBasicAuth) {
    const m = /^Basic\s+([A-Za-z0-9+/=]{1,1000})$/i.exec(req.get('authorization') ?? '');
    if (!m) return 'missing';
    if (!secretsEqual(Buffer.from(m[1]!, 'base64').toString('utf8'), o.sunshineBasicAuth)) return 'mismatch';
  }
  return null;
}
