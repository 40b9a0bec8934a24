/**
 * Resolved conversations that were never surveyed, counted from the surveys by a
 * grouping field (the resolving agent, or the channel): every resolution makes a survey
 * record, so `resolved` is complete; skipped, failed and expired-before-asked ones are
 * "never surveyed" with their reason; scheduled ones are still pending. Read-only.
 */
import { SurveyReader } from '../../storage/surveys/index.ts';
import type { InsightContext } from './insight-range.ts';

export interface Unsurveyed {
  resolved: number;
  /** Asked (the question reached the customer, or a score came back). */
  asked: number;
  never: number;
  pending: number;
  reasons: Record<string, number>;
}

export const emptyUnsurveyed = (): Unsurveyed => ({ resolved: 0, asked: 0, never: 0, pending: 0, reasons: {} });

export async function countUnsurveyed(ctx: InsightContext, filter: Record<string, unknown>, by: 'agent.id' | 'channel'): Promise<Map<string, Unsurveyed>> {
  const groups = await new SurveyReader(ctx.conn).aggregate<{ _id: { key: string; state: string; reason?: string; asked: boolean }; n: number }>([
    { $match: filter },
    {
      $group: {
        _id: { key: `$${by}`, state: '$state', reason: '$skipReason', asked: { $cond: [{ $ifNull: ['$askedAt', false] }, true, false] } },
        n: { $sum: 1 },
      },
    },
  ]);
  const out = new Map<string, Unsurveyed>();
  for (const g of groups) {
    let u = out.get(g._id.key);
    if (!u) out.set(g._id.key, (u = emptyUnsurveyed()));
    u.resolved += g.n;
    if (g._id.state === 'scheduled' || g._id.state === 'sending') {
      u.pending += g.n;
      continue;
    }
    const expiredUnasked = g._id.state === 'expired' && !g._id.asked;
    if (g._id.state !== 'skipped' && g._id.state !== 'failed' && !expiredUnasked) {
      u.asked += g.n;
      continue;
    }
    const reason = g._id.state === 'failed' ? 'failed' : expiredUnasked ? 'expired-unasked' : g._id.reason ?? 'skipped';
    u.never += g.n;
    u.reasons[reason] = (u.reasons[reason] ?? 0) + g.n;
  }
  return out;
}

/** Everyone's counts added up. */
export function totalOf(groups: Iterable<Unsurveyed>): Unsurveyed {
  const t = emptyUnsurveyed();
  for (const u of groups) {
    t.resolved += u.resolved;
    t.asked += u.asked;
    t.never += u.never;
    t.pending += u.pending;
    for (const [k, n] of Object.entries(u.reasons)) t.reasons[k] = (t.reasons[k] ?? 0) + n;
  }
  return t;
}
