/**
 * One Meta webhook route on the bot's port (one per product: `/meta/messenger`,
 * `/meta/instagram`, `/meta/whatsapp`). `GET` answers the subscription handshake;
 * `POST` checks `X-Hub-Signature-256` over the raw bytes before anything parses them,
 * then hands the JSON to the channel. The channel's handler runs to the end before the
 * 200 goes out (every customer message is with the engine by then); when it throws the
 * answer is 500 and Meta delivers the batch again (the engine drops what it already
 * handled, by event id).
 */
import express, { type Router } from 'express';
import type { Logger } from '../../logger.ts';
import { HUB_SIGNATURE_HEADER, secretsEqual, verifyHubSignature } from './hub-signature.ts';
import { deliverVerifiedJson } from '../webhook-json.ts';

export interface MetaWebhookOptions {
  path: string;
  /** Which product, for logs. */
  product: string;
  /** The product's settings: the app secret that signs deliveries, the handshake's verify token, the body limit. */
  settings: { appSecret: string; verifyToken: string; bodyLimitBytes: number };
  logger: Logger;
  /** Handle a verified JSON body; throw PayloadError for a 400, anything else to make Meta deliver it again (500). */
  onPayload(json: unknown): Promise<void>;
}

/** Meta echoes `hub.challenge` as it is; anything longer than this is not Meta. */
const MAX_CHALLENGE = 1000;

export function mountMetaWebhook(router: Router, options: MetaWebhookOptions): void {
  const { logger, product } = options;

  router.get(options.path, (req, res) => {
    const mode = req.query['hub.mode'];
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string'
      || challenge.length === 0 || challenge.length > MAX_CHALLENGE) {
      res.status(400).json({ error: 'expected hub.mode=subscribe, hub.verify_token and hub.challenge' });
      return;
    }
    if (!secretsEqual(token, options.settings.verifyToken)) {
      logger.warn({ product, ip: req.ip }, 'meta webhook: handshake with a wrong verify token, refused');
      res.status(403).json({ error: 'verify token does not match' });
      return;
    }
    logger.info({ product }, 'meta webhook: subscription verified');
    res.status(200).type('text/plain').send(challenge);
  });

  const raw = express.raw({ type: () => true, limit: options.settings.bodyLimitBytes });
  router.post(options.path, raw, async (req, res) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = req.get(HUB_SIGNATURE_HEADER);
    if (!header) {
      res.status(401).json({ error: `missing ${HUB_SIGNATURE_HEADER} header` });
      return;
    }
    if (!verifyHubSignature(body, options.settings.appSecret, header)) {
      logger.warn({ product, ip: req.ip }, 'meta webhook: signature does not match, refused');
      res.status(403).json({ error: 'signature does not match' });
      return;
    }
    // An engine failure is a 500: Meta delivers it again.
    await deliverVerifiedJson(body, res, options.onPayload, (why) => logger.warn({ product, ...why }, 'meta webhook: payload refused'));
  });
}


