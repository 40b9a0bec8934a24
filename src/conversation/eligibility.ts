/**
 * Who may be asked, decided at send time (not at resolution), so an opt-out or a
 * survey that went out in between is always seen. The fatigue window is enforced by
 * a versioned update of the contact that doubles as a reservation: two surveys for
 * the same customer claimed at once cannot both pass.
 */
import type { Model } from 'mongoose';
import type { ContactDoc } from './contact-model.ts';
import { forgottenId, optOutKey, type OptOutDoc } from './opt-out-model.ts';
import { isDuplicateKey } from '../storage/mongo-errors.ts';
import { versionedUpdate } from '../storage/versioned-update.ts';

export type SkipReason = 'opted-out' | 'fatigue' | 'staff' | 'bot';

/** Staff and bot lists: a bare id matches any channel, `channel:id` one channel. */
export function listed(list: readonly string[], channel: string, id: string): boolean {
  return list.includes(id) || list.includes(`${channel}:${id}`);
}

export class Eligibility {
  constructor(
    private readonly contacts: Model<ContactDoc>,
    private readonly optOuts: Model<OptOutDoc>,
    private readonly opts: { fatigueMs: number; staffIds: readonly string[]; botIds: readonly string[] },
  ) {}

  /** A reason not to ask decided from lists alone, before touching the database. */
  listReason(channel: string, customerId: string): SkipReason | null {
    if (listed(this.opts.botIds, channel, customerId)) return 'bot';
    if (listed(this.opts.staffIds, channel, customerId)) return 'staff';
    return null;
  }

  async optedOut(channel: string, customerId: string): Promise<boolean> {
    const found = await this.optOuts.exists({ _id: { $in: [optOutKey(channel, customerId), forgottenId(channel, customerId)] } });
    return found !== null;
  }

  /** Record an opt-out for good (insert-only; a second one is a no-op). */
  async optOut(channel: string, customerId: string, at: Date): Promise<void> {
    try {
      await this.optOuts.create({ _id: optOutKey(channel, customerId), channel, at });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /**
   * Reserve the customer for a survey now. Returns null when reserved, or why not.
   * `previous` is what lastSurveyedAt was, to undo the reservation if the send fails.
   */
  async reserve(channel: string, customerId: string, now: Date): Promise<{ reason: SkipReason | null; previous?: Date | null }> {
    if (await this.optedOut(channel, customerId)) return { reason: 'opted-out' };
    const threshold = now.getTime() - this.opts.fatigueMs;
    for (let attempt = 0; attempt < 5; attempt++) {
      const contact = await this.contacts.findOne({ channel, customerId }).lean().exec();
      if (!contact) {
        await this.ensureContact(channel, customerId);
        continue;
      }
      if (contact.lastSurveyedAt && contact.lastSurveyedAt.getTime() > threshold) return { reason: 'fatigue' };
      const reserved = await versionedUpdate(this.contacts, contact._id, contact.version ?? 0, { $set: { lastSurveyedAt: now } });
      if (reserved) return { reason: null, previous: contact.lastSurveyedAt ?? null };
      // Another survey for this customer reserved it in between: look again.
    }
    return { reason: 'fatigue' };
  }

  /** Undo a reservation whose question could not be delivered. */
  async unreserve(channel: string, customerId: string, reservedAt: Date, previous: Date | null | undefined): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const contact = await this.contacts.findOne({ channel, customerId }).lean().exec();
      if (!contact || contact.lastSurveyedAt?.getTime() !== reservedAt.getTime()) return;
      const update = previous ? { $set: { lastSurveyedAt: previous } } : { $unset: { lastSurveyedAt: '' } };
      if (await versionedUpdate(this.contacts, contact._id, contact.version ?? 0, update)) return;
    }
  }

  /** Create the contact if it is new (insert-only, so it never overwrites anything). */
  async ensureContact(channel: string, customerId: string): Promise<void> {
    try {
      await this.contacts.create({ channel, customerId, version: 0 });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
}
