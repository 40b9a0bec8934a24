/**
 * Who last signed a brand DM to each customer ("… ^AB"), kept in the channel's shared
 * state so any process can answer `findAgent` when the care tool resolves an X
 * conversation without naming the agent.
 */
import type { AgentRef } from '../../conversation/channel-contract/channel.ts';
import type { ChannelStateStore } from '../../conversation/channel-contract/channel-state.ts';

const PREFIX = 'signed-agent:';
/** A care conversation is resolved within days; a month covers late resolutions too. */
const KEEP_MS = 30 * 86_400_000;

/** `nps-bot forget`: who last signed a DM to the customer. */
export async function forgetSignedAgent(state: ChannelStateStore, customerId: string): Promise<void> {
  await state.delete(PREFIX + customerId);
}

export class SignedAgents {
  constructor(private readonly state: ChannelStateStore) {}

  async remember(customerId: string, agentId: string): Promise<void> {
    await this.state.set(PREFIX + customerId, agentId, { expiresAt: new Date(Date.now() + KEEP_MS) });
  }

  /** The agent who last signed a DM to this customer, or null when none was seen. */
  async lastFor(customerId: string): Promise<AgentRef | null> {
    const id = await this.state.get(PREFIX + customerId);
    return id ? { id } : null;
  }
}
