/**
 * `GET /api/reports/nps?by=channel|agent|channel,agent&from=YYYY-MM-DD&to=YYYY-MM-DD`
 * → `{rows: [{channel?, agentId?, sent, responses, promoters, passives, detractors, nps}]}`.
 * An agent token sees only its own rows.
 */
import { Router } from 'express';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { principalOf } from '../http-auth.ts';
import { validate } from '../conversation/inbound-validation.ts';
import { dayRange, npsReport } from './nps-report.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date');

const npsQuerySchema = z.object({
  by: z.enum(['channel', 'agent', 'channel,agent']).default('channel'),
  from: day.optional(),
  to: day.optional(),
});

export function reportRoutes(conn: Connection): Router {
  const router = Router();
  router.get('/nps', async (req, res) => {
    const q = validate(npsQuerySchema, req.query);
    const range = dayRange(q.from, q.to);
    if (range.from >= range.to) {
      res.status(400).json({ error: 'from: must not be after to', field: 'from' });
      return;
    }
    const principal = principalOf(res);
    const rows = await npsReport(conn, { by: q.by, ...range, agentId: principal.role === 'agent' ? principal.agentId : undefined });
    res.json({ type: 'transactional', from: range.from.toISOString(), to: range.to.toISOString(), rows });
  });
  return router;
}
