/**
 * Everything the app wires for /metrics in one place: engine transitions, database
 * events, the gauges read on scrape, and what the HTTP server needs.
 */
import type { Connection } from 'mongoose';
import type { ChannelAdapter } from '../conversation/channel-contract/channel.ts';
import type { SurveyEngine } from '../conversation/engine.ts';
import { labelValue, type BotMetrics } from './bot-metrics.ts';
import { DatabaseGauges } from './database-gauges.ts';
import { countDatabaseFailure, watchDatabase } from './database-metrics.ts';
import { countTransitions } from './engine-metrics.ts';
import { httpMetrics } from './http-metrics.ts';
import type { MetricsSettings } from './metrics-settings.ts';

export function observeApp(deps: {
  conn: Connection; engine: SurveyEngine; metrics: BotMetrics; settings: MetricsSettings; now?: () => Date;
  /** The channels, asked on each scrape whether they are still connecting to their platform. */
  channels?: ReadonlyMap<string, ChannelAdapter>;
}) {
  const { metrics } = deps;
  const { settings } = deps;
  countTransitions(deps.engine, metrics);
  const unwatch = watchDatabase(deps.conn, metrics);
  const gauges = new DatabaseGauges(deps.conn, metrics, { countEveryMs: settings.countEveryMs, timeoutMs: 2000, now: deps.now });
  return {
    http: {
      token: settings.token,
      countRequests: httpMetrics(metrics),
      requestFailed: (err: unknown) => countDatabaseFailure(err, metrics),
      source: {
        refresh: () => {
          for (const channel of deps.channels?.values() ?? []) metrics.channelConnecting.set({ channel: labelValue(channel.name) }, channel.connecting?.() ? 1 : 0);
          return gauges.refresh();
        },
        render: () => metrics.registry.metrics(),
        contentType: metrics.registry.contentType,
      },
    },
    stop: unwatch,
  };
}
