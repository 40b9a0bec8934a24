/**
 * Charts as inline SVG, drawn on the server: no script, no CDN, works offline. NPS runs
 * from −100 to 100, so both charts draw the zero line and keep the full scale (a
 * zoomed axis would make a small change look large).
 */
import { html, raw, type SafeHtml } from './html.ts';

export interface BarDatum { label: string; value: number | null; n: number; lowSample: boolean }
export interface TrendPoint {
  label: string;
  value: number | null;
  n: number;
  /** The 95% interval of the period's NPS; null without answers. */
  low: number | null;
  high: number | null;
  /** Against the period before; marked only when the interval of the difference leaves zero out. */
  changeLabel?: 'up' | 'down' | 'no evidence of a change';
}

const fmt = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Horizontal bars of NPS per row, zero in the middle. */
export function npsBarChart(title: string, data: BarDatum[]): SafeHtml {
  const labelW = 140;
  const plotW = 420;
  const rowH = 28;
  const top = 24;
  const width = labelW + plotW + 110;
  const height = top + Math.max(1, data.length) * rowH + 24;
  const x = (v: number): number => labelW + ((v + 100) / 200) * plotW;
  const bars = data.map((d, i) => {
    const y = top + i * rowH;
    const label = d.label.length > 20 ? `${d.label.slice(0, 19)}…` : d.label;
    const bar = d.value === null
      ? html`<text x="${fmt(x(0) + 6)}" y="${fmt(y + 18)}" class="muted">no answers</text>`
      : html`<rect x="${fmt(Math.min(x(0), x(d.value)))}" y="${fmt(y + 5)}" width="${fmt(Math.max(1, Math.abs(x(d.value) - x(0))))}" height="${rowH - 10}" class="${d.value >= 0 ? 'pos' : 'neg'}${d.lowSample ? ' low' : ''}"><title>${d.label}: NPS ${d.value}, ${d.n} answers</title></rect>`;
    return html`<g><text x="${labelW - 8}" y="${fmt(y + 18)}" text-anchor="end">${label}</text>${bar}<text x="${labelW + plotW + 8}" y="${fmt(y + 18)}">${d.value === null ? '–' : d.value} · n=${d.n}${d.lowSample ? ' · low' : ''}</text></g>`;
  });
  const ticks = [-100, -50, 0, 50, 100].map((t) => html`<line x1="${fmt(x(t))}" x2="${fmt(x(t))}" y1="${top - 4}" y2="${height - 20}" class="${t === 0 ? 'zero' : 'grid'}"/><text x="${fmt(x(t))}" y="${height - 6}" text-anchor="middle" class="muted">${t}</text>`);
  return html`<svg class="chart" role="img" aria-label="${title}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${title}</title>${ticks}${bars}</svg>`;
}

/**
 * NPS per period as a line with points, and each period's 95% interval drawn as a
 * shaded band (joining consecutive periods) and a whisker per point, so a lone period
 * between gaps shows its interval too. Periods without answers are gaps.
 */
export function npsTrendChart(title: string, unit: 'week' | 'month', points: TrendPoint[]): SafeHtml {
  const left = 44;
  const right = 16;
  const top = 16;
  const plotH = 200;
  const step = 56;
  const width = left + right + Math.max(1, points.length - 1) * step + 20;
  const height = top + plotH + 44;
  const xOf = (i: number): number => left + 10 + i * step;
  const yOf = (v: number): number => top + ((100 - v) / 200) * plotH;
  const grid = [-100, -50, 0, 50, 100].map((t) => html`<line x1="${left}" x2="${width - right}" y1="${fmt(yOf(t))}" y2="${fmt(yOf(t))}" class="${t === 0 ? 'zero' : 'grid'}"/><text x="${left - 6}" y="${fmt(yOf(t) + 4)}" text-anchor="end" class="muted">${t}</text>`);
  // Runs of consecutive periods with answers: one line and one band each.
  const runs: number[][] = [];
  let run: number[] = [];
  points.forEach((p, i) => {
    if (p.value === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else {
      run.push(i);
    }
  });
  if (run.length > 0) runs.push(run);
  const bands = runs.filter((r) => r.length > 1).map((r) => {
    const upper = r.map((i) => `${fmt(xOf(i))},${fmt(yOf(points[i]!.high ?? points[i]!.value!))}`);
    const lower = [...r].reverse().map((i) => `${fmt(xOf(i))},${fmt(yOf(points[i]!.low ?? points[i]!.value!))}`);
    return html`<polygon points="${[...upper, ...lower].join(' ')}" class="band"/>`;
  });
  const lines = runs.filter((r) => r.length > 1).map((r) => html`<polyline points="${r.map((i) => `${fmt(xOf(i))},${fmt(yOf(points[i]!.value!))}`).join(' ')}" class="line"/>`);
  const whiskers = points.map((p, i) => (p.value === null || p.low === null || p.high === null
    ? ''
    : html`<line x1="${fmt(xOf(i))}" x2="${fmt(xOf(i))}" y1="${fmt(yOf(p.high))}" y2="${fmt(yOf(p.low))}" class="whisker"/>`));
  const marks = points.map((p, i) => (p.value === null || !p.changeLabel || p.changeLabel === 'no evidence of a change'
    ? ''
    : html`<text x="${fmt(xOf(i) + 8)}" y="${fmt(yOf(p.value) - 6)}" class="${p.changeLabel === 'up' ? 'up' : 'down'}">${p.changeLabel === 'up' ? '▲' : '▼'}</text>`));
  const dots = points.map((p, i) => (p.value === null
    ? html`<text x="${fmt(xOf(i))}" y="${fmt(yOf(0) - 6)}" text-anchor="middle" class="muted">·</text>`
    : html`<circle cx="${fmt(xOf(i))}" cy="${fmt(yOf(p.value))}" r="4" class="dot" data-period="${p.label}" data-nps="${p.value}" data-low="${p.low ?? ''}" data-high="${p.high ?? ''}"><title>${unit} of ${p.label}: NPS ${p.value}, 95% interval ${p.low ?? '–'} to ${p.high ?? '–'}, ${p.n} answers${p.changeLabel && p.changeLabel !== 'no evidence of a change' ? `, ${p.changeLabel} on the ${unit} before` : ''}</title></circle>`));
  const labels = points.map((p, i) => html`<text x="${fmt(xOf(i))}" y="${top + plotH + 18}" text-anchor="middle" class="muted">${unit === 'week' ? p.label.slice(5) : p.label.slice(0, 7)}</text><text x="${fmt(xOf(i))}" y="${top + plotH + 34}" text-anchor="middle" class="muted">n=${p.n}</text>`);
  return html`<svg class="chart trend" role="img" aria-label="${title}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${title}</title>${grid}${bands}${whiskers}${lines}${dots}${marks}${labels}</svg>`;
}

export const CHART_CSS = raw(`
svg.chart text { font: 12px system-ui, sans-serif; fill: #222; }
svg.chart .muted { fill: #666; }
svg.chart .grid { stroke: #e3e3e3; }
svg.chart .zero { stroke: #888; }
svg.chart rect.pos { fill: #2f7d4f; }
svg.chart rect.neg { fill: #b23b3b; }
svg.chart rect.low { fill-opacity: .45; }
svg.chart .line { fill: none; stroke: #2a5d9f; stroke-width: 2; }
svg.chart .dot { fill: #2a5d9f; }
svg.chart .band { fill: #2a5d9f; fill-opacity: .15; stroke: none; }
svg.chart .whisker { stroke: #2a5d9f; stroke-opacity: .6; stroke-width: 1.5; }
svg.chart .up { fill: #2f7d4f; }
svg.chart .down { fill: #b23b3b; }
`);
