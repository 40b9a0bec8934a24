/**
 * What customers talk about: per theme, the answers whose comment mentions it, their
 * NPS with its margin of error and the change against the previous period; and the
 * "drivers", the themes detractors mention most, as a share of the detractors who
 * left a (tagged) comment.
 *
 * Counted in the database from the surveys' stored `themes` (one `$unwind` and one
 * `$group` per range), so a comment counts under every theme it mentions.
 */
import { SurveyReader } from '../../storage/surveys/index.ts';
import { npsChange, npsScore, percent } from '../nps-math.ts';
import { npsInterval, periodChange, type PeriodChange } from '../nps-interval.ts';
import { insightRange, surveysIn, type InsightContext, type InsightHeader, type InsightParams } from '../insights/insight-range.ts';
import type { Scope } from '../scope.ts';
import type { Theme } from './theme-list.ts';

export interface ThemeRow extends PeriodChange {
  theme: string;
  label: string;
  /** Answers whose comment mentions the theme. */
  mentions: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** % of the tagged comments that mention the theme. */
  shareOfComments: number | null;
  nps: number | null;
  /** Half-width of the 95% adjusted Wald interval, and the interval itself (nps-interval.ts). */
  marginOfError: number | null;
  npsLow: number | null;
  npsHigh: number | null;
  lowSample: boolean;
  previousMentions: number;
  previousNps: number | null;
  change: number | null;
}

export interface DriverRow {
  theme: string;
  label: string;
  /** Detractors whose comment mentions the theme. */
  detractors: number;
  /** % of the detractors with a tagged comment who mention it. */
  shareOfDetractors: number | null;
  previousShareOfDetractors: number | null;
  /** Percentage points since the previous period. */
  change: number | null;
}

export interface ThemeReport extends InsightHeader {
  /** Answers with a tagged comment, and how many of them are detractors. */
  commented: { answers: number; detractors: number };
  /** Comments in the range not tagged yet (the bot tags within minutes; `nps-bot themes --retag` tags history). */
  untagged: number;
  /** Every theme of the list, most mentioned first. */
  rows: ThemeRow[];
  /** Themes detractors mention, most mentioned first. */
  drivers: DriverRow[];
}

type Cat = 'promoter' | 'passive' | 'detractor';
interface Tally { promoter: number; passive: number; detractor: number }
const emptyTally = (): Tally => ({ promoter: 0, passive: 0, detractor: 0 });
const total = (t: Tally): number => t.promoter + t.passive + t.detractor;

interface RangeCounts { byTheme: Map<string, Tally>; commented: Tally }

async function countThemes(ctx: InsightContext, filter: Record<string, unknown>): Promise<RangeCounts> {
  const surveys = new SurveyReader(ctx.conn);
  const tagged = { ...filter, category: { $in: ['promoter', 'passive', 'detractor'] }, themes: { $exists: true } };
  const [themed, commented] = await Promise.all([
    surveys.aggregate<{ _id: { theme: string; category: Cat }; n: number }>([
      { $match: tagged },
      { $project: { _id: 0, themes: 1, category: 1 } },
      { $unwind: '$themes' },
      { $group: { _id: { theme: '$themes', category: '$category' }, n: { $sum: 1 } } },
    ]),
    surveys.aggregate<{ _id: Cat; n: number }>([
      { $match: tagged },
      { $group: { _id: '$category', n: { $sum: 1 } } },
    ]),
  ]);
  const byTheme = new Map<string, Tally>();
  for (const g of themed) {
    let t = byTheme.get(g._id.theme);
    if (!t) byTheme.set(g._id.theme, (t = emptyTally()));
    t[g._id.category] += g.n;
  }
  const all = emptyTally();
  for (const g of commented) all[g._id] += g.n;
  return { byTheme, commented: all };
}

export async function runThemeReport(ctx: InsightContext, p: InsightParams, scope: Scope, themes: readonly Theme[]): Promise<ThemeReport> {
  const range = insightRange(ctx, p);
  const current = surveysIn(range.current, p, scope);
  const [now, before, untagged] = await Promise.all([
    countThemes(ctx, current),
    countThemes(ctx, surveysIn(range.before, p, scope)),
    new SurveyReader(ctx.conn).count({ ...current, comment: { $exists: true, $nin: [null, ''] }, themes: { $exists: false } }),
  ]);
  // Themes no longer in the list still show while stored on comments (until a re-tag).
  const labels = new Map(themes.map((t) => [t.id, t.label]));
  for (const id of now.byTheme.keys()) if (!labels.has(id)) labels.set(id, id);

  const rows: ThemeRow[] = [...labels].map(([theme, label]) => {
    const t = now.byTheme.get(theme) ?? emptyTally();
    const b = before.byTheme.get(theme) ?? emptyTally();
    const nps = npsScore(t.promoter, t.passive, t.detractor);
    const previousNps = npsScore(b.promoter, b.passive, b.detractor);
    const counts = { promoters: t.promoter, passives: t.passive, detractors: t.detractor };
    const interval = npsInterval(counts);
    return {
      theme,
      label,
      mentions: total(t),
      promoters: t.promoter,
      passives: t.passive,
      detractors: t.detractor,
      shareOfComments: percent(total(t), total(now.commented)),
      nps,
      marginOfError: interval?.marginOfError ?? null,
      npsLow: interval?.low ?? null,
      npsHigh: interval?.high ?? null,
      lowSample: total(t) < ctx.minSample,
      previousMentions: total(b),
      previousNps,
      change: npsChange(nps, previousNps),
      ...periodChange(counts, total(b) > 0 ? { promoters: b.promoter, passives: b.passive, detractors: b.detractor } : undefined),
    };
  });
  rows.sort((a, b) => b.mentions - a.mentions || a.theme.localeCompare(b.theme));

  const drivers: DriverRow[] = rows.filter((r) => r.detractors > 0).map((r) => {
    const share = percent(r.detractors, now.commented.detractor);
    const previousShare = percent(before.byTheme.get(r.theme)?.detractor ?? 0, before.commented.detractor);
    return {
      theme: r.theme,
      label: r.label,
      detractors: r.detractors,
      shareOfDetractors: share,
      previousShareOfDetractors: previousShare,
      change: share === null || previousShare === null ? null : Math.round((share - previousShare) * 10) / 10,
    };
  });
  drivers.sort((a, b) => b.detractors - a.detractors || a.theme.localeCompare(b.theme));

  return {
    ...range.header,
    commented: { answers: total(now.commented), detractors: now.commented.detractor },
    untagged,
    rows,
    drivers,
  };
}
