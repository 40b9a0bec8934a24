/**
 * Slack's documented limits on sending (docs.slack.dev, Web API rate limits):
 * `chat.postMessage` "generally allows posting one message per second per channel, while
 * also maintaining a workspace-wide limit" whose figure Slack does not publish, so the
 * workspace-wide pace is SLACK_RATE_PER_SECOND (default 1). A DM is its own channel.
 */
import type { ChannelRate } from '../../conversation/channel-contract/channel.ts';

export function slackRate(workspacePerSecond: number): ChannelRate {
  return {
    perSecond: workspacePerSecond,
    concurrent: 2,
    limits: [{ per: 'chat', limit: 1, windowMs: 1000, source: 'chat.postMessage: 1 message per second per channel' }],
  };
}
