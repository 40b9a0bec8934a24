/**
 * `/dashboard`: the managers' page. A login form at `/dashboard/login` checks a token
 * and starts a server-side session (http/session-store.ts): the HttpOnly,
 * SameSite=Strict cookie holds only a random session id (a Bearer header works too).
 * Ingest tokens (a care tool's) cannot sign in.
 * No token, no data: the page redirects to the login form. An agent token sees only
 * that agent's figures, comments and follow-ups.
 */
import express, { Router, type Request, type Response } from 'express';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { bearerToken, seesNothing, type Principal, type TokenAuth } from '../../http/token-auth.ts';
import { SessionCookie, type CookieSecurity } from '../../http/session-cookie.ts';
import { SessionStore } from '../../http/session-store.ts';
import { refuseCredential } from '../../http/auth-rate-limit.ts';
import { ValidationError, validate } from '../../validation.ts';
import { listComments } from '../comments-query.ts';
import { actorOf, followupPatchSchema, type Followups } from '../followups/followup-workflow.ts';
import type { ReportSettings } from '../report-config.ts';
import { reportParamsSchema, ReportRangeError, resolveRange, runReport } from '../report-query.ts';
import { reportCsv, reportCsvFilename } from '../report-render.ts';
import { scopeOf } from '../scope.ts';
import { dashboardPage, loginPage } from './dashboard-page.ts';
import { testimonialsPage } from './testimonials-page.ts';
import { listTestimonials, testimonialParamsSchema, testimonialsCsv } from '../insights/testimonials.ts';
import { loadInsights } from './insight-sections.ts';
import type { ThemeTagging } from '../themes/survey-theme-sync.ts';
import { THEME_ID } from '../themes/theme-list.ts';
import { dayParam } from '../day-param.ts';
import { runTrend, TREND_PERIODS as TREND_PERIODS_NAMES } from '../insights/trend.ts';

const TREND_PERIODS = 12;

export interface DashboardDeps {
  conn: Connection;
  auth: TokenAuth;
  settings: ReportSettings;
  followups: Followups;
  now: () => Date;
  /** Wait (briefly) for this process's pending rollup work, so a page shows what just happened. */
  flush: () => Promise<void>;
  /** Comment themes (the list, and tags being written). */
  themes?: ThemeTagging;
  /** SESSION_COOKIE_SECURE (default `true`: Secure, `__Host-` name). */
  cookieSecurity?: CookieSecurity;
}

function setSecurityHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Content-Type-Options': 'nosniff',
    // Not `no-referrer`: with it browsers send `Origin: null` on the page's own form posts.
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
  });
}

const rangeSchema = z.object({
  from: dayParam.optional(),
  to: dayParam.optional(),
  saved: z.string().max(10).optional(),
  trend: z.enum(TREND_PERIODS_NAMES).optional(),
  theme: z.union([z.literal(''), z.string().regex(THEME_ID, 'expected a theme id such as delivery')]).optional(),
});

export function dashboardRoutes(deps: DashboardDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });

  router.use((_req, res, next) => {
    setSecurityHeaders(res);
    next();
  });

  const sessions = new SessionStore(deps.conn, deps.auth, deps.now);
  const cookie = new SessionCookie(deps.cookieSecurity);
  /** Managers and agents only: an ingest token reads nothing, here or in the API, nor does an agent under AGENT_VISIBILITY=none. */
  const reader = (p: Principal | null): Principal | null => (p && p.role !== 'ingest' && !seesNothing(p) ? p : null);
  const principalFor = async (req: Request): Promise<Principal | null> => {
    const bearer = bearerToken(req.headers.authorization);
    return reader(bearer !== undefined ? deps.auth.check(bearer) : await sessions.principal(cookie.read(req)));
  };

  /** Cross-site form posts are refused even if a browser sent the cookie (SameSite=Strict already keeps it home). */
  const sameOrigin = (req: Request): boolean => {
    const site = req.headers['sec-fetch-site'];
    if (site === 'same-origin') return true;
    if (site === 'cross-site' || site === 'same-site') return false;
    const origin = req.headers.origin;
    if (!origin) return true; // not a browser form post: scripts send Bearer headers or no Origin
    if (origin === 'null') return false;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  };

  router.get('/login', (_req, res) => {
    res.type('html').send(loginPage());
  });

  router.post('/login', form, async (req, res) => {
    if (!sameOrigin(req)) {
      res.status(403).type('html').send(loginPage('This form must be sent from the dashboard itself.'));
      return;
    }
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const checked = token.length <= 200 ? deps.auth.check(token) : null;
    if (checked && seesNothing(checked)) {
      res.status(403).type('html').send(loginPage('Agent tokens may not open the dashboard here (AGENT_VISIBILITY=none).'));
      return;
    }
    const principal = reader(checked);
    if (!principal) {
      refuseCredential(req, res, () => { res.status(401).type('html').send(loginPage('That token is not valid.')); });
      return;
    }
    // A new id at every sign-in (never one the browser brought), so a planted cookie cannot be adopted.
    await sessions.destroy(cookie.read(req));
    res.cookie(cookie.name(req), await sessions.create(token), cookie.options(req, sessions.ttlMs));
    res.redirect(303, '/dashboard');
  });

  router.post('/logout', async (req, res) => {
    await sessions.destroy(cookie.read(req));
    res.clearCookie(cookie.name(req), cookie.options(req));
    res.redirect(303, '/dashboard/login');
  });

  // Everything below needs a valid token.
  router.use(async (req, res, next) => {
    const principal = await principalFor(req);
    if (!principal) {
      if (req.headers.authorization) {
        refuseCredential(req, res, () => { res.status(401).set('WWW-Authenticate', 'Bearer').type('text').send('missing or invalid token'); });
      } else if (req.method === 'GET') {
        res.redirect(303, '/dashboard/login');
      } else {
        refuseCredential(req, res, () => { res.status(401).type('text').send('sign in first'); });
      }
      return;
    }
    res.locals.principal = principal;
    next();
  });

  router.get('/', async (req, res) => {
    const principal = res.locals.principal as Principal;
    const scope = scopeOf(principal);
    const q = validate(rangeSchema, req.query);
    const now = deps.now();
    let range;
    try {
      range = resolveRange({ from: q.from, to: q.to }, now, deps.settings.timeZone);
    } catch (err) {
      if (err instanceof ReportRangeError) throw new ValidationError(err.field, err.message.slice(err.field.length + 2));
      throw err;
    }
    await Promise.all([deps.flush(), deps.themes?.flush()]);
    const ctx = { conn: deps.conn, timeZone: deps.settings.timeZone, minSample: deps.settings.minSample, attribution: deps.settings.attribution, now };
    const themeList = deps.themes?.tagger.themes ?? [];
    const theme = q.theme || undefined;
    const base = { from: range.from, to: range.to };
    const trendPeriod = q.trend ?? 'week';
    const [total, channels, agents, trend, comments, followups, openFollowups] = await Promise.all([
      runReport(ctx, { by: 'total', ...base }, scope),
      runReport(ctx, { by: 'channel', ...base }, scope),
      runReport(ctx, { by: 'agent', ...base }, scope),
      runTrend(ctx, { period: trendPeriod, periods: TREND_PERIODS }, scope),
      scope.hideComments
        ? { comments: null }
        : listComments(ctx, { type: 'transactional', page: 1, limit: 10, ...(theme ? { theme, from: range.from, to: range.to } : {}) }, scope),
      deps.followups.list({ status: 'open', scope, page: 1, limit: 25 }),
      deps.followups.openCount(scope),
    ]);
    const insights = await loadInsights(ctx, base, scope, themeList);
    res.type('html').send(dashboardPage({
      viewer: principal.role === 'agent' ? `agent ${principal.agentId}` : 'manager',
      total,
      channels,
      agents,
      trend,
      comments: comments.comments,
      followups: followups.followups,
      openFollowups,
      rangeQuery: new URLSearchParams({ from: range.from, to: range.to }).toString(),
      notice: q.saved ? 'Follow-up saved.' : undefined,
      insights,
      theme,
      themeOptions: themeList.map((t) => ({ id: t.id, label: t.label })),
    }));
  });

  router.get(['/testimonials', '/testimonials.csv'], async (req, res) => {
    const principal = res.locals.principal as Principal;
    if (scopeOf(principal).hideComments) {
      res.status(403).type('text').send('agent tokens see their own figures only, not comments (AGENT_VISIBILITY=figures)');
      return;
    }
    const params = validate(testimonialParamsSchema, req.query);
    const list = await listTestimonials({ conn: deps.conn, timeZone: deps.settings.timeZone, now: deps.now() }, params, scopeOf(principal));
    if (req.path.endsWith('.csv')) {
      res.type('text/csv; charset=utf-8').attachment(`nps-testimonials-${list.from}_${list.to}.csv`).send(testimonialsCsv(list));
      return;
    }
    res.type('html').send(testimonialsPage(list, principal.role === 'agent' ? `agent ${principal.agentId}` : 'manager'));
  });

  router.get('/export.csv', async (req, res) => {
    const scope = scopeOf(res.locals.principal as Principal);
    const params = validate(reportParamsSchema, req.query);
    await deps.flush();
    let report;
    try {
      report = await runReport({ conn: deps.conn, timeZone: deps.settings.timeZone, minSample: deps.settings.minSample, attribution: deps.settings.attribution, now: deps.now() }, params, scope);
    } catch (err) {
      if (err instanceof ReportRangeError) throw new ValidationError(err.field, err.message.slice(err.field.length + 2));
      throw err;
    }
    res.type('text/csv; charset=utf-8').attachment(reportCsvFilename(report)).send(reportCsv(report));
  });

  router.post('/followups/:id', form, async (req, res) => {
    if (!sameOrigin(req)) {
      res.status(403).type('text').send('this form must be sent from the dashboard itself');
      return;
    }
    const scope = scopeOf(res.locals.principal as Principal);
    const body = (req.body ?? {}) as Record<string, unknown>;
    // An outcome closes the follow-up: the status select beside it is then ignored.
    const outcome = typeof body.outcome === 'string' && body.outcome !== '' ? body.outcome : undefined;
    const patch = validate(followupPatchSchema, {
      ...(outcome !== undefined ? { outcome } : typeof body.status === 'string' ? { status: body.status } : {}),
      ...(typeof body.owner === 'string' ? { owner: body.owner } : {}),
      ...(typeof body.note === 'string' ? { note: body.note } : {}),
    });
    const updated = await deps.followups.update(String(req.params.id), patch, scope, deps.now(), actorOf(res.locals.principal as Principal));
    if (!updated) {
      res.status(404).type('text').send('no such follow-up');
      return;
    }
    res.redirect(303, '/dashboard?saved=1');
  });

  return router;
}
