/**
 * The platforms of the rate benchmark: each adapter's own `rate` declaration with its
 * pace set at the platform's documented ceiling, and the limit the fake enforces (the
 * documented one, read strictly: any sliding window). X is left out: its limit is per
 * 15 minutes (200, burst 100), too long a window for a short run; the tests cover it.
 */
import type { ChannelRate } from '../src/conversation/channel-contract/channel.ts';
import { discordRate } from '../src/channels/discord/discord-rate.ts';
import { messagingRate, whatsappRate } from '../src/channels/meta/meta-rates.ts';
import { slackRate } from '../src/channels/slack/slack-rate.ts';

export interface BenchPlatform {
  name: string;
  rate: ChannelRate;
  /** What the fake enforces for the whole app: `limit` per `windowMs`. */
  limit: number;
  windowMs: number;
}

export const RATE_PLATFORMS: BenchPlatform[] = [
  // Slack publishes no workspace-wide figure: the fake enforces the one configured (1/s, the default).
  { name: 'slack', rate: slackRate(1), limit: 1, windowMs: 1000 },
  { name: 'discord', rate: discordRate(50), limit: 50, windowMs: 1000 },
  { name: 'whatsapp', rate: whatsappRate(80), limit: 80, windowMs: 1000 },
  { name: 'messenger', rate: messagingRate(300), limit: 300, windowMs: 1000 },
  { name: 'instagram', rate: messagingRate(300), limit: 300, windowMs: 1000 },
];

/**
 * The same platforms with every per-second figure scaled (BENCH_RATE_SCALE, e.g. 0.1), for
 * a machine too loaded to push the real ceilings through two processes: the budget's
 * design is what is measured, not the event loop.
 */
export function scaledPlatforms(scale: number): BenchPlatform[] {
  if (scale === 1) return RATE_PLATFORMS;
  const s = (n: number) => Math.max(1, Math.round(n * scale));
  return RATE_PLATFORMS.map((p) => ({
    ...p,
    limit: s(p.limit),
    rate: {
      ...p.rate,
      perSecond: s(p.rate.perSecond),
      limits: p.rate.limits?.map((l) => (l.per === 'app' && l.windowMs <= 1000 ? { ...l, limit: s(l.limit) } : l)),
    },
  }));
}
