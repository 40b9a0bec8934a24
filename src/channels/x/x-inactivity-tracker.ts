/**
 * The optional "resolved by inactivity" rule: the brand sent the last DM of a
 * conversation and the customer has not written for N hours. X has no resolve button,
 * so this is how a DM conversation can end on its own.
 *
 * Each customer's conversation is one entry in the channel's shared state (so every
 * process sees what the others saw, and a restart forgets nothing), changed by
 * compare-and-set. While the brand has the last word the entry is due N hours after
 * the brand's last DM; any process's check may pick it up. The conversation id names
 * the brand's last DM (`dm:<customerId>:<dmId>`), so the same conversation found twice
 * (two processes, a redelivery, a restart) is the same resolution: the engine answers
 * `duplicate`.
 */
import { z } from 'zod';
import type { ChannelStateStore } from '../../conversation/channel-contract/channel-state.ts';

export interface BrandDm { id: string; at: number; agentId?: string }

export interface InactiveConversation {
  customerId: string;
  customerName?: string;
  conversationId: string;
  lastBrandDmId: string;
  /** When the brand's last DM went out: the conversation's end. */
  resolvedAt: Date;
  /** The last signing agent, or undefined when no brand DM was signed. */
  agentId?: string;
}

/** One conversation as stored (JSON). `lastWord` is decided when a DM arrives: on equal times, the later arrival. */
const conversationSchema = z.object({
  customerName: z.string().max(200).optional(),
  lastCustomerAt: z.number().finite().optional(),
  lastBrand: z.object({ id: z.string().max(40), at: z.number().finite() }).optional(),
  lastSignedAgentId: z.string().max(300).optional(),
  lastWord: z.enum(['brand', 'customer']).optional(),
});
type Conversation = z.infer<typeof conversationSchema>;

const PREFIX = 'inactivity:';
/** How long a quiet conversation is remembered after its last DM (it is resolved long before, if ever). */
const KEEP_MS = 30 * 86_400_000;
/** Compare-and-set attempts when other processes keep changing the same conversation. */
const MAX_RACES = 8;
/** Conversations handed out per check; the next check takes the rest. */
const DUE_PER_CHECK = 200;

export class InactivityRaceError extends Error {
  override readonly name = 'InactivityRaceError';
}

/** `nps-bot forget`: the customer's conversation entry (it holds their name and would start a survey). */
export async function forgetInactivity(state: ChannelStateStore, customerId: string): Promise<void> {
  await state.delete(PREFIX + customerId);
}

export class InactivityTracker {
  constructor(private readonly state: ChannelStateStore, private readonly afterMs: number) {}

  async customerWrote(customerId: string, at: number, name?: string): Promise<void> {
    await this.change(customerId, (c) => {
      c.lastCustomerAt = Math.max(c.lastCustomerAt ?? at, at);
      c.lastWord = c.lastBrand && c.lastBrand.at > c.lastCustomerAt ? 'brand' : 'customer';
      if (name) c.customerName = name;
      return c;
    });
  }

  async brandWrote(customerId: string, dm: BrandDm): Promise<void> {
    await this.change(customerId, (c) => {
      if (!c.lastBrand || dm.at >= c.lastBrand.at) c.lastBrand = { id: dm.id, at: dm.at };
      c.lastWord = c.lastCustomerAt === undefined || c.lastBrand.at >= c.lastCustomerAt ? 'brand' : 'customer';
      if (dm.agentId) c.lastSignedAgentId = dm.agentId;
      return c;
    });
  }

  /** The bot itself is talking to this customer (a survey): whatever was open is over. */
  async forget(customerId: string): Promise<void> {
    await this.change(customerId, () => null);
  }

  /** Conversations whose brand DM is the last word and is at least N hours old. */
  async due(now: number): Promise<InactiveConversation[]> {
    const entries = await this.state.due(PREFIX, new Date(now), DUE_PER_CHECK);
    return entries.flatMap((e) => {
      const c = parse(e.value);
      if (!c?.lastBrand || c.lastWord !== 'brand') return [];
      const customerId = e.key.slice(PREFIX.length);
      return [{
        customerId,
        customerName: c.customerName,
        conversationId: `dm:${customerId}:${c.lastBrand.id}`,
        lastBrandDmId: c.lastBrand.id,
        resolvedAt: new Date(c.lastBrand.at),
        agentId: c.lastSignedAgentId,
      }];
    });
  }

  /** The resolution was handed to the engine: stop tracking, unless someone wrote since. */
  async resolved(customerId: string, lastBrandDmId: string): Promise<void> {
    await this.change(customerId, (c) => (c.lastBrand?.id === lastBrandDmId && c.lastWord === 'brand' ? null : c));
  }

  /** Read, change, compare-and-set; again when another process changed it in between. */
  private async change(customerId: string, edit: (c: Conversation) => Conversation | null): Promise<void> {
    const key = PREFIX + customerId;
    for (let race = 0; race < MAX_RACES; race++) {
      const before = await this.state.get(key);
      const next = edit(parse(before) ?? {});
      const value = next ? JSON.stringify(next) : null;
      if (value === before) return;
      if (await this.state.compareAndSet(key, before, value, next ? this.timing(next) : { expiresAt: new Date(0) })) return;
    }
    throw new InactivityRaceError(`x: the inactivity entry kept changing under ${MAX_RACES} attempts`);
  }

  private timing(c: Conversation): { expiresAt: Date; dueAt?: Date } {
    const last = Math.max(c.lastCustomerAt ?? 0, c.lastBrand?.at ?? 0, Date.now());
    const dueAt = c.lastWord === 'brand' && c.lastBrand ? new Date(c.lastBrand.at + this.afterMs) : undefined;
    return { expiresAt: new Date(last + this.afterMs + KEEP_MS), ...(dueAt ? { dueAt } : {}) };
  }
}

/** A stored conversation, or null when there is none (or it is not readable: then it starts over). */
function parse(value: string | null): Conversation | null {
  if (value === null) return null;
  try {
    const parsed = conversationSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
