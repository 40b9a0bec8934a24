/**
 * The terminal channel for `nps-bot demo`: messages to the "customer" are printed,
 * and the demo reads the customer's replies from standard input.
 */
import type { ChannelAdapter, ChannelContext, Notice, OutgoingMessage, Recipient, SendReceipt } from '../conversation/channel-contract/channel.ts';

export class ConsoleChannel implements ChannelAdapter {
  readonly name = 'console';
  readonly rate = { perSecond: 100 };

  constructor(private readonly write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {}

  async start(_ctx: ChannelContext): Promise<void> {}

  async stop(): Promise<void> {}

  async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    this.write(`\nbot → ${to.customerName ?? to.customerId}: ${message.text}`);
    if (message.choices) this.write(`      [ ${message.choices.join(' | ')} ]`);
    return {};
  }

  async post(channelId: string, notice: Notice): Promise<void> {
    this.write(`\n[notice to #${channelId}] ${notice.text}`);
  }
}
