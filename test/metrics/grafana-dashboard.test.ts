/** docs/grafana-dashboard.json asks only for metrics the bot exposes, and shows every one of the bot's own. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BotMetrics } from '../../src/metrics/bot-metrics.ts';

interface Panel { type: string; targets?: Array<{ expr: string }> }

test('every metric in the dashboard exists, and every nps_ metric is on the dashboard', () => {
  const dashboard = JSON.parse(readFileSync('docs/grafana-dashboard.json', 'utf8')) as { panels: Panel[] };
  const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  assert.ok(exprs.length > 10);
  const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\bnps_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''))));
  const metrics = new BotMetrics({ processMetrics: false });
  for (const name of used) assert.ok(metrics.registry.getSingleMetric(name), `${name} is not a metric the bot exposes`);
  const own = metrics.registry.getMetricsAsArray().map((m) => m.name).filter((n) => n !== 'nps_metrics_gauge_read_errors_total' && n !== 'nps_survey_transitions_total');
  for (const name of own) assert.ok(used.has(name), `${name} is not on the dashboard`);
});
