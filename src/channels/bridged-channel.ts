/**
 * One engine channel of a helpdesk bridge (`zendesk:whatsapp`, `intercom:messenger`, …).
 * The bridge owns the webhooks, the API clients and their pacing, shared by every
 * channel it registers; each channel only names itself and forwards.
 */
import type { Router } from 'express';
import type { ChannelAdapter, ChannelContext, EngineSink, Notice, OutgoingMessage, Recipient, SendReceipt } from '../conversation/channel-contract/channel.ts';

export interface HelpdeskBridge {
  readonly ratePerSecond: number;
  start(sink: EngineSink, http: Router): void;
  stop(): Promise<void>;
  send(channel: string, to: Recipient, message: OutgoingMessage): Promise<SendReceipt>;
  post(channelId: string, notice: Notice): Promise<void>;
}

export class BridgedChannel implements ChannelAdapter {
  readonly rate: { perSecond: number; concurrent: number };

  constructor(readonly name: string, private readonly bridge: HelpdeskBridge) {
    this.rate = { perSecond: bridge.ratePerSecond, concurrent: 4 };
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.bridge.start(ctx.sink, ctx.http);
  }

  stop(): Promise<void> {
    return this.bridge.stop();
  }

  send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    return this.bridge.send(this.name, to, message);
  }

  post(channelId: string, notice: Notice): Promise<void> {
    return this.bridge.post(channelId, notice);
  }
}
