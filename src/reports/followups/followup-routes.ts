/**
 * `GET /api/followups?status=open|contacted|closed&overdue=true&page=&limit=`,
 * `GET /api/followups/summary?from=&to=&format=json|csv` (the closed-loop figures),
 * `GET /api/followups/:id`, `PATCH /api/followups/:id` with `{status?, outcome?, owner?, note?}`
 * and `POST /api/followups/:id/reply` with `{text}` (a message back to the customer,
 * when the app offers one: while the follow-up is open or contacted, at most
 * `replyLimit` per window, and for agents only with a token naming its channel). An agent
 * token sees and changes only follow-ups on its own conversations (others answer 404).
 */
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { principalOf } from '../../http/auth-middleware.ts';
import { validate, ValidationError } from '../../validation.ts';
import { customerReplySchema, type ReplyToCustomer } from './customer-reply.ts';
import { FOLLOWUP_STATUSES } from './followup-model.ts';
import { closedLoopCsv, closedLoopParamsSchema, closedLoopSummary } from './followup-summary.ts';
import { actorOf, followupPatchSchema, type Followups } from './followup-workflow.ts';
import { ReportRangeError } from '../report-query.ts';
import { followupScopeFilter, inFollowupScope, scopeOf } from '../scope.ts';
import { DEFAULT_REPLY_LIMIT, reserveReply, type ReplyLimit } from './followup-reply-quota.ts';

const listSchema = z.object({
  status: z.enum(FOLLOWUP_STATUSES).optional(),
  overdue: z.enum(['true', 'false']).transform((s) => s === 'true').optional(),
  page: z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number').min(1, 'must be at least 1').max(100_000).default(1),
  limit: z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
});

const summarySchema = closedLoopParamsSchema.extend({ format: z.enum(['json', 'csv']).default('json') });

export interface FollowupRouteDeps {
  followups: Followups;
  timeZone: string;
  now: () => Date;
  flush: () => Promise<void>;
  /** Sends a manager's message back to the customer (the engine's entry point); absent, replies answer 501. */
  reply?: ReplyToCustomer;
  /** Messages back per follow-up and window (default 3 in 24 hours). */
  replyLimit?: ReplyLimit;
}

export function followupRoutes(deps: FollowupRouteDeps): Router {
  const router = Router();
  const json = express.json({ limit: '16kb', strict: true });
  const notFound = (res: Response): void => { res.status(404).json({ error: 'no such follow-up' }); };

  router.get('/', async (req, res) => {
    const q = validate(listSchema, req.query);
    await deps.flush();
    const page = await deps.followups.list({ ...q, scope: scopeOf(principalOf(res)), now: deps.now() });
    res.json({ page: q.page, limit: q.limit, ...page });
  });

  router.get('/summary', async (req, res) => {
    const { format, ...params } = validate(summarySchema, req.query);
    await deps.flush();
    const summary = await closedLoopSummary(deps.followups, { timeZone: deps.timeZone, now: deps.now() }, params, scopeOf(principalOf(res)))
      .catch((err: unknown) => {
        if (err instanceof ReportRangeError) throw new ValidationError(err.field, err.message.slice(err.field.length + 2));
        throw err;
      });
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`nps-closed-loop-${summary.from}_${summary.to}.csv`).send(closedLoopCsv(summary));
      return;
    }
    res.json(summary);
  });

  router.get('/:id', async (req, res) => {
    const doc = await deps.followups.get(String(req.params.id));
    const scope = scopeOf(principalOf(res));
    if (!doc || !inFollowupScope(scope, doc)) {
      notFound(res);
      return;
    }
    res.json((await deps.followups.views([doc], deps.now(), scope))[0]);
  });

  router.patch('/:id', json, async (req, res) => {
    const patch = validate(followupPatchSchema, req.body);
    const principal = principalOf(res);
    const updated = await deps.followups.update(String(req.params.id), patch, scopeOf(principal), deps.now(), actorOf(principal));
    if (!updated) {
      notFound(res);
      return;
    }
    res.json(updated);
  });

  router.post('/:id/reply', json, async (req, res) => {
    const { text } = validate(customerReplySchema, req.body);
    const principal = principalOf(res);
    const scope = scopeOf(principal);
    const doc = await deps.followups.get(String(req.params.id));
    if (!doc || !inFollowupScope(scope, doc)) {
      notFound(res);
      return;
    }
    if (scope.agentId && !scope.channel) {
      // The same agent id on two channels is two people: only a token naming the channel may write to customers.
      res.status(403).json({ error: 'this agent token names no channel: give it as <token>:agent:<agentId>@<channel> in REPORT_TOKENS to send messages back' });
      return;
    }
    if (!deps.reply) {
      res.status(501).json({ error: 'sending a message back to the customer is not available in this version of the bot' });
      return;
    }
    const now0 = deps.now();
    const reservation = await reserveReply(deps.followups.model, doc._id, followupScopeFilter(scope), now0, deps.replyLimit);
    if (reservation.status === 'missing') {
      notFound(res);
      return;
    }
    if (reservation.status === 'closed') {
      res.status(409).json({ error: 'this follow-up is closed: messages back are sent only while it is open or contacted' });
      return;
    }
    if (reservation.status === 'limit') {
      const { perWindow, windowMs } = deps.replyLimit ?? DEFAULT_REPLY_LIMIT;
      res.status(429).set('Retry-After', String(reservation.retryAfterSeconds))
        .json({ error: `at most ${perWindow} messages back per follow-up in ${Math.round(windowMs / 3_600_000)} hours` });
      return;
    }
    const result = await deps.reply({ surveyId: String(doc.surveyId), text, by: actorOf(principal) });
    const now = deps.now();
    await deps.followups.writeWith(doc._id, scope, (current) => ({
      $set: {
        ...(result.status === 'sent' && !current.firstContactAt ? { firstContactAt: now, contactDelayMs: Math.max(0, now.getTime() - current.openedAt.getTime()) } : {}),
        ...(result.status === 'sent' && current.status === 'open' ? { status: 'contacted', statusChangedAt: now, statusChangedBy: actorOf(principal), remindAt: null } : {}),
      },
      $push: { replies: { $each: [{ at: now, by: actorOf(principal), status: result.status, text }], $slice: -20 } },
    }));
    res.status(result.status === 'sent' || result.status === 'queued' ? 202 : 409).json({ status: result.status });
  });

  return router;
}
