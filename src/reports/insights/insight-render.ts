/**
 * The understanding reports as text: CSV for spreadsheets and aligned tables for the
 * terminal. Each starts from the same label as the NPS report, so a theme or agent
 * figure is never mistaken for the company's NPS.
 */
import type { AgentComparisonReport } from './agent-report.ts';
import type { CoverageReport, ResponseGroup } from './coverage-report.ts';
import { stripControlCharsOneLine } from '../../control-chars.ts';
import { toCsv, type CsvValue } from '../csv.ts';
import type { InsightHeader } from './insight-range.ts';
import type { SegmentReport } from './segment-report.ts';
import type { ThemeReport } from '../themes/theme-report.ts';
import type { ValueReport } from './value-report.ts';

export const INSIGHT_VIEWS = ['themes', 'drivers', 'agents', 'segments', 'value', 'coverage'] as const;
export type InsightView = (typeof INSIGHT_VIEWS)[number];

export function insightCsvFilename(view: InsightView, h: InsightHeader): string {
  return `nps-${h.type}-${view}-${h.from}_${h.to}.csv`;
}

export function themesCsv(r: ThemeReport): string {
  return toCsv(
    ['theme', 'label', 'surveyType', 'mentions', 'shareOfComments', 'promoters', 'passives', 'detractors', 'nps', 'marginOfError', 'lowSample', 'previousMentions', 'previousNps', 'change', 'npsLow', 'npsHigh', 'changeLow', 'changeHigh', 'changeLabel'],
    r.rows.map((x) => [x.theme, x.label, r.type, x.mentions, x.shareOfComments, x.promoters, x.passives, x.detractors, x.nps, x.marginOfError, x.lowSample, x.previousMentions, x.previousNps, x.change, x.npsLow, x.npsHigh, x.changeLow, x.changeHigh, x.changeLabel]),
  );
}

export type DriverReport = Omit<ThemeReport, 'rows'>;

export function driversCsv(r: DriverReport): string {
  return toCsv(
    ['theme', 'label', 'surveyType', 'detractors', 'shareOfDetractors', 'previousShareOfDetractors', 'change'],
    r.drivers.map((x) => [x.theme, x.label, r.type, x.detractors, x.shareOfDetractors, x.previousShareOfDetractors, x.change]),
  );
}

const reasonsText = (reasons: Record<string, number>): string => Object.entries(reasons).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k} ${n}`).join('; ');

export function agentsCsv(r: AgentComparisonReport): string {
  return toCsv(
    ['agentId', 'agentName', 'surveyType', 'sent', 'responses', 'responseRate', 'nps', 'marginOfError', 'lowSample', 'difference', 'low', 'high', 'label', 'resolved', 'neverSurveyed', 'neverSurveyedPct', 'neverSurveyedReasons', 'pending', 'coveragePct', 'coverageWarning'],
    r.rows.map((x): CsvValue[] => [x.agentId, x.agentName, r.type, x.sent, x.responses, x.responseRate, x.nps, x.marginOfError, x.lowSample, x.difference, x.low, x.high, x.label, x.resolved, x.neverSurveyed, x.neverSurveyedPct, reasonsText(x.neverSurveyedReasons), x.pending, x.coveragePct, x.coverageWarning]),
  );
}

export function segmentsCsv(r: SegmentReport): string {
  return toCsv(
    ['segment', 'surveyType', 'sent', 'responses', 'responseRate', 'promoters', 'passives', 'detractors', 'nps', 'marginOfError', 'lowSample', 'previousNps', 'change', 'customers', 'withValue', 'valueAtRisk', 'promoterValue', 'npsLow', 'npsHigh', 'changeLow', 'changeHigh', 'changeLabel'],
    r.rows.map((x) => [x.segment, r.type, x.sent, x.responses, x.responseRate, x.promoters, x.passives, x.detractors, x.nps, x.marginOfError, x.lowSample, x.previousNps, x.change, x.customers, x.withValue, x.valueAtRisk, x.promoterValue, x.npsLow, x.npsHigh, x.changeLow, x.changeHigh, x.changeLabel]),
  );
}

export function coverageCsv(r: CoverageReport): string {
  const row = (channel: string, x: CoverageReport['team'], warning: boolean | null): CsvValue[] => [
    channel, r.type, x.resolved, x.asked, x.neverSurveyed, x.neverSurveyedPct, reasonsText(x.neverSurveyedReasons), x.pending, x.coveragePct, warning, x.sent, x.responses, x.responseRate,
  ];
  return toCsv(
    ['channel', 'surveyType', 'resolved', 'asked', 'neverSurveyed', 'neverSurveyedPct', 'neverSurveyedReasons', 'pending', 'coveragePct', 'coverageWarning', 'sent', 'responses', 'responseRate'],
    [row('(all)', r.team, null), ...r.channels.map((c) => row(c.channel, c, c.coverageWarning))],
  );
}

export function valueCsv(r: ValueReport): string {
  const row = (segment: string, v: ValueReport | ValueReport['bySegment'][number]): CsvValue[] => [
    segment, r.type, v.customers, v.withValue, v.detractorCustomers, v.valueAtRisk, v.promoterCustomers, v.promoterValue, v.passiveValue,
  ];
  return toCsv(
    ['segment', 'surveyType', 'customers', 'withValue', 'detractorCustomers', 'valueAtRisk', 'promoterCustomers', 'promoterValue', 'passiveValue'],
    [row('(all)', r), ...r.bySegment.map((s) => row(s.segment ?? '(none)', s))],
  );
}

const dash = '–';
const show = (v: number | null | undefined, suffix = ''): string => (v === null || v === undefined ? dash : `${v}${suffix}`);
const signed = (v: number | null | undefined, suffix = ''): string => (v === null || v === undefined ? dash : v > 0 ? `+${v}${suffix}` : `${v}${suffix}`);

function table(header: string[], raw: string[][], numeric: Set<string>): string {
  // Names, segments and themes come from outside: no control character reaches the terminal.
  const rows = raw.map((r) => r.map(stripControlCharsOneLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (numeric.has(header[i]!) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${fmt(header)}\n${rows.map(fmt).join('\n')}\n`;
}

function title(h: InsightHeader, what: string): string {
  return `${what}\n${h.label}\n${h.from} to ${h.to} (${h.timeZone}); change against ${h.previous.from} to ${h.previous.to}.\n\n`;
}

export function themesTable(r: ThemeReport): string {
  const head = title(r, `Comment themes: ${r.commented.answers} answers with a tagged comment${r.untagged > 0 ? `, ${r.untagged} not tagged yet` : ''}.`);
  const themes = table(
    ['theme', 'mentions', 'share', 'NPS', '±MoE', 'change', 'detr', ''],
    r.rows.map((x) => [x.label, String(x.mentions), show(x.shareOfComments, '%'), show(x.nps), show(x.marginOfError), signed(x.change), String(x.detractors), x.mentions > 0 && x.lowSample ? `low sample (<${r.minSample})` : '']),
    new Set(['mentions', 'share', 'NPS', '±MoE', 'change', 'detr']),
  );
  return `${head}${themes}\n${driverLines(r)}`;
}

function driverLines(r: DriverReport): string {
  if (r.drivers.length === 0) return 'No detractor comment mentions a theme in this range.\n';
  return table(
    ['what detractors mention', 'detractors', 'share', 'change'],
    r.drivers.map((x) => [x.label, String(x.detractors), show(x.shareOfDetractors, '%'), signed(x.change, ' pp')]),
    new Set(['detractors', 'share', 'change']),
  );
}

export function driversTable(r: DriverReport): string {
  return title(r, `What detractors mention most: ${r.commented.detractors} detractors with a tagged comment.`) + driverLines(r);
}

export function agentsTable(r: AgentComparisonReport): string {
  const head = title(r, `Agents compared with the rest of the team (team: ${r.team.responses} answers, NPS ${show(r.team.nps)} ±${show(r.team.marginOfError)}). Not a ranking.`);
  if (r.rows.length === 0) return `${head}No conversations were resolved in this range.\n`;
  return head + table(
    ['agent', 'answers', 'rate', 'NPS', 'vs team', '95% interval', 'reading', 'never surveyed', 'why'],
    r.rows.map((x) => [
      x.agentName ? `${x.agentName} (${x.agentId})` : x.agentId, String(x.responses), show(x.responseRate, '%'), show(x.nps),
      signed(x.difference), x.low === null ? dash : `${x.low} to ${x.high}`,
      x.lowSample ? `${x.label} (fewer than ${r.minSample} answers)` : x.label,
      `${x.neverSurveyed}/${x.resolved}${x.neverSurveyedPct === null ? '' : ` (${x.neverSurveyedPct}%)`}`, reasonsText(x.neverSurveyedReasons),
    ]),
    new Set(['answers', 'rate', 'NPS', 'vs team']),
  );
}

export function segmentsTable(r: SegmentReport): string {
  const head = title(r, 'NPS by customer segment.');
  if (r.rows.length === 0) return `${head}No surveys were sent in this range.\n`;
  return head + table(
    ['segment', 'sent', 'answers', 'NPS', '±MoE', 'change', 'value at risk', 'promoter value', ''],
    r.rows.map((x) => [x.segment ?? '(no segment)', String(x.sent), String(x.responses), show(x.nps), show(x.marginOfError), signed(x.change), String(x.valueAtRisk), String(x.promoterValue), x.lowSample ? `low sample (<${r.minSample})` : '']),
    new Set(['sent', 'answers', 'NPS', '±MoE', 'change', 'value at risk', 'promoter value']),
  );
}

export function coverageTable(r: CoverageReport): string {
  const head = title(r, 'Who was asked, and who answered.');
  const rows = [['(all)', r.team, false] as const, ...r.channels.map((c) => [c.channel, c, c.coverageWarning] as const)];
  const coverage = table(
    ['channel', 'resolved', 'never surveyed', 'coverage', 'response rate', '', 'why'],
    rows.map(([name, x, warn]) => [name, String(x.resolved), String(x.neverSurveyed), show(x.coveragePct, '%'), show(x.responseRate, '%'), warn ? 'WARNING: coverage well below the rest of the team' : '', reasonsText(x.neverSurveyedReasons)]),
    new Set(['resolved', 'never surveyed', 'coverage', 'response rate']),
  );
  const groups = (name: string, gs: ResponseGroup[]): string => table(
    [name, 'sent', 'answered', 'response rate', 'vs the rest'],
    gs.map((g) => [g.group, String(g.sent), String(g.responses), show(g.responseRate, '%'), g.reading ?? 'no evidence of a difference']),
    new Set(['sent', 'answered', 'response rate']),
  );
  const v = r.respondents.value;
  return `${head}${coverage}
${r.caveat}

${groups('channel', r.respondents.byChannel)}
${groups('segment', r.respondents.bySegment)}
${groups('time of day', r.respondents.byTimeOfDay)}
Mean customer value: ${show(v.responders.meanValue)} among ${v.responders.withValue} who answered, ${show(v.nonResponders.meanValue)} among ${v.nonResponders.withValue} who did not.
Not compared: ${r.respondents.notKnown.join('; ')}.
`;
}

export function valueTable(r: ValueReport): string {
  const head = title(r, 'Customer value by their latest answer (each customer once).');
  const lines = [
    `Value at risk (detractors): ${r.valueAtRisk} from ${r.detractorCustomers} customers (previous period ${r.previousValueAtRisk}, change ${signed(r.valueAtRiskChange)})`,
    `Value of promoters:         ${r.promoterValue} from ${r.promoterCustomers} customers (previous period ${r.previousPromoterValue}, change ${signed(r.promoterValueChange)})`,
    `Customers with an answer: ${r.customers}, of whom ${r.withValue} came with a value.`,
    '',
  ];
  const bySegment = r.bySegment.length === 0 ? '' : table(
    ['segment', 'customers', 'with value', 'value at risk', 'promoter value'],
    r.bySegment.map((s) => [s.segment ?? '(no segment)', String(s.customers), String(s.withValue), String(s.valueAtRisk), String(s.promoterValue)]),
    new Set(['customers', 'with value', 'value at risk', 'promoter value']),
  );
  return `${head}${lines.join('\n')}\n${bySegment}`;
}
