/**
 * How old a platform event may be and still be acted on. A signed webhook body stays
 * valid forever, so whoever saw one (a proxy, a body log) could deliver it again later;
 * every channel whose events carry the time they happened drops those older than its
 * `<CHANNEL>_MAX_EVENT_AGE_MINUTES` (X, Messenger/Instagram/WhatsApp, Chatwoot). Within the
 * window, the store of applied events (conversation/replay-guard.ts) refuses a replay.
 */
import { positiveInt } from '../env-readers.ts';

/** Longest window a setting may ask for; the applied-event store keeps ids longer than this. */
export const MAX_EVENT_AGE_LIMIT_MINUTES = 24 * 60;

/** The one schema of every `*_MAX_EVENT_AGE_MINUTES` setting: whole minutes, 1 to 1440. */
export const maxEventAgeMinutes = (defaultMinutes: number) =>
  positiveInt(MAX_EVENT_AGE_LIMIT_MINUTES).min(1, 'must be at least 1').default(defaultMinutes);

/**
 * Whether an event that happened at `atMs` (ms since the epoch) is recent enough. An
 * event without a time (or with a nonsense one) is not: platforms always send it, so
 * its absence marks a body we did not get from them. A time ahead of ours (clock skew)
 * is fresh: a signed body cannot be moved forward in time.
 */
export function isFreshEvent(atMs: number | undefined, nowMs: number, maxAgeMs: number): boolean {
  if (atMs === undefined || !Number.isFinite(atMs)) return false;
  return nowMs - atMs <= maxAgeMs;
}
