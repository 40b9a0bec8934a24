/**
 * Meta's documented send limits. Messenger Platform rate limits: the Send API takes 300
 * calls per second per Facebook Page, and 300 per Instagram professional account, for
 * text, links, reactions and stickers (what the bot sends). WhatsApp Cloud API: 80
 * messages per second per business phone number by default (throughput), and about one
 * message every 6 seconds to the same customer with bursts of up to 45 (the pair rate
 * limit, error 131056).
 * The *_RATE_PER_SECOND settings pace below these (default 20).
 */
import type { ChannelRate } from '../../conversation/channel-contract/channel.ts';

/**
 * Messenger, Instagram and WhatsApp let a business message a person freely only within 24
 * hours of that person's last message (the standard messaging window / customer service window).
 */
export const META_MESSAGING_WINDOW_MS = 24 * 3_600_000;

export function messagingRate(perSecond: number): ChannelRate {
  return {
    perSecond,
    // In flight = rate × (slot reservation + wait + Graph API call, ~100-200 ms): 300 a second
    // needs 30-60, and one process must reach the ceiling alone. With 16 the bench reached
    // 0.86 of 300/s with two processes and ~0.4 with one (bench/rate.bench.ts).
    concurrent: 64,
    limits: [{ per: 'app', limit: 300, windowMs: 1000, source: 'Send API: 300 calls per second per Page / Instagram professional account' }],
  };
}

export function whatsappRate(perSecond: number): ChannelRate {
  return {
    perSecond,
    // A question holds its slot while it waits for its status: allow enough in flight.
    concurrent: 16,
    // The pair rate limit allows bursts of up to 45 messages to one customer, more than a
    // whole survey sends; its 131056 answer still holds that customer's sends.
    limits: [{ per: 'app', limit: 80, windowMs: 1000, source: 'Cloud API throughput: 80 messages per second per business number' }],
  };
}
