/**
 * The insights' public face: the views beyond the NPS table (agents vs team, coverage,
 * segments, value, themes, trend, testimonials) for the CLI; the HTTP routes and the
 * dashboard reach them inside reports.
 */
export { insightParamsSchema } from './insight-range.ts';
export { INSIGHT_VIEWS, type InsightView } from './insight-render.ts';
export { runInsight } from './insight-views.ts';
