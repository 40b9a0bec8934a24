/**
 * Who may be asked, decided at send time (not at resolution), so an opt-out or a
 * survey that went out in between is always seen. The fatigue window is enforced by
 * a conditional update on the contact that doubles as a reservation: two surveys for
 * the same customer claimed at once cannot both pass.
 */
import { createHash } from 'node:crypto';
import type { Model } from 'mongoose';
import type { ContactDoc } from '../contact-model.ts';

export type SkipReason = 'opted-out' | 'fatigue' | 'staff' | 'bot';

/** The one-way id a forgotten customer's opt-out is kept under. */
export function forgottenId(channel: string, customerId: string): string {
  return `sha256:${createHash('sha256').update(`${channel}\u0000${customerId}`).digest('hex')}`;
}

/** Staff and bot lists: a bare id matches any channel, `channel:id` one channel. */
export function listed(list: readonly string[], channel: string, id: string): boolean {
  return list.includes(id) || list.includes(`${channel}:${id}`);
}

export class Eligibility {
  constructor(
    private readonly contacts: Model<ContactDoc>,
    private readonly opts: { fatigueMs: number; staffIds: readonly string[]; botIds: readonly string[] },
  ) {}

  /** A reason not to ask decided from lists alone, before touching the contact. */
  listReason(channel: string, customerId: string, isBot: boolean): SkipReason | null {
    if (isBot || listed(this.opts.botIds, channel, customerId)) return 'bot';
    if (listed(this.opts.staffIds, channel, customerId)) return 'staff';
    return null;
  }

  /**
   * Reserve the customer for a survey now. Returns null when reserved, or why not.
   * `previous` is what lastSurveyedAt was, to undo the reservation if the send fails.
   */
  async reserve(channel: string, customerId: string, now: Date): Promise<{ reason: SkipReason | null; previous?: Date | null }> {
    const hashed = await this.contacts.exists({ channel, customerId: forgottenId(channel, customerId), optedOut: true });
    if (hashed) return { reason: 'opted-out' };
    const threshold = new Date(now.getTime() - this.opts.fatigueMs);
    const before = await this.contacts.findOneAndUpdate(
      {
        channel, customerId, optedOut: { $ne: true },
        $or: [{ lastSurveyedAt: { $exists: false } }, { lastSurveyedAt: null }, { lastSurveyedAt: { $lte: threshold } }],
      },
      { $set: { lastSurveyedAt: now } },
      { new: false, lean: true },
    ).exec();
    if (before) return { reason: null, previous: before.lastSurveyedAt ?? null };
    const contact = await this.contacts.findOne({ channel, customerId }).lean().exec();
    if (contact?.optedOut) return { reason: 'opted-out' };
    if (contact) return { reason: 'fatigue' };
    // No contact yet (resolution stored it, but it may have been forgotten since): create and retry once.
    await this.contacts.updateOne({ channel, customerId }, { $setOnInsert: { channel, customerId } }, { upsert: true }).exec();
    return this.reserve(channel, customerId, now);
  }

  /** Undo a reservation whose question could not be delivered. */
  async unreserve(channel: string, customerId: string, reservedAt: Date, previous: Date | null | undefined): Promise<void> {
    await this.contacts.updateOne(
      { channel, customerId, lastSurveyedAt: reservedAt },
      previous ? { $set: { lastSurveyedAt: previous } } : { $unset: { lastSurveyedAt: '' } },
    ).exec();
  }
}
