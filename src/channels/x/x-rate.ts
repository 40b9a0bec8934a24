/**
 * X's documented limit on sending DMs (POST /2/dm_conversations/with/:participant_id/messages):
 * 200 requests per 15 minutes per user (one brand account per bot), besides the daily
 * caps counted in x-daily-caps.ts. A few per second at most, so a backlog after a restart
 * does not arrive as a burst.
 */
import type { ChannelRate } from '../../conversation/channel-contract/channel.ts';

export const X_RATE: ChannelRate = {
  perSecond: 5,
  concurrent: 2,
  // Half the window's allowance may go at once after a quiet spell, the rest spread out.
  limits: [{ per: 'app', limit: 200, windowMs: 15 * 60_000, burst: 100, source: 'DM send: 200 requests per 15 minutes per user' }],
};
