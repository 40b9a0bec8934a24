/**
 * Counts every HTTP request and its latency by route PATTERN (`/api/followups/:id/reply`,
 * never the id itself), method and status; requests no route matched are `unmatched`,
 * so a scanner cannot grow the label set.
 */
import type { NextFunction, Request, Response } from 'express';
import type { BotMetrics } from './bot-metrics.ts';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function httpMetrics(metrics: BotMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const path = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof path === 'string' ? `${req.baseUrl ?? ''}${path}`.slice(0, 100) : 'unmatched';
      const labels = { route, method: METHODS.has(req.method) ? req.method : 'other', status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
