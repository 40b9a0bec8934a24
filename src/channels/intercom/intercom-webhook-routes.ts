/**
 * Intercom's webhook on the bot's port: `POST /intercom/webhook`, `X-Hub-Signature`
 * checked over the raw bytes before anything parses them (401 unsigned, 403 forged);
 * 200 once handled, 400 for a body that is not a notification, 500 when the engine
 * failed (Intercom retries).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../../logger.ts';
import { deliverVerifiedJson } from '../webhook-json.ts';
import { checkIntercomSignature, INTERCOM_SIGNATURE_HEADER } from './intercom-signature.ts';

export const INTERCOM_WEBHOOK_PATH = '/intercom/webhook';

export function mountIntercomWebhook(router: Router, o: { clientSecret: string; bodyLimitBytes: number; logger: Logger; onPayload(json: unknown): Promise<void> }): void {
  router.post(INTERCOM_WEBHOOK_PATH, express.raw({ type: () => true, limit: o.bodyLimitBytes }), async (req: Request, res: Response) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = checkIntercomSignature(body, o.clientSecret, req.get(INTERCOM_SIGNATURE_HEADER));
    if (check !== 'ok') {
      o.logger.warn({ ip: req.ip, check }, 'intercom webhook: signature check failed, refused');
      res.status(check === 'missing' ? 401 : 403).json({ error: check === 'missing' ? `missing ${INTERCOM_SIGNATURE_HEADER} header` : 'signature does not match' });
      return;
    }
    await deliverVerifiedJson(body, res, o.onPayload, (why) => o.logger.warn(why, 'intercom webhook: payload refused'));
  });
}
