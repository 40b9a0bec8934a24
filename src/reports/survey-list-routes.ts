/**
 * `GET /api/surveys` (survey-list.ts): JSON, or CSV with `?format=csv` or `Accept: text/csv`;
 * the CSV's next cursor is in the `X-Next-Cursor` header (and a `Link: <…>; rel="next"`).
 */
import { Router } from 'express';
import type { Connection } from 'mongoose';
import { principalOf } from '../http/auth-middleware.ts';
import { validate } from '../validation.ts';
import { scopeOf } from './scope.ts';
import { listSurveys, surveyListParamsSchema, surveysCsv } from './survey-list.ts';

export function surveyListRoutes(conn: Connection, flush: () => Promise<void>): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const params = validate(surveyListParamsSchema, req.query);
    const scope = scopeOf(principalOf(res));
    // `format` wins; else what the client accepts best (JSON for */* or no Accept).
    const csv = params.format === 'csv' || (params.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    await flush();
    const page = await listSurveys(conn, params, scope);
    if (page.next) {
      const q = new URLSearchParams({ limit: String(page.limit), cursor: page.next, ...(params.format ? { format: params.format } : {}) });
      res.set('X-Next-Cursor', page.next).set('Link', `<${req.baseUrl}?${q.toString()}>; rel="next"`);
    }
    if (csv) {
      res.type('text/csv; charset=utf-8').attachment('surveys.csv').send(surveysCsv(page, !scope.hideComments));
      return;
    }
    res.json(page);
  });
  return router;
}
