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
import { z } from 'zod';
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
      receiver: new SkipUnreadable(new AckAfterProcessing(new SocketModeReceiver({
        appToken: settings.appToken,
        logger,
        autoReconnectEnabled: true,
        installerOptions: { clientOptions },
        processEventErrorHandler: async () => {
          logger.warn('slack: an event was not handled; it is not acknowledged, so Slack delivers it again');
          return false;
        },
      })), logger),
    };
  }
  if (!settings.signingSecret) throw new Error('slack: SLACK_SIGNING_SECRET is required in HTTP mode');
  return {
    mode: 'http',
    receiver: new SkipUnreadable(new ExpressReceiver({
      signingSecret: settings.signingSecret,
      router,
      endpoints: EVENTS_PATH,
      logger,
      // Answer Slack after the listeners finished, not when they call ack().
      processBeforeResponse: true,
      processEventErrorHandler: async ({ error, response }) => {
        const e = error as { name?: string; code?: string; message?: string; original?: { name?: string; message?: string } };
        if ((e.original ?? e) instanceof NotConnectedYet) {
          logger.info('slack: an interaction that needs the connection came before it; answered 503 (Slack tells the person it failed)');
          if (!response.headersSent) response.writeHead(503).end();
          return false;
        }
        logger.warn(`slack: an event was not handled (${e.code ?? e.name ?? 'error'}: ${String(e.original?.message ?? e.message ?? '').slice(0, 160)}); answered 500, so Slack delivers it again`);
        if (!response.headersSent) response.writeHead(500).end();
        return false;
      },
      bodyLimit: BODY_LIMIT,
    }), logger),
  };
}

/** An interaction that needs Slack (a shortcut) came before the channel connected: answered 503, not 500. */
export class NotConnectedYet extends Error {
  override readonly name = 'NotConnectedYet';
  constructor(what: string) {
    super(`slack: ${what} came before the channel connected to Slack`);
  }
}

/**
 * The shape Bolt itself reads before any listener runs (the envelope, the event's type,
 * channel, user and item). A signed body that is not of that shape made Bolt throw a
 * TypeError (`'id' in null`) and the bot answer 500, and Slack would deliver it again,
 * forever unreadable (found by `npm run fuzz`); it is now acknowledged and skipped.
 */
const idOrObject = z.union([z.string().max(256), z.object({}).loose()]).optional();
const readableBody = z.object({
  type: z.string().max(100),
  team_id: z.string().max(64).nullish(),
  enterprise_id: z.string().max(64).nullish(),
  api_app_id: z.string().max(64).nullish(),
  authorizations: z.array(z.object({}).loose()).nullish(),
  event: z.object({
    type: z.string().max(100),
    channel: idOrObject,
    user: idOrObject,
    item: z.object({ channel: z.string().max(256).optional() }).loose().optional(),
  }).loose().optional(),
}).loose().refine((b) => b.type !== 'event_callback' || b.event !== undefined);

export class SkipUnreadable implements Receiver {
  constructor(private readonly inner: Receiver, private readonly logger: SlackLogger) {}

  init(app: App): void {
    const checking = {
      processEvent: async (event: ReceiverEvent) => {
        if (readableBody.safeParse(event.body).success) return app.processEvent(event);
        this.logger.warn('slack: an event Bolt cannot read was acknowledged and skipped');
        await event.ack();
      },
    };
    this.inner.init(checking as unknown as App);
  }

  start(...args: unknown[]): Promise<unknown> {
    return this.inner.start(...args);
  }

  stop(...args: unknown[]): Promise<unknown> {
    return this.inner.stop(...args);
  }
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
