/**
 * `GET /api/reports/nps?by=channel|agent|channel,agent|type|total&period=day|week|month
 *  &from=YYYY-MM-DD&to=YYYY-MM-DD&type=transactional|relational|all&channel=&agent=&format=json|csv`
 * → `{type, label, by, period, timeZone, from, to, previous, minSample, rows: [{channel?,
 * agentId?, sent, responses, promoters, passives, detractors, nps, responseRate,
 * marginOfError, lowSample, change, …}]}`, or CSV with a header row.
 *
 * `GET /api/reports/trend?period=week|month&periods=12&to=&type=&channel=&agent=&format=json|csv`
 * → NPS per period with its 95% band and the labelled change (trend.ts).
 *
 * `GET /api/reports/comments?channel=&agent=&category=&theme=&type=&from=&to=&page=&limit=&format=json|csv`
 * → the comments behind the numbers, newest first.
 *
 * `GET /api/reports/themes|drivers|agents|segments|value?from=&to=&type=transactional|relational
 *  &channel=&agent=&format=json|csv` → comment themes, what detractors mention, agents
 * compared with the rest of the team, NPS by segment, value at risk (insight-views.ts).
 *
 * `GET /api/reports/testimonials?channel=&from=&to=&limit=&format=json|csv` → promoters'
 * comments quoted with their consent (testimonials.ts).
 *
 * `GET /api/reports/reminders?from=&to=&channel=&format=json|csv` → surveys reminded
 * (REMINDER_AFTER_HOURS) and the answers after a reminder, counted apart (reminder-report.ts).
 *
 * An agent token sees only its own rows and comments, whatever `agent` it asks for.
 */
import { Router, type Response } from 'express';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { principalOf } from '../http/auth-middleware.ts';
import { validate, ValidationError } from '../validation.ts';
import { commentParamsSchema, listComments } from './comments-query.ts';
import type { ReportSettings } from './report-config.ts';
import { reportParamsSchema, ReportRangeError, runReport } from './report-query.ts';
import { commentsCsv, reportCsv, reportCsvFilename, trendCsv } from './report-render.ts';
import { runTrend, trendParamsSchema } from './insights/trend.ts';
import { insightParamsSchema } from './insights/insight-range.ts';
import { INSIGHT_VIEWS } from './insights/insight-render.ts';
import { runInsight } from './insights/insight-views.ts';
import { scopeOf } from './scope.ts';
import { listTestimonials, testimonialParamsSchema, testimonialsCsv } from './insights/testimonials.ts';
import type { ThemeTagging } from './themes/survey-theme-sync.ts';
import { reminderCsv, reminderParamsSchema, reminderReport } from './insights/reminder-report.ts';

export interface ReportRouteDeps {
  settings: ReportSettings;
  now: () => Date;
  /** Wait (briefly) for this process's pending rollup work, so a report shows what just happened. */
  flush: () => Promise<void>;
  /** Comment themes: the list and the pending tags a report waits for. */
  themes?: ThemeTagging;
}

const formatSchema = z.object({ format: z.enum(['json', 'csv']).default('json') });

/**
 * The report routes. Without `deps` (the core HTTP server's own mount point, which has
 * no report settings) the router passes every request on to the full routes that the
 * reports module mounts right after it.
 */
export function reportRoutes(conn: Connection, deps?: ReportRouteDeps): Router {
  const router = Router();
  if (!deps) return router;

  router.get('/nps', async (req, res) => {
    const { format } = validate(formatSchema, { format: req.query.format });
    const params = validate(reportParamsSchema, { ...req.query, format: undefined });
    await deps.flush();
    const report = await runReport(
      { conn, timeZone: deps.settings.timeZone, minSample: deps.settings.minSample, attribution: deps.settings.attribution, now: deps.now() },
      params,
      scopeOf(principalOf(res)),
    ).catch(rethrowRange);
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(reportCsvFilename(report)).send(reportCsv(report));
      return;
    }
    res.json(report);
  });

  router.get('/trend', async (req, res) => {
    const { format } = validate(formatSchema, { format: req.query.format });
    const params = validate(trendParamsSchema, { ...req.query, format: undefined });
    await deps.flush();
    const trend = await runTrend(
      { conn, timeZone: deps.settings.timeZone, minSample: deps.settings.minSample, attribution: deps.settings.attribution, now: deps.now() },
      params,
      scopeOf(principalOf(res)),
    ).catch(rethrowRange);
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`nps-${trend.type}-per-${trend.period}-${trend.from}_${trend.to}.csv`).send(trendCsv(trend));
      return;
    }
    res.json(trend);
  });

  router.get('/comments', async (req, res) => {
    if (refuseComments(res)) return;
    const { format } = validate(formatSchema, { format: req.query.format });
    const params = validate(commentParamsSchema, { ...req.query, format: undefined });
    if (params.from && params.to && params.from > params.to) throw new ValidationError('from', 'must not be after to');
    const page = await listComments({ conn, timeZone: deps.settings.timeZone, now: deps.now() }, params, scopeOf(principalOf(res)));
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`nps-comments-${page.from}_${page.to}-page${page.page}.csv`).send(commentsCsv(page.comments));
      return;
    }
    res.json(page);
  });

  router.get('/reminders', async (req, res) => {
    const { format } = validate(formatSchema, { format: req.query.format });
    const params = validate(reminderParamsSchema, { ...req.query, format: undefined });
    await deps.flush();
    const report = await reminderReport({ conn, timeZone: deps.settings.timeZone, now: deps.now() }, params, scopeOf(principalOf(res)));
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment('reminders.csv').send(reminderCsv(report));
      return;
    }
    res.json(report);
  });

  router.get('/testimonials', async (req, res) => {
    if (refuseComments(res)) return;
    const { format } = validate(formatSchema, { format: req.query.format });
    const params = validate(testimonialParamsSchema, { ...req.query, format: undefined });
    const list = await listTestimonials({ conn, timeZone: deps.settings.timeZone, now: deps.now() }, params, scopeOf(principalOf(res)));
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`nps-testimonials-${list.from}_${list.to}.csv`).send(testimonialsCsv(list));
      return;
    }
    res.json(list);
  });

  for (const view of INSIGHT_VIEWS) {
    router.get(`/${view}`, async (req, res) => {
      const { format } = validate(formatSchema, { format: req.query.format });
      const params = validate(insightParamsSchema, { ...req.query, format: undefined });
      await Promise.all([deps.flush(), deps.themes?.flush()]);
      const out = await runInsight(
        view,
        { conn, timeZone: deps.settings.timeZone, minSample: deps.settings.minSample, attribution: deps.settings.attribution, now: deps.now() },
        params,
        scopeOf(principalOf(res)),
        deps.themes?.tagger.themes ?? [],
      ).catch(rethrowRange);
      if (format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment(out.filename).send(out.csv());
        return;
      }
      res.json(out.json);
    });
  }

  return router;
}

/** Agent tokens under AGENT_VISIBILITY=figures read figures, never a customer's words. */
function refuseComments(res: Response): boolean {
  if (!scopeOf(principalOf(res)).hideComments) return false;
  res.status(403).json({ error: 'agent tokens see their own figures only, not comments (AGENT_VISIBILITY=figures)' });
  return true;
}

function rethrowRange(err: unknown): never {
  if (err instanceof ReportRangeError) throw new ValidationError(err.field, err.message.slice(err.field.length + 2));
  throw err;
}
