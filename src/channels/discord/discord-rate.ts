/**
 * Discord's documented limit (discord.com/developers/docs/topics/rate-limits): a bot may
 * make 50 requests per second in all (the global limit), counted across every process
 * using its token. Per-route buckets are not published (discord.js reads them from the
 * headers); DISCORD_RATE_PER_SECOND (default 5) paces the bot's sends below the global
 * limit, which its other requests (resolution checks, DM channels) share.
 */
import type { ChannelRate } from '../../conversation/channel-contract/channel.ts';

export function discordRate(perSecond: number): ChannelRate {
  return {
    perSecond,
    concurrent: 4,
    limits: [{ per: 'app', limit: 50, windowMs: 1000, source: 'global rate limit: 50 requests per second per bot' }],
  };
}
