/**
 * How Slack reaches the bot, chosen by the settings and hidden behind Bolt's Receiver:
 * HTTP mode mounts Bolt's ExpressReceiver at `POST /slack/events` on the bot's one port
 * (Bolt reads the raw body, checks the signing secret and refuses requests older than
 * five minutes with 401), or Socket Mode opens a WebSocket to Slack with the app token.
 *
 * Either way Slack is answered only once the listeners are done, so an event is
 * acknowledged only when what it carried is stored. When handling fails, HTTP mode
 * answers 500 and Socket Mode does not acknowledge the envelope: Slack then delivers the
 * event again (HTTP with `X-Slack-Retry-Num`, Socket Mode with `retry_attempt`; up to
 * three retries over about five minutes), and the engine takes a redelivery once by its
 * event id. An event that takes longer than Slack's three seconds is retried as well,
 * and the retry is then a duplicate.
 */
import {
  ExpressReceiver, SocketModeReceiver,
  type App, type Logger as SlackLogger, type Receiver, type ReceiverEvent, type webApi,
} from '@slack/bolt';
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
      receiver: new AckAfterProcessing(new SocketModeReceiver({
        appToken: settings.appToken,
        logger,
        autoReconnectEnabled: true,
        installerOptions: { clientOptions },
        processEventErrorHandler: async () => {
          logger.warn('slack: an event was not handled; it is not acknowledged, so Slack delivers it again');
          return false;
        },
      })),
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
      // Answer Slack after the listeners finished, not when they call ack().
      processBeforeResponse: true,
      processEventErrorHandler: async ({ response }) => {
        logger.warn('slack: an event was not handled; answered 500, so Slack delivers it again');
        if (!response.headersSent) response.writeHead(500).end();
        return false;
      },
      bodyLimit: BODY_LIMIT,
    }),
  };
}

/**
 * Socket Mode's counterpart of `processBeforeResponse`: Bolt acknowledges an Events API
 * envelope before its listeners run, so the acknowledgement is held here and sent only
 * once they returned. A listener that throws leaves the envelope unacknowledged.
 */
export class AckAfterProcessing implements Receiver {
  constructor(private readonly inner: Receiver) {}

  init(app: App): void {
    // The inner receiver only calls `processEvent` on what it is given.
    const deferring = { processEvent: (event: ReceiverEvent) => processThenAck(app, event) };
    this.inner.init(deferring as unknown as App);
  }

  start(...args: unknown[]): Promise<unknown> {
    return this.inner.start(...args);
  }

  stop(...args: unknown[]): Promise<unknown> {
    return this.inner.stop(...args);
  }
}

async function processThenAck(app: App, event: ReceiverEvent): Promise<void> {
  let held: { body: unknown } | undefined;
  await app.processEvent({ ...event, ack: async (body?: unknown) => { held = { body }; } });
  if (held) await event.ack(held.body);
}
