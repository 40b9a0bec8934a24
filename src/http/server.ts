/**
 * The bot's one HTTP port: health, the resolutions API, the webhook channel's inbound
 * route, what `extend` adds (reports, dashboard), and whatever routes the channels mount (platform webhooks, which
 * read their own raw bodies to check signatures, so they come before any JSON parser).
 */
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import type { Connection } from 'mongoose';
import type { TokenAuth } from './token-auth.ts';
import type { AgentRef, EngineSink, InboundMessage, ResolvedEvent } from '../conversation/channel-contract/channel.ts';
import { resolutionWithoutAgentSchema } from '../conversation/inbound-validation.ts';
import { ShuttingDownError } from '../in-flight.ts';
import { validate, ValidationError } from '../validation.ts';
import { principalOf, requireAuth } from './auth-middleware.ts';
import { bodyObject, resolutionRequest, type CanonicalCustomerId } from './resolution-request.ts';
import { AuthFailureLimiter } from './auth-rate-limit.ts';
import { isDatabaseUnavailable } from '../storage/mongo-errors.ts';
import type { Logger } from '../logger.ts';
import { metricsRoute, type MetricsSource } from './metrics-route.ts';
import type { Readiness } from './readiness.ts';

export interface HttpDeps {
  sink: EngineSink;
  conn: Connection;
  auth: TokenAuth;
  bodyLimitBytes: number;
  logger: Logger;
  /** Routes the channels registered (mounted at `/`, before the JSON parser). */
  channelRoutes: Router;
  /** Whether the webhook channel is on (its inbound route answers 404 otherwise). */
  webhookEnabled: boolean;
  /** Express's `trust proxy` (TRUST_PROXY): who may say what the client's IP and protocol are. */
  trustProxy?: false | number | string[];
  /** Failed authentications one IP may make per 15 minutes (AUTH_FAILURES_PER_15MIN). */
  authFailuresPer15Min?: number;
  /**
   * The agent of a conversation resolved without one, as its channel finds it: null when
   * the channel found none, undefined when the channel cannot find agents at all.
   */
  findAgent?: (channel: string, conversationId: string, customerId: string) => Promise<AgentRef | null | undefined>;
  /** A channel's canonical customer id (see ChannelAdapter.canonicalCustomerId); undefined for channels without one. */
  canonicalCustomerId?: CanonicalCustomerId;
  /** More routes (reports, dashboard) mounted after the core ones. */
  extend?: (app: Express) => void;
  /** /readyz: channels started, not draining, database answering (200 until given). */
  readiness?: Readiness;
  /** /metrics, and the middleware that counts every request (first, so it sees them all). */
  metrics?: { source: MetricsSource; countRequests: RequestHandler; token?: string; requestFailed?: (err: unknown) => void };
}

export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy ?? false);
  if (deps.metrics) app.use(deps.metrics.countRequests);
  if (deps.trustProxy === false || deps.trustProxy === undefined) app.use(forwardedWithoutTrustWarning(deps.logger));
  app.use(deps.channelRoutes);
  // Platform webhooks above check signatures, not tokens; everything token-guarded is below.
  app.use(['/api', '/dashboard', '/metrics'], new AuthFailureLimiter(deps.authFailuresPer15Min ?? 30).middleware());

  app.get('/healthz', async (_req, res) => {
    try {
      await deps.conn.db!.command({ ping: 1 });
      res.json({ ok: true, db: 'up' });
    } catch {
      res.status(503).json({ ok: false, db: 'down' });
    }
  });

  // Liveness is /healthz; readiness says whether to send this process traffic now.
  app.get('/readyz', async (_req, res) => {
    const notReady = deps.readiness ? await deps.readiness.check() : null;
    if (notReady) res.status(503).set('Cache-Control', 'no-store').json({ ready: false, reason: notReady });
    else res.set('Cache-Control', 'no-store').json({ ready: true });
  });

  if (deps.metrics) app.get('/metrics', metricsRoute({ auth: deps.auth, metricsToken: deps.metrics.token, source: deps.metrics.source }));

  const json = express.json({ limit: deps.bodyLimitBytes, strict: true });
  // A care tool or chat system gets an ingest token: it can deliver, never read.
  const ingest = requireAuth(deps.auth, { roles: ['manager', 'ingest'] });

  app.post('/api/resolutions', ingest, json, async (req, res) => {
    // The engine validates every field (zod) and names the bad one; here: an object, no
    // routing fields from an ingest token, the customer id in its channel's canonical form.
    const body = resolutionRequest(req.body, principalOf(res).role, deps.canonicalCustomerId);
    if (body.agent === undefined) body.agent = await agentFromChannel(deps, body);
    const outcome = await deps.sink.resolved(body as unknown as ResolvedEvent);
    res.status(202).json(outcome);
  });

  app.post('/api/channels/webhook/messages', ingest, json, async (req, res) => {
    if (!deps.webhookEnabled) {
      res.status(404).json({ error: 'the webhook channel is off: set WEBHOOK_OUTBOUND_URL and WEBHOOK_SECRET' });
      return;
    }
    // `messageId`: the chat system's id for this message, so its retries are applied once.
    const { messageId, ...body } = bodyObject(req.body);
    if (messageId !== undefined && (typeof messageId !== 'string' || messageId.length === 0 || messageId.length > 300)) {
      throw new ValidationError('messageId', 'expected a string of 1 to 300 characters');
    }
    const outcome = await deps.sink.message({ ...body, ...(messageId !== undefined ? { eventId: `webhook:${messageId}` } : {}), channel: 'webhook' } as unknown as InboundMessage);
    res.status(202).json(outcome);
  });

  deps.extend?.(app);

  app.use('/api', (_req, res) => { res.status(404).json({ error: 'no such route' }); });
  app.use(errorHandler(deps.logger, deps.metrics?.requestFailed));
  return app;
}

/**
 * With TRUST_PROXY off, a request carrying X-Forwarded-For comes through a proxy the bot
 * does not trust: every client then shares the proxy's address (one failure count, one
 * log address). Said once, at the first such request, without the header's value.
 */
function forwardedWithoutTrustWarning(logger: Logger): RequestHandler {
  let warned = false;
  return (req, _res, next) => {
    if (!warned && req.headers['x-forwarded-for'] !== undefined) {
      warned = true;
      logger.warn('a request came with X-Forwarded-For but TRUST_PROXY is off: behind a proxy, every client shares its address (the sign-in failure count too); set TRUST_PROXY to the number of proxies (e.g. 1) or their addresses');
    }
    next();
  };
}

/**
 * No `agent` in a resolution: the channel is asked (X reads its agents' DM signatures).
 * A channel that cannot tell makes it a 400 naming `agent`.
 */
async function agentFromChannel(deps: HttpDeps, body: Record<string, unknown>): Promise<AgentRef> {
  const r = validate(resolutionWithoutAgentSchema, body);
  const found = await deps.findAgent?.(r.channel, r.conversationId, r.customer.id);
  if (found) return found;
  if (found === null) throw new ValidationError('agent', `required: channel "${r.channel}" could not find the agent of this conversation; send agent.id`);
  throw new ValidationError('agent', `required: channel "${r.channel}" cannot tell who the agent was; send agent.id`);
}

function errorHandler(logger: Logger, requestFailed?: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof ValidationError) {
      res.status(400).json({ error: err.message, field: err.field });
      return;
    }
    if (err instanceof ShuttingDownError) {
      // Nothing was stored: the caller (or the platform) should send it again shortly.
      res.status(503).set('Retry-After', '5').json({ error: err.message });
      return;
    }
    if (isDatabaseUnavailable(err)) {
      // Nothing was lost on our side: the caller may try again once the database is back.
      logger.warn({ errName: (err as Error).name }, 'request failed: the database is unavailable');
      res.status(503).set('Retry-After', '5').json({ error: 'the database is unavailable: try again shortly' });
      return;
    }
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      res.status(413).json({ error: 'body too large' });
      return;
    }
    if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || type === 'charset.unsupported') {
      res.status(400).json({ error: 'body is not valid JSON', field: 'body' });
      return;
    }
    // Express's own refusals (a path parameter that is not valid percent-encoding, …) carry a 4xx status: the caller's error, not ours.
    const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
      res.status(status).json({ error: status === 400 ? 'bad request: the path or body could not be read' : 'request refused' });
      return;
    }
    logger.error({ err }, 'request failed');
    requestFailed?.(err);
    res.status(500).json({ error: 'internal error' });
  };
}
