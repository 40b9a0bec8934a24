/**
 * The dashboard's "understand" sections, so a manager can answer from the page alone:
 * what customers complain about most and whether it is improving (themes with their
 * change, and what detractors mention), which agents differ from the rest of the team
 * with evidence (never a ranking), and how much revenue sits with detractors (value at
 * risk, by segment). Server-rendered, escaped through `html`, no script.
 */
import type { AgentComparisonReport } from '../insights/agent-report.ts';
import type { InsightContext } from '../insights/insight-range.ts';
import { runAgentComparison } from '../insights/agent-report.ts';
import { runCoverageReport, type CoverageReport, type ResponseGroup } from '../insights/coverage-report.ts';
import type { Scope } from '../scope.ts';
import { runSegmentReport, type SegmentReport } from '../insights/segment-report.ts';
import type { Theme } from '../themes/theme-list.ts';
import { runThemeReport, type ThemeReport } from '../themes/theme-report.ts';
import { runValueReport, type ValueReport } from '../insights/value-report.ts';
import type { ChangeLabel } from '../nps-interval.ts';
import { html, type SafeHtml } from './html.ts';

export interface Insights {
  themes: ThemeReport;
  agents: AgentComparisonReport;
  value: ValueReport;
  segments: SegmentReport;
  coverage: CoverageReport;
}

export async function loadInsights(ctx: InsightContext, range: { from: string; to: string }, scope: Scope, themes: readonly Theme[]): Promise<Insights> {
  const p = { ...range, type: 'transactional' as const };
  const [t, agents, value, segments, coverage] = await Promise.all([
    runThemeReport(ctx, p, scope, themes),
    runAgentComparison(ctx, p, scope),
    runValueReport(ctx, p, scope),
    runSegmentReport(ctx, p, scope),
    runCoverageReport(ctx, p, scope),
  ]);
  return { themes: t, agents, value, segments, coverage };
}

const dash = '–';
const num = (v: number | null | undefined, suffix = ''): string => (v === null || v === undefined ? dash : `${v}${suffix}`);
const signed = (v: number | null | undefined, suffix = ''): string => (v === null || v === undefined ? dash : v > 0 ? `+${v}${suffix}` : `${v}${suffix}`);
const money = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: 2 });
/** An NPS change marked only when its 95% interval leaves zero out (nps-interval.ts). */
const evidence = (label: ChangeLabel): SafeHtml | string => (label === 'no evidence of a change'
  ? ''
  : html` <span class="${label === 'up' ? 'better' : 'worse'}" title="the 95% interval of the change leaves zero out">${label === 'up' ? 'improving' : 'worse'}</span>`);
const trend = (change: number | null, better: 'up' | 'down'): SafeHtml | string => {
  if (change === null || change === 0) return '';
  const improving = better === 'up' ? change > 0 : change < 0;
  return html` <span class="${improving ? 'better' : 'worse'}">${improving ? 'improving' : 'worse'}</span>`;
};

export const INSIGHT_CSS = `
.better { color: #2f7d4f; font-weight: 600; }
.worse { color: #b23b3b; font-weight: 600; }
.tag { display: inline-block; background: #eef2f7; border-radius: 3px; padding: 0 5px; margin: 0 3px 2px 0; font-size: 12px; }
.label-higher { color: #2f7d4f; font-weight: 600; }
.label-lower { color: #b23b3b; font-weight: 600; }
`;

export function themeSection(r: ThemeReport, rangeQuery: string): SafeHtml {
  const rows = r.rows.filter((x) => x.mentions > 0 || x.previousMentions > 0);
  const table = rows.length === 0
    ? html`<p>No tagged comments in this range.</p>`
    : html`<table id="theme-table"><thead><tr><th>Theme</th><th class="num">Comments</th><th class="num">Share</th><th class="num">NPS</th><th class="num">Margin of error</th><th class="num">Change</th><th class="num">Detractors</th><th></th></tr></thead><tbody>${rows.map((x) => html`<tr data-theme="${x.theme}">
  <td><a href="/dashboard?${rangeQuery}&amp;theme=${x.theme}#comments">${x.label}</a></td><td class="num">${x.mentions}</td><td class="num">${num(x.shareOfComments, '%')}</td>
  <td class="num">${num(x.nps)}</td><td class="num">±${num(x.marginOfError)}</td><td class="num">${signed(x.change)}${evidence(x.changeLabel)}</td><td class="num">${x.detractors}</td>
  <td>${x.mentions > 0 && x.lowSample ? html`<span class="low">low sample (&lt;${r.minSample})</span>` : ''}</td>
</tr>`)}</tbody></table>`;
  const drivers = r.drivers.length === 0
    ? html`<p>No detractor comment mentions a theme in this range.</p>`
    : html`<ol id="drivers">${r.drivers.map((x) => html`<li data-theme="${x.theme}"><b>${x.label}</b>: ${x.detractors} of ${r.commented.detractors} detractors with a comment (${num(x.shareOfDetractors, '%')})${x.change === null ? '' : html`, ${signed(x.change, ' pp')} on the period before${trend(x.change, 'down')}`}</li>`)}</ol>`;
  return html`<p class="muted">${r.commented.answers} answers with a tagged comment${r.untagged > 0 ? `, ${r.untagged} not tagged yet` : ''}. Change is against ${r.previous.from} – ${r.previous.to}, marked improving or worse only when its 95% interval leaves zero out. A comment counts under every theme it mentions, praise or complaint.</p>
${table}
<h3>What detractors mention most</h3>${drivers}`;
}

const reasonsText = (reasons: Record<string, number>): string => Object.entries(reasons).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k} ${n}`).join(', ');

export function agentComparisonSection(r: AgentComparisonReport): SafeHtml {
  if (r.rows.length === 0) return html`<p>No conversations were resolved in this range.</p>`;
  return html`<p class="muted">Each agent against everyone else (team: ${r.team.responses} answers, NPS ${num(r.team.nps)} ±${num(r.team.marginOfError)}). A difference is claimed only when its 95% interval leaves zero out and both sides have at least ${r.minSample} answers. Not a ranking: rows are in alphabetical order within each reading.</p>
<table id="agent-comparison"><thead><tr><th>Agent</th><th class="num">Answers</th><th class="num">NPS</th><th class="num">vs team</th><th>95% interval</th><th>Reading</th><th class="num">Never surveyed</th><th>Why</th><th class="num">Coverage</th></tr></thead><tbody>${r.rows.map((x) => html`<tr data-agent="${x.agentId}">
  <td>${x.agentName ? html`${x.agentName} <span class="muted">(${x.agentId})</span>` : x.agentId}</td>
  <td class="num">${x.responses}</td><td class="num">${num(x.nps)}</td><td class="num">${signed(x.difference)}</td>
  <td>${x.low === null ? dash : `${x.low} to ${x.high}`}</td>
  <td class="label-${x.label === 'higher' ? 'higher' : x.label === 'lower' ? 'lower' : 'none'}">${x.label}${x.lowSample ? html` <span class="low">(fewer than ${r.minSample} answers)</span>` : ''}</td>
  <td class="num">${x.neverSurveyed} of ${x.resolved}${x.neverSurveyedPct === null ? '' : ` (${x.neverSurveyedPct}%)`}</td><td>${reasonsText(x.neverSurveyedReasons)}</td>
  <td class="num">${num(x.coveragePct, '%')}${x.coverageWarning ? html` <span class="worse coverage-warning">well below the team's ${num(r.team.coveragePct, '%')}</span>` : ''}</td>
</tr>`)}</tbody></table>`;
}

const responseTable = (id: string, name: string, groups: ResponseGroup[]): SafeHtml => html`<table id="${id}"><thead><tr><th>${name}</th><th class="num">Asked</th><th class="num">Answered</th><th class="num">Response rate</th><th>Against the rest</th></tr></thead><tbody>${groups.map((g) => html`<tr data-group="${g.group}">
  <td>${g.group}</td><td class="num">${g.sent}</td><td class="num">${g.responses}</td><td class="num">${num(g.responseRate, '%')}</td><td>${g.reading ? html`<span class="${g.reading === 'higher' ? 'better' : 'worse'}">answers ${g.reading === 'higher' ? 'more' : 'less'} often</span>` : 'no evidence of a difference'}</td>
</tr>`)}</tbody></table>`;

/** Who was asked and who answered: per channel coverage with warnings, then responders against non-responders. */
export function coverageSection(r: CoverageReport): SafeHtml {
  if (r.team.resolved === 0) return html`<p>No conversations were resolved in this range.</p>`;
  const v = r.respondents.value;
  return html`<p class="label" id="coverage-caveat">${r.caveat}</p>
<table id="channel-coverage"><thead><tr><th>Channel</th><th class="num">Resolved</th><th class="num">Never surveyed</th><th>Why</th><th class="num">Coverage</th><th class="num">Response rate</th></tr></thead><tbody>${[['all channels', r.team, false] as const, ...r.channels.map((c) => [c.channel, c, c.coverageWarning] as const)].map(([name, x, warn]) => html`<tr data-channel="${name}">
  <td>${name}</td><td class="num">${x.resolved}</td><td class="num">${x.neverSurveyed}${x.neverSurveyedPct === null ? '' : ` (${x.neverSurveyedPct}%)`}</td><td>${reasonsText(x.neverSurveyedReasons)}</td>
  <td class="num">${num(x.coveragePct, '%')}${warn ? html` <span class="worse coverage-warning">well below the team's ${num(r.team.coveragePct, '%')}</span>` : ''}</td><td class="num">${num(x.responseRate, '%')}</td>
</tr>`)}</tbody></table>
<p class="muted">Coverage is asked ÷ resolved (not counting those still waiting). A warning means the 95% interval of the gap to the rest of the team lies wholly more than 10 points below: resolving in a way that asks nobody keeps detractors out of the figures.</p>
<h3>Do those who answered differ from those who did not?</h3>
${responseTable('respond-channel', 'Channel', r.respondents.byChannel)}
${responseTable('respond-segment', 'Segment', r.respondents.bySegment)}
${responseTable('respond-time', 'Time of day', r.respondents.byTimeOfDay)}
<p id="respond-value">Mean customer value: ${num(v.responders.meanValue)} among ${v.responders.withValue} who answered with a known value, ${num(v.nonResponders.meanValue)} among ${v.nonResponders.withValue} who did not. Not compared: ${r.respondents.notKnown.join('; ')}.</p>`;
}

export function valueSection(v: ValueReport, s: SegmentReport): SafeHtml {
  const kpis = html`<div class="kpis">
  <div class="kpi" id="value-at-risk">Value at risk (detractors)<b>${money(v.valueAtRisk)}</b><span class="muted">${v.detractorCustomers} customers · ${signed(v.valueAtRiskChange)} on the period before</span></div>
  <div class="kpi" id="promoter-value">Value of promoters<b>${money(v.promoterValue)}</b><span class="muted">${v.promoterCustomers} customers · ${signed(v.promoterValueChange)}</span></div>
  <div class="kpi">Customers with a value<b>${v.withValue}</b><span class="muted">of ${v.customers} who answered</span></div>
</div>`;
  const segments = s.rows.length === 0
    ? html`<p>No surveys were sent in this range.</p>`
    : html`<table id="segment-table"><thead><tr><th>Segment</th><th class="num">Answers</th><th class="num">NPS</th><th class="num">Margin of error</th><th class="num">Change</th><th class="num">Value at risk</th><th class="num">Promoter value</th><th>Sample</th></tr></thead><tbody>${s.rows.map((x) => html`<tr>
  <td>${x.segment ?? html`<span class="muted">(no segment)</span>`}</td><td class="num">${x.responses}</td><td class="num">${num(x.nps)}</td><td class="num">±${num(x.marginOfError)}</td>
  <td class="num">${signed(x.change)}${evidence(x.changeLabel)}</td><td class="num">${money(x.valueAtRisk)}</td><td class="num">${money(x.promoterValue)}</td>
  <td>${x.lowSample ? html`<span class="low">low sample (&lt;${s.minSample})</span>` : 'ok'}</td>
</tr>`)}</tbody></table>`;
  return html`${kpis}<p class="muted">Each customer counts once, with their latest answer and value in the period.</p>${segments}`;
}
