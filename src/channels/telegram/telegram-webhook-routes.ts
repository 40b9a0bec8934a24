/**
 * Telegram's webhook on the bot's port: `POST /telegram/webhook`. Telegram sends the
 * `secret_token` given to `setWebhook` in `X-Telegram-Bot-Api-Secret-Token` with every
 * update; it is compared in constant time before the body is read as JSON (401 when
 * missing, 403 when wrong). The update is handled to the end before the 200 goes out;
 * when the engine fails the answer is 500 and Telegram delivers the update again (the
 * engine drops what it already has, by event id).
 */
import express, { type Router } from 'express';
import type { Logger } from '../../logger.ts';
import { secretsEqual } from '../meta/hub-signature.ts';
import { deliverVerifiedJson, parsePayload } from '../webhook-json.ts';
import { updateEnvelopeSchema } from './telegram-update.ts';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface TelegramWebhookOptions {
  secret: string;
  bodyLimitBytes: number;
  logger: Logger;
  /** Handle one update (already known to be an object with an update id). */
  onUpdate(update: { update_id: number } & Record<string, unknown>): Promise<void>;
}

export function mountTelegramWebhook(router: Router, options: TelegramWebhookOptions): void {
  const raw = express.raw({ type: () => true, limit: options.bodyLimitBytes });
  router.post(TELEGRAM_WEBHOOK_PATH, raw, async (req, res) => {
    const given = req.get(TELEGRAM_SECRET_HEADER);
    if (!given) {
      res.status(401).json({ error: `missing ${TELEGRAM_SECRET_HEADER} header` });
      return;
    }
    if (!secretsEqual(given, options.secret)) {
      options.logger.warn({ ip: req.ip }, 'telegram webhook: wrong secret token, refused');
      res.status(403).json({ error: 'secret token does not match' });
      return;
    }
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    await deliverVerifiedJson(
      body, res,
      (json) => options.onUpdate(parsePayload(updateEnvelopeSchema, json)),
      (why) => options.logger.warn(why, 'telegram webhook: payload refused'),
    );
  });
}
