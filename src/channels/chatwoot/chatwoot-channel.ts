/**
 * One engine channel per kind of Chatwoot inbox (`chatwoot:whatsapp`,
 * `chatwoot:facebook`, …, and `chatwoot` for notices and API resolutions that do not
 * name a kind). They are thin: the webhook, the API client and its pacing are the
 * bridge's, shared by all of them.
 */
import type { ChannelAdapter, ChannelContext, Notice, OutgoingMessage, Recipient, SendReceipt } from '../../conversation/channel-contract/channel.ts';
import type { ChatwootBridge } from './chatwoot-bridge.ts';
import { canonicalChatwootContactId } from './chatwoot-ids.ts';

export class ChatwootChannel implements ChannelAdapter {
  readonly rate: { perSecond: number; concurrent: number };

  constructor(readonly name: string, private readonly bridge: ChatwootBridge) {
    // The bridge's client paces every chatwoot channel together; this only bounds each one.
    this.rate = { perSecond: bridge.settings.ratePerSecond, concurrent: 4 };
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.bridge.start(ctx.sink, ctx.http);
  }

  stop(): Promise<void> {
    return this.bridge.stop();
  }

  canonicalCustomerId(id: string): string | null {
    return canonicalChatwootContactId(id);
  }

  send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    return this.bridge.send(this.name, to, message);
  }

  post(channelId: string, notice: Notice): Promise<void> {
    return this.bridge.post(channelId, notice);
  }
}
