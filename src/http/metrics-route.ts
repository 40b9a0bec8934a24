/**
 * GET /metrics in Prometheus' text format, for a manager token or METRICS_TOKEN (which
 * opens nothing else). The database gauges are refreshed first, within their timeout.
 */
import type { Request, Response } from 'express';
import { bearerToken, TokenAuth } from './token-auth.ts';

export interface MetricsSource {
  /** Refresh what is read on scrape (database gauges); never throws. */
  refresh(): Promise<void>;
  render(): Promise<string>;
  contentType: string;
}

export function metricsRoute(deps: { auth: TokenAuth; metricsToken?: string; source: MetricsSource }) {
  const metricsOnly = new TokenAuth(deps.metricsToken ? [[deps.metricsToken, { role: 'manager' }]] : []);
  return async (req: Request, res: Response): Promise<void> => {
    if (!deps.auth.configured && !metricsOnly.configured) {
      res.status(503).json({ error: 'no token is configured: set METRICS_TOKEN or API_TOKEN to read metrics' });
      return;
    }
    const token = bearerToken(req.headers.authorization);
    const principal = metricsOnly.check(token) ?? deps.auth.check(token);
    if (!principal) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or invalid token' });
      return;
    }
    if (principal.role !== 'manager') {
      res.status(403).json({ error: 'metrics need METRICS_TOKEN or a manager token' });
      return;
    }
    await deps.source.refresh();
    res.set('Content-Type', deps.source.contentType).set('Cache-Control', 'no-store').send(await deps.source.render());
  };
}
