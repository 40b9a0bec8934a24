/**
 * The outbox, counted from outside: how many sends it holds now (queued for the rate
 * limiter, waiting between retries, or in flight) and how each ended after its retries.
 */
import type { Notice, OutgoingMessage, Recipient, SendReceipt } from '../conversation/channel-contract/channel.ts';
import { Outbox } from '../conversation/outbox.ts';
import { labelValue, type BotMetrics } from './bot-metrics.ts';
import { sendOutcome } from './metered-adapters.ts';

export class MeteredOutbox extends Outbox {
  constructor(adapters: ConstructorParameters<typeof Outbox>[0], options: ConstructorParameters<typeof Outbox>[1], private readonly metrics: BotMetrics) {
    super(adapters, options);
  }

  override send(channel: string, to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    return this.track(channel, 'message', () => super.send(channel, to, message));
  }

  override post(channel: string, channelId: string, notice: Notice): Promise<void> {
    return this.track(channel, 'notice', () => super.post(channel, channelId, notice));
  }

  private async track<T>(channel: string, kind: string, work: () => Promise<T>): Promise<T> {
    const labels = { channel: labelValue(channel) };
    this.metrics.outboxDepth.inc(labels);
    try {
      const out = await work();
      this.metrics.sends.inc({ ...labels, kind, outcome: 'ok' });
      return out;
    } catch (err) {
      this.metrics.sends.inc({ ...labels, kind, outcome: sendOutcome(err) });
      throw err;
    } finally {
      this.metrics.outboxDepth.dec(labels);
    }
  }
}
