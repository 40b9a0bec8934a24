/**
 * What "resolved" means in Slack, turned into the engine's `resolved` event. A staff
 * member either adds the resolve reaction to the root message of a thread in a care
 * channel, or uses the "Mark resolved" message shortcut on any message of such a
 * thread. The customer is the author of the root message; the agent is the resolver
 * (or the staff member who replied most, by setting); the conversation is the thread.
 * Every staff member who replied in the thread is counted in `participants` (for the
 * attribution rules), so the thread is read whole (up to 1000 messages).
 */
import type { EngineSink, ResolveOutcome } from '../../conversation/channel-contract/channel.ts';
import type { Logger } from '../../logger.ts';
import { conversationIdOf } from './slack-address.ts';
import type { SlackApi, SlackUser, ThreadMessage } from './slack-api.ts';
import { slackErrorCode } from './slack-errors.ts';
import { retryRateLimited, RESOLUTION_READ_RETRY, type RateRetry } from './slack-rate-retry.ts';
import type { MessageShortcut, ReactionAdded } from './slack-payloads.ts';
import type { SlackSettings } from './slack-settings.ts';

/** Why a resolution did nothing, in words a staff member can act on. */
export type NotResolved =
  | 'not-staff' | 'not-care-channel' | 'wrong-emoji' | 'not-a-message' | 'not-root'
  | 'no-customer' | 'customer-is-staff' | 'customer-is-this-bot' | 'thread-not-found';

export type ResolutionResult =
  | { resolved: true; outcome: ResolveOutcome; customerId: string }
  | { resolved: false; reason: NotResolved };

export interface ResolutionDeps {
  api: SlackApi;
  settings: SlackSettings;
  sink: EngineSink;
  logger: Logger;
  botUserId: () => string | undefined;
  now?: () => Date;
  /** How a `ratelimited` read is waited out (default RESOLUTION_READ_RETRY). */
  rateRetry?: RateRetry;
}

export class SlackResolution {
  private readonly retry: RateRetry;

  constructor(private readonly deps: ResolutionDeps) {
    this.retry = deps.rateRetry ?? RESOLUTION_READ_RETRY;
  }

  async fromReaction(e: ReactionAdded): Promise<ResolutionResult> {
    const { settings } = this.deps;
    // Skin tones arrive as `+1::skin-tone-2`; the emoji is what counts.
    if (e.reaction.split('::')[0] !== settings.resolveEmoji) return { resolved: false, reason: 'wrong-emoji' };
    if (e.item.type !== 'message' || !e.item.channel || !e.item.ts) return { resolved: false, reason: 'not-a-message' };
    if (!settings.careChannels.has(e.item.channel)) return { resolved: false, reason: 'not-care-channel' };
    if (!settings.staffIds.has(e.user)) return { resolved: false, reason: 'not-staff' };
    return this.resolveThread(e.item.channel, e.item.ts, e.user, true);
  }

  async fromShortcut(s: MessageShortcut): Promise<ResolutionResult> {
    const { settings } = this.deps;
    if (!settings.staffIds.has(s.user.id)) return { resolved: false, reason: 'not-staff' };
    if (!settings.careChannels.has(s.channel.id)) return { resolved: false, reason: 'not-care-channel' };
    return this.resolveThread(s.channel.id, s.message.thread_ts ?? s.message.ts, s.user.id, false);
  }

  private async resolveThread(channel: string, rootTs: string, resolverId: string, mustBeRoot: boolean): Promise<ResolutionResult> {
    const { api, settings } = this.deps;
    const wantReplies = settings.agentRule === 'most-replies';
    let messages: ThreadMessage[];
    try {
      messages = await retryRateLimited(() => api.thread(channel, rootTs, { maxMessages: 1000 }), this.retry);
    } catch (err) {
      const code = slackErrorCode(err);
      if (code === 'thread_not_found' || code === 'message_not_found' || code === 'channel_not_found') return { resolved: false, reason: 'thread-not-found' };
      throw err;
    }
    const root = messages[0];
    if (!root) return { resolved: false, reason: 'thread-not-found' };
    // conversations.replies on a reply's ts answers with the thread's parent first.
    const isRoot = root.ts === rootTs && (root.threadTs === undefined || root.threadTs === root.ts);
    if (!isRoot) return mustBeRoot ? { resolved: false, reason: 'not-root' } : { resolved: false, reason: 'thread-not-found' };
    const customerId = root.user;
    if (!customerId) return { resolved: false, reason: 'no-customer' };
    if (settings.staffIds.has(customerId)) return { resolved: false, reason: 'customer-is-staff' };
    if (customerId === this.deps.botUserId()) return { resolved: false, reason: 'customer-is-this-bot' };

    const agentId = wantReplies ? mostReplies(messages.slice(1), settings.staffIds) ?? resolverId : resolverId;
    const participants = staffReplies(messages.slice(1), settings.staffIds);
    const [customer, agent, link] = await Promise.all([
      this.userOrNull(customerId),
      this.userOrNull(agentId),
      this.link(channel, rootTs),
    ]);
    const outcome = await this.deps.sink.resolved({
      channel: 'slack',
      conversationId: conversationIdOf(channel, rootTs),
      customer: {
        id: customerId,
        ...(customer?.name ? { name: customer.name } : {}),
        ...(customer?.locale ? { locale: customer.locale } : {}),
        isBot: customer?.isBot === true || root.botId !== undefined,
      },
      agent: { id: agentId, ...(agent?.name ? { name: agent.name } : {}) },
      resolvedAt: this.deps.now?.() ?? new Date(),
      link,
      ...(participants.length > 0 ? { participants: participants.map((p) => (p.id === agentId && agent?.name ? { ...p, name: agent.name } : p)) } : {}),
    });
    this.deps.logger.info({ surveyId: outcome.surveyId, status: outcome.status, agentId }, 'slack thread resolved');
    return { resolved: true, outcome, customerId };
  }

  /** users.info, but a failure only costs the name and locale, not the survey. */
  private async userOrNull(userId: string): Promise<SlackUser | null> {
    try {
      return await retryRateLimited(() => this.deps.api.user(userId), this.retry);
    } catch (err) {
      this.deps.logger.warn({ err: slackErrorCode(err) }, 'slack users.info failed; asking without name and locale'); // no user id at warn: it is the customer's
      return null;
    }
  }

  private async link(channel: string, ts: string): Promise<string> {
    try {
      return await this.deps.api.permalink(channel, ts);
    } catch {
      return `https://slack.com/archives/${channel}/p${ts.replace('.', '')}`;
    }
  }
}

/**
 * Every staff member who replied in the thread (not as a bot), with how many replies each,
 * in the order of each one's last reply (the last entry replied last), as the attribution
 * rules read `participants`.
 */
export function staffReplies(replies: readonly ThreadMessage[], staff: ReadonlySet<string>): Array<{ id: string; replies: number }> {
  const counts = new Map<string, { n: number; last: number }>();
  replies.forEach((m, i) => {
    if (!m.user || !staff.has(m.user) || m.botId) return;
    counts.set(m.user, { n: (counts.get(m.user)?.n ?? 0) + 1, last: i });
  });
  return [...counts].sort((a, b) => a[1].last - b[1].last).map(([id, c]) => ({ id, replies: c.n }));
}

/** The staff member with the most replies in the thread (the latest replier wins a tie), if any. */
export function mostReplies(replies: readonly ThreadMessage[], staff: ReadonlySet<string>): string | undefined {
  const counts = new Map<string, { n: number; last: number }>();
  replies.forEach((m, i) => {
    if (!m.user || !staff.has(m.user) || m.botId) return;
    const c = counts.get(m.user) ?? { n: 0, last: 0 };
    counts.set(m.user, { n: c.n + 1, last: i });
  });
  let best: [string, { n: number; last: number }] | undefined;
  for (const entry of counts) {
    if (!best || entry[1].n > best[1].n || (entry[1].n === best[1].n && entry[1].last > best[1].last)) best = entry;
  }
  return best?.[0];
}
