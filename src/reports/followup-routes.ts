/**
 * `GET /api/followups?status=open|contacted|closed&page=&limit=` and
 * `PATCH /api/followups/:id` with `{status?, owner?, note?}`. An agent token sees and
 * changes only follow-ups on its own conversations (others answer 404).
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { principalOf } from '../http/auth-middleware.ts';
import { validate } from '../validation.ts';
import { FOLLOWUP_STATUSES } from './followup-model.ts';
import { followupPatchSchema, type Followups } from './followups.ts';
import { scopeOf } from './scope.ts';

const listSchema = z.object({
  status: z.enum(FOLLOWUP_STATUSES).optional(),
  page: z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number').min(1, 'must be at least 1').max(100_000).default(1),
  limit: z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
});

export function followupRoutes(deps: { followups: Followups; now: () => Date; flush: () => Promise<void> }): Router {
  const router = Router();
  const json = express.json({ limit: '16kb', strict: true });

  router.get('/', async (req, res) => {
    const q = validate(listSchema, req.query);
    await deps.flush();
    const page = await deps.followups.list({ ...q, scope: scopeOf(principalOf(res)) });
    res.json({ page: q.page, limit: q.limit, ...page });
  });

  router.get('/:id', async (req, res) => {
    const doc = await deps.followups.get(String(req.params.id));
    const scope = scopeOf(principalOf(res));
    if (!doc || (scope.agentId && doc.agentId !== scope.agentId)) {
      res.status(404).json({ error: 'no such follow-up' });
      return;
    }
    res.json((await deps.followups.views([doc]))[0]);
  });

  router.patch('/:id', json, async (req, res) => {
    const patch = validate(followupPatchSchema, req.body);
    const updated = await deps.followups.update(String(req.params.id), patch, scopeOf(principalOf(res)), deps.now());
    if (!updated) {
      res.status(404).json({ error: 'no such follow-up' });
      return;
    }
    res.json(updated);
  });

  return router;
}
