/**
 * How Slack reaches the bot, chosen by the settings and hidden behind Bolt's Receiver:
 * HTTP mode mounts Bolt's ExpressReceiver at `POST /slack/events` on the bot's one port
 * (Bolt reads the raw body, checks the signing secret and refuses requests older than
 * five minutes with 401), or Socket Mode opens a WebSocket to Slack with the app token.
 */
import { ExpressReceiver, SocketModeReceiver, type Logger as SlackLogger, type Receiver, type webApi } from '@slack/bolt';
import type { Router } from 'express';
import type { SlackSettings } from './slack-settings.ts';

export const EVENTS_PATH = '/slack/events';

/** Slack's payloads are small; this bounds what one request may make the bot read. */
const BODY_LIMIT = '1mb';

export function createReceiver(
  settings: SlackSettings, router: Router, logger: SlackLogger, clientOptions: webApi.WebClientOptions,
): { receiver: Receiver; mode: 'http' | 'socket' } {
  if (settings.appToken) {
    return {
      mode: 'socket',
      receiver: new SocketModeReceiver({
        appToken: settings.appToken,
        logger,
        autoReconnectEnabled: true,
        installerOptions: { clientOptions },
      }),
    };
  }
  if (!settings.signingSecret) throw new Error('slack: SLACK_SIGNING_SECRET is required in HTTP mode');
  return {
    mode: 'http',
    receiver: new ExpressReceiver({
      signingSecret: settings.signingSecret,
      router,
      endpoints: EVENTS_PATH,
      logger,
      processBeforeResponse: false,
      bodyLimit: BODY_LIMIT,
    }),
  };
}
