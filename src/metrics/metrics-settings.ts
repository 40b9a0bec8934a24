/**
 * Who may read /metrics: a manager token, or METRICS_TOKEN (a token a Prometheus server
 * holds that opens nothing else). METRICS_GAUGE_SECONDS: how often, at most, a scrape
 * counts all surveys by state and channel (a read of the whole collection).
 */
import { z } from 'zod';
import { positiveInt, readEnv, type Env } from '../env-readers.ts';

export const metricsEnvSchema = z.object({
  METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').max(200, 'must be at most 200 characters').optional(),
  METRICS_GAUGE_SECONDS: positiveInt(3600).min(1, 'must be at least 1').default(60),
});

export interface MetricsSettings { token?: string; countEveryMs: number }

export function loadMetricsSettings(env: Env): MetricsSettings {
  const e = readEnv(metricsEnvSchema, env);
  return { token: e.METRICS_TOKEN, countEveryMs: e.METRICS_GAUGE_SECONDS * 1000 };
}
