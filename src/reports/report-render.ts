/**
 * Reports as text: CSV (for spreadsheets) and an aligned table (for the terminal).
 * Both say which NPS it is; neither calls it the company's NPS.
 */
import { stripControlCharsOneLine } from '../control-chars.ts';
import { toCsv, type CsvValue } from './csv.ts';
import type { CommentRow } from './comments-query.ts';
import type { Report, ReportRow } from './report-query.ts';
import type { Trend } from './insights/trend.ts';

const METRICS = [
  'sent', 'responses', 'responseRate', 'promoters', 'promotersPct', 'passives', 'passivesPct',
  'detractors', 'detractorsPct', 'nps', 'marginOfError', 'lowSample', 'previousNps', 'change',
  'npsLow', 'npsHigh', 'changeLow', 'changeHigh', 'changeLabel',
] as const;

function keyColumns(report: Report): Array<keyof ReportRow> {
  const cols: Array<keyof ReportRow> = [];
  if (report.period) cols.push('period');
  if (report.by === 'type') cols.push('type');
  if (report.by === 'channel' || report.by === 'channel,agent') cols.push('channel');
  if (report.by === 'agent' || report.by === 'channel,agent') cols.push('agentId', 'agentName');
  return cols;
}

export function reportCsv(report: Report): string {
  const keys = keyColumns(report);
  const header = [...keys, 'surveyType', ...METRICS];
  const rows = report.rows.map((r): CsvValue[] => [
    ...keys.map((k) => r[k] as CsvValue),
    r.type ?? report.type,
    ...METRICS.map((m) => r[m] as CsvValue),
  ]);
  return toCsv(header, rows);
}

export function reportCsvFilename(report: Report): string {
  const by = report.by.replace(',', '-');
  return `nps-${report.type}-by-${by}${report.period ? `-per-${report.period}` : ''}-${report.from}_${report.to}.csv`;
}

const TREND_COLUMNS = ['sent', 'responses', 'nps', 'marginOfError', 'low', 'high', 'lowSample', 'change', 'changeLow', 'changeHigh', 'changeLabel'] as const;

export function trendCsv(t: Trend): string {
  return toCsv(['period', 'surveyType', ...TREND_COLUMNS], t.points.map((p): CsvValue[] => [p.period, t.type, ...TREND_COLUMNS.map((k) => p[k] as CsvValue)]));
}

export function commentsCsv(comments: CommentRow[]): string {
  return toCsv(
    ['at', 'resolvedAt', 'channel', 'agentId', 'agentName', 'type', 'score', 'category', 'themes', 'comment'],
    comments.map((c) => [c.at, c.resolvedAt, c.channel, c.agentId, c.agentName, c.type, c.score, c.category, c.themes.join(';'), c.comment]),
  );
}

const dash = '–';
const show = (v: number | null, suffix = ''): string => (v === null ? dash : `${v}${suffix}`);
const signed = (v: number | null): string => (v === null ? dash : v > 0 ? `+${v}` : String(v));

/** An aligned plain-text table with a title saying what the figures are. */
export function reportTable(report: Report): string {
  const keys = keyColumns(report);
  const header = [...keys.map((k) => (k === 'agentId' ? 'agent' : k === 'agentName' ? 'name' : String(k))),
    'sent', 'answers', 'rate', 'prom', 'pass', 'detr', 'NPS', '±MoE', 'change', ''];
  const lines = report.rows.map((r) => [
    // Names and segments come from outside: no control character reaches the terminal.
    ...keys.map((k) => stripControlCharsOneLine(String(r[k] ?? ''))),
    String(r.sent), String(r.responses), show(r.responseRate, '%'),
    show(r.promotersPct, '%'), show(r.passivesPct, '%'), show(r.detractorsPct, '%'),
    show(r.nps), show(r.marginOfError), signed(r.change),
    r.lowSample ? `low sample (<${report.minSample})` : '',
  ]);
  const numeric = new Set(['sent', 'answers', 'rate', 'prom', 'pass', 'detr', 'NPS', '±MoE', 'change']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (numeric.has(header[i]!) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const title = [
    report.label,
    `${report.from} to ${report.to} (${report.timeZone})${report.period ? `, per ${report.period}` : ''}; change against ${report.previous.from} to ${report.previous.to}.`,
    ...(report.by.includes('agent') ? [`Credit (${report.attribution.rule}): ${report.attribution.note}`] : []),
    '',
  ];
  if (lines.length === 0) return `${title.join('\n')}No surveys were sent in this range.\n`;
  return `${title.join('\n')}${fmt(header)}\n${lines.map(fmt).join('\n')}\n`;
}
