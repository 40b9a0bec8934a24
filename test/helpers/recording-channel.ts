/**
 * An in-process channel for engine tests: it records what the bot sends and can be
 * told to refuse (permanently or transiently), the way a platform would.
 */
import type { ChannelAdapter, ChannelContext, Notice, OutgoingMessage, Recipient, SendReceipt } from '../../src/conversation/channel-contract/channel.ts';
import { PermanentSendError, TransientSendError, WindowClosedError } from '../../src/conversation/channel-contract/send-errors.ts';

export interface Sent { to: Recipient; message: OutgoingMessage }

export class RecordingChannel implements ChannelAdapter {
  readonly rate = { perSecond: 1000, concurrent: 16 };
  readonly sent: Sent[] = [];
  readonly notices: Array<{ channelId: string; notice: Notice }> = [];
  /** Customer ids the platform may not message now (Meta's 24-hour window has closed). */
  readonly closedWindows = new Set<string>();
  /** Customer ids whose DMs are closed for good. */
  readonly refuse = new Set<string>();
  /** How many next sends fail transiently. */
  transientFailures = 0;
  /** Customer ids whose next send is told to wait this long (a platform's retry-after). */
  readonly retryAfter = new Map<string, number>();
  /** Customer ids whose sends fail with no word on when to come back (a 5xx without Retry-After), until removed. */
  readonly failing = new Set<string>();
  /** Sends that began, including held ones. */
  started = 0;
  /**
   * Called after the platform accepted a message (it is recorded as sent), before the
   * send returns: a test cuts the database or stalls here to stand for a crash at that moment.
   */
  afterAccept: ((message: OutgoingMessage) => void | Promise<void>) | null = null;
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  constructor(readonly name = 'test') {}

  async start(_ctx: ChannelContext): Promise<void> {}
  async stop(): Promise<void> {}

  /** Hold every question send open (a slow platform) until `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => { this.openGate = resolve; });
  }

  release(): void {
    this.openGate?.();
    this.gate = null;
  }

  /** Resolves once `n` sends have begun; fails after `withinMs`. */
  async sendsStarted(n = 1, withinMs = 20_000): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (this.started < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.started} of ${n} sends began within ${withinMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async send(to: Recipient, message: OutgoingMessage): Promise<SendReceipt> {
    this.started++;
    const wait = this.retryAfter.get(to.customerId);
    if (wait !== undefined) {
      this.retryAfter.delete(to.customerId);
      throw new TransientSendError('rate limited', wait, 'chat'); // this customer's chat, not the whole platform
    }
    if (this.failing.has(to.customerId)) throw new TransientSendError('503 Service Unavailable');
    if (this.gate && message.kind === 'question') await this.gate;
    if (this.closedWindows.has(to.customerId)) throw new WindowClosedError();
    if (this.refuse.has(to.customerId)) throw new PermanentSendError('dms_closed', 'dms_closed');
    if (this.transientFailures > 0) {
      this.transientFailures--;
      throw new TransientSendError('rate limited', 10);
    }
    this.sent.push({ to, message });
    await this.afterAccept?.(message);
    return {};
  }

  /**
   * The platform takes `count` messages of `kind` and answers none of them until it has
   * taken them all (then `onAll` runs): their settles are in flight together. Undo with
   * `afterAccept = null`.
   */
  answerTogether(kind: OutgoingMessage['kind'], count: number, onAll: () => void = () => {}): void {
    let accepted = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => { open = resolve; });
    this.afterAccept = async (m) => {
      if (m.kind !== kind) return;
      if (++accepted === count) {
        onAll();
        open();
      }
      await gate;
    };
  }

  async post(channelId: string, notice: Notice): Promise<void> {
    this.notices.push({ channelId, notice });
  }

  to(customerId: string): OutgoingMessage[] {
    return this.sent.filter((s) => s.to.customerId === customerId).map((s) => s.message);
  }
}
