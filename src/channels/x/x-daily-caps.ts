/**
 * X's daily DM caps (per app and per sending user), counted in the channel's shared
 * state so every process running the bot draws on the same allowance. A send takes one
 * DM from every cap before it goes out; when a cap is used up the send fails at once
 * with a TransientSendError carrying the time to the next window, instead of queueing
 * for hours inside the outbox.
 *
 * Windows are fixed (24 h from midnight UTC by default), one counter per cap and window;
 * an old window's counter expires on its own.
 */
import type { ChannelStateStore } from '../../conversation/channel-contract/channel-state.ts';
import { TransientSendError } from '../../conversation/channel-contract/send-errors.ts';

export const DAY_MS = 86_400_000;

/** Which window a DM was counted in, so giving it back never touches the next one. */
export interface CapTicket { window: number }

interface Cap { label: string; key: string; perWindow: number }

export class DailyDmCaps {
  private readonly caps: Cap[];

  constructor(
    private readonly state: ChannelStateStore,
    limits: { perApp: number; perUser: number },
    private readonly windowMs = DAY_MS,
    private readonly now: () => number = Date.now,
  ) {
    // One brand account per bot, so the user cap and the app cap count the same sends.
    this.caps = [
      { label: 'per app', key: 'dm-cap:app', perWindow: limits.perApp },
      { label: 'per user', key: 'dm-cap:user', perWindow: limits.perUser },
    ];
  }

  /** Take one DM from every cap, or throw TransientSendError with the wait until the next window. */
  async take(): Promise<CapTicket> {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    const taken: Cap[] = [];
    for (const cap of this.caps) {
      const used = await this.state.increment(this.key(cap, window), 1, this.expiry(window));
      if (used <= cap.perWindow) {
        taken.push(cap);
        continue;
      }
      // Over the cap (perhaps by another process's DM at the same moment): undo ours.
      await Promise.all([cap, ...taken].map((c) => this.state.increment(this.key(c, window), -1, this.expiry(window))));
      const msToNextWindow = (window + 1) * this.windowMs - now;
      throw new TransientSendError(`X daily DM limit reached (${cap.perWindow} ${cap.label} per 24 h)`, msToNextWindow + 1000);
    }
    return { window };
  }

  /** The DM did not go out (X counts only DMs that went out): hand it back to its window. */
  async giveBack(ticket: CapTicket): Promise<void> {
    await Promise.all(this.caps.map((c) => this.state.increment(this.key(c, ticket.window), -1, this.expiry(ticket.window))));
  }

  private key(cap: Cap, window: number): string {
    return `${cap.key}:${this.windowMs}:${window}`;
  }

  /** A window's counter is kept one window longer than the window, then swept. */
  private expiry(window: number): Date {
    return new Date((window + 2) * this.windowMs);
  }
}
