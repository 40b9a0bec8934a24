/**
 * An in-process channel for engine tests: it records what the bot sends and can be
 * told to refuse (permanently or transiently), the way a platform would.
 */
import type { ChannelAdapter, ChannelContext, Notice, OutgoingMessage, Recipient, SendReceipt } from '../../src/channels/channel.ts';
import { PermanentSendError, TransientSendError } from '../../src/channels/send-errors.ts';

export interface Sent { to: Recipient; message: OutgoingMessage }

export class RecordingChannel implements ChannelAdapter {
  readonly rate = { perSecond: 1000, concurrent: 16 };
  readonly sent: Sent[] = [];
  readonly notices: Array<{ channelId: string; notice: Notice }> = [];
  /** Customer ids whose DMs are closed for good. */
  readonly refuse = new Set<string>();
  /** How many next sends fail transiently. */
  transientFailures = 0;

  constructor(readonly name = 'test') {}

  async start(_ctx: ChannelContext): Promise<void> {}
  async stop(): Promise<void> {}

  async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    if (this.refuse.has(to.customerId)) throw new PermanentSendError('dms_closed', 'dms_closed');
    if (this.transientFailures > 0) {
      this.transientFailures--;
      throw new TransientSendError('rate limited', 10);
    }
    this.sent.push({ to, message });
    return {};
  }

  async post(channelId: string, notice: Notice): Promise<void> {
    this.notices.push({ channelId, notice });
  }

  to(customerId: string): OutgoingMessage[] {
    return this.sent.filter((s) => s.to.customerId === customerId).map((s) => s.message);
  }
}
