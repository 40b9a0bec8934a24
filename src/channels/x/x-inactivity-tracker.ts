/**
 * The optional "resolved by inactivity" rule: the brand sent the last DM of a
 * conversation and the customer has not written for N hours. X has no resolve button,
 * so this is how a DM conversation can end on its own.
 *
 * The adapter keeps no database, so this is a bounded in-memory map (oldest
 * conversations dropped first). What makes it safe is the conversation id: it names
 * the brand's last DM (`dm:<customerId>:<dmId>`), so the same conversation found twice
 * (redelivery, restart) is the same resolution and the engine answers `duplicate`.
 */

export interface BrandDm { id: string; at: number; agentId?: string }

/** When a DM was sent, and the order it arrived in (breaks ties between equal timestamps). */
interface Moment { at: number; seq: number }

interface Conversation {
  customerName?: string;
  lastCustomer?: Moment;
  lastBrand?: Moment & { id: string };
  /** The last brand DM that carried a signature: who is credited when the last one did not. */
  lastSignedAgentId?: string;
}

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

export class InactivityTracker {
  private readonly conversations = new Map<string, Conversation>();
  private droppedWarned = false;
  private seq = 0;

  constructor(
    private readonly afterMs: number,
    private readonly maxConversations = 50_000,
    private readonly onDrop: (count: number) => void = () => {},
  ) {}

  get size(): number {
    return this.conversations.size;
  }

  customerWrote(customerId: string, at: number, name?: string): void {
    const c = this.touch(customerId);
    const moment = { at, seq: ++this.seq };
    if (!c.lastCustomer || !isBefore(moment, c.lastCustomer)) c.lastCustomer = moment;
    if (name) c.customerName = name;
  }

  brandWrote(customerId: string, dm: BrandDm): void {
    const c = this.touch(customerId);
    const moment = { at: dm.at, seq: ++this.seq };
    if (!c.lastBrand || !isBefore(moment, c.lastBrand)) c.lastBrand = { id: dm.id, ...moment };
    if (dm.agentId) c.lastSignedAgentId = dm.agentId;
  }

  /** The bot itself is talking to this customer (a survey): whatever was open is over. */
  forget(customerId: string): void {
    this.conversations.delete(customerId);
  }

  /** Conversations whose brand DM is the last word and is at least N hours old. */
  due(now: number): InactiveConversation[] {
    const out: InactiveConversation[] = [];
    for (const [customerId, c] of this.conversations) {
      const brand = c.lastBrand;
      if (!brand || (c.lastCustomer && isBefore(brand, c.lastCustomer))) continue;
      if (now - brand.at < this.afterMs) continue;
      out.push({
        customerId,
        customerName: c.customerName,
        conversationId: `dm:${customerId}:${brand.id}`,
        lastBrandDmId: brand.id,
        resolvedAt: new Date(brand.at),
        agentId: c.lastSignedAgentId,
      });
    }
    return out;
  }

  /** The resolution was handed to the engine: stop tracking, unless someone wrote since. */
  resolved(customerId: string, lastBrandDmId: string): void {
    const c = this.conversations.get(customerId);
    if (c?.lastBrand?.id === lastBrandDmId) this.conversations.delete(customerId);
  }

  /** Move the conversation to the young end of the map, dropping the oldest when full. */
  private touch(customerId: string): Conversation {
    const c = this.conversations.get(customerId) ?? {};
    this.conversations.delete(customerId);
    this.conversations.set(customerId, c);
    if (this.conversations.size > this.maxConversations) {
      const oldest = this.conversations.keys().next().value;
      if (oldest !== undefined) this.conversations.delete(oldest);
      if (!this.droppedWarned) {
        this.droppedWarned = true;
        this.onDrop(this.maxConversations);
      }
    }
    return c;
  }
}

function isBefore(a: Moment, b: Moment): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
