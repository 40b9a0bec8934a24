/**
 * Freshchat's webhook on the bot's port: `POST /freshchat/webhook`, the
 * `X-Freshchat-Signature` RSA signature verified over the raw bytes with the account's
 * public key before anything parses them (401 unsigned, 403 not verified); 200 once
 * handled, 400 for a body that is not an event, 500 when the engine failed.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { KeyObject } from 'node:crypto';
import type { Logger } from '../../logger.ts';
import { deliverVerifiedJson } from '../webhook-json.ts';
import { checkFreshchatSignature, FRESHCHAT_SIGNATURE_HEADER } from './freshchat-signature.ts';

export const FRESHCHAT_WEBHOOK_PATH = '/freshchat/webhook';

export function mountFreshchatWebhook(router: Router, o: { publicKey: KeyObject; bodyLimitBytes: number; logger: Logger; onPayload(json: unknown): Promise<void> }): void {
  router.post(FRESHCHAT_WEBHOOK_PATH, express.raw({ type: () => true, limit: o.bodyLimitBytes }), async (req: Request, res: Response) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = checkFreshchatSignature(body, o.publicKey, req.get(FRESHCHAT_SIGNATURE_HEADER));
    if (check !== 'ok') {
      o.logger.warn({ ip: req.ip, check }, 'freshchat webhook: signature check failed, refused');
      res.status(check === 'missing' ? 401 : 403).json({ error: check === 'missing' ? `missing ${FRESHCHAT_SIGNATURE_HEADER} header` : 'signature does not verify with FRESHCHAT_WEBHOOK_PUBLIC_KEY' });
      return;
    }
    await deliverVerifiedJson(body, res, o.onPayload, (why) => o.logger.warn(why, 'freshchat webhook: payload refused'));
  });
}
