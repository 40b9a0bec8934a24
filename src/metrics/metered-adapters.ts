/**
 * Channel adapters as the outbox sees them, counting every call to the platform: its
 * outcome, and when the platform said how long to wait (a 429's retry-after), that wait.
 * The adapter itself is untouched; everything but send/post passes straight through.
 */
import type { ChannelAdapter } from '../conversation/channel-contract/channel.ts';
import { PermanentSendError, TransientSendError, WindowClosedError } from '../conversation/channel-contract/send-errors.ts';
import { labelValue, type BotMetrics } from './bot-metrics.ts';

export function meteredAdapters(adapters: ReadonlyMap<string, ChannelAdapter>, metrics: BotMetrics): Map<string, ChannelAdapter> {
  return new Map([...adapters].map(([name, adapter]) => [name, metered(adapter, metrics)]));
}

function metered(adapter: ChannelAdapter, metrics: BotMetrics): ChannelAdapter {
  const channel = labelValue(adapter.name);
  const count = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const out = await call();
      metrics.sendAttempts.inc({ channel, outcome: 'ok' });
      return out;
    } catch (err) {
      metrics.sendAttempts.inc({ channel, outcome: sendOutcome(err) });
      if (err instanceof TransientSendError && err.retryAfterMs !== undefined && err.retryAfterMs > 0) {
        metrics.rateLimited.inc({ channel });
        if (Number.isFinite(err.retryAfterMs)) metrics.retryAfterSeconds.inc({ channel }, err.retryAfterMs / 1000);
      }
      throw err;
    }
  };
  return new Proxy(adapter, {
    get(target, prop) {
      if (prop === 'send') return (...args: Parameters<ChannelAdapter['send']>) => count(() => target.send(...args));
      if (prop === 'post') return (...args: Parameters<ChannelAdapter['post']>) => count(() => target.post(...args));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function sendOutcome(err: unknown): string {
  if (err instanceof PermanentSendError) return 'permanent';
  if (err instanceof WindowClosedError) return 'window-closed';
  return 'transient';
}
