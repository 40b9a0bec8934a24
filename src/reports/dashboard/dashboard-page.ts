/**
 * The dashboard's HTML: one server-rendered page, no script. Every value that came from
 * a customer or a platform goes through `html`, which escapes it.
 */
import type { CommentRow } from '../comments-query.ts';
import type { FollowupView } from '../followups/followup-workflow.ts';
import type { Report, ReportRow } from '../report-query.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { agentComparisonSection, coverageSection, INSIGHT_CSS, themeSection, valueSection, type Insights } from './insight-sections.ts';
import type { Trend } from '../insights/trend.ts';
import { CHART_CSS, npsBarChart, npsTrendChart } from './svg-charts.ts';

export interface DashboardData {
  viewer: string;
  total: Report;
  channels: Report;
  agents: Report;
  /** NPS per week (or month) with its 95% band. */
  trend: Trend;
  /** null: this viewer may not read comments (an agent token under AGENT_VISIBILITY=figures). */
  comments: CommentRow[] | null;
  followups: FollowupView[];
  openFollowups: number;
  /** Query string (without `?`) of the current range, for the CSV links. */
  rangeQuery: string;
  notice?: string;
  /** Themes, agents against the team, value and segments. */
  insights?: Insights;
  /** The theme the comments are filtered by, and the themes to choose from. */
  theme?: string;
  themeOptions?: Array<{ id: string; label: string }>;
}

const STYLE = raw(`
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 0; background: #f6f7f9; }
header { background: #1f2d3d; color: #fff; padding: 12px 24px; display: flex; justify-content: space-between; align-items: center; }
header form { margin: 0; }
main { padding: 16px 24px 48px; max-width: 1200px; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 12px 16px; margin: 16px 0; }
h1 { font-size: 18px; margin: 0; } h2 { font-size: 16px; margin: 4px 0 10px; }
.label { background: #fff8e1; border: 1px solid #f0d98c; padding: 8px 12px; border-radius: 4px; }
.kpis { display: flex; gap: 16px; flex-wrap: wrap; }
.kpi { border: 1px solid #dde1e6; border-radius: 6px; padding: 8px 14px; min-width: 140px; }
.kpi b { display: block; font-size: 26px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eceff3; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.low { color: #8a5a00; font-weight: 600; }
.muted { color: #666; }
.comment { white-space: pre-wrap; word-break: break-word; }
.flash { background: #e7f4ea; border: 1px solid #9fd3ad; padding: 8px 12px; border-radius: 4px; }
form.inline { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
input, select, button { font: inherit; }
`);

const dash = '–';
const num = (v: number | null | undefined, suffix = ''): string => (v === null || v === undefined ? dash : `${v}${suffix}`);
const signed = (v: number | null): string => (v === null ? dash : v > 0 ? `+${v}` : String(v));
/** ▲/▼ only when the 95% interval of the change leaves zero out (nps-interval.ts). */
const evidence = (r: ReportRow): SafeHtml | string => (r.changeLabel === 'no evidence of a change'
  ? ''
  : html` <span class="${r.changeLabel === 'up' ? 'better' : 'worse'}" title="95% interval of the change: ${num(r.changeLow)} to ${num(r.changeHigh)}">${r.changeLabel === 'up' ? '▲' : '▼'}</span>`);

export function layout(title: string, body: SafeHtml, header: SafeHtml = html``): string {
  return `<!doctype html>\n${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${STYLE}${CHART_CSS}${raw(INSIGHT_CSS)}</style></head><body><header><h1>${title}</h1>${header}</header><main>${body}</main></body></html>`.value}`;
}

export function loginPage(error?: string): string {
  return layout('NPS dashboard: sign in', html`
<section>
  <h2>Sign in</h2>
  ${error ? html`<p class="low" role="alert">${error}</p>` : ''}
  <form method="post" action="/dashboard/login">
    <label for="token">Access token</label><br>
    <input id="token" name="token" type="password" autocomplete="off" required maxlength="200" size="40">
    <button type="submit">Sign in</button>
  </form>
  <p class="muted">Use a manager token (API_TOKEN or REPORT_TOKENS) or your own agent token. It is kept in an HttpOnly cookie for this browser only.</p>
</section>`);
}

function kpis(report: Report): SafeHtml {
  const t: ReportRow | undefined = report.rows[0];
  if (!t) return html`<p>No surveys were sent from ${report.from} to ${report.to}.</p>`;
  return html`<div class="kpis">
  <div class="kpi" id="overall-nps">NPS<b>${num(t.nps)}</b><span class="muted">±${num(t.marginOfError)} (95%)</span></div>
  <div class="kpi">Answers<b>${t.responses}</b><span class="muted">of ${t.sent} sent</span></div>
  <div class="kpi" id="response-rate">Response rate<b>${num(t.responseRate, '%')}</b></div>
  <div class="kpi">Promoters / passives / detractors<b>${num(t.promotersPct, '%')} / ${num(t.passivesPct, '%')} / ${num(t.detractorsPct, '%')}</b></div>
  <div class="kpi" id="overall-change">Change<b>${signed(t.change)}${evidence(t)}</b><span class="muted">vs ${report.previous.from} – ${report.previous.to}${t.change === null ? '' : `; 95% ${num(t.changeLow)} to ${num(t.changeHigh)}`}</span></div>
</div>${t.lowSample ? html`<p class="low">Low sample: fewer than ${report.minSample} answers. Too few to judge on.</p>` : ''}`;
}

function agentTable(report: Report): SafeHtml {
  if (report.rows.length === 0) return html`<p>No answers in this range.</p>`;
  return html`<table id="agent-table">
<thead><tr><th>Agent</th><th class="num">Sent</th><th class="num">Answers</th><th class="num">Response rate</th><th class="num">NPS</th><th class="num">Margin of error</th><th class="num">Change</th><th>Sample</th></tr></thead>
<tbody>${report.rows.map((r) => html`<tr>
  <td>${r.agentName ? html`${r.agentName} <span class="muted">(${r.agentId})</span>` : r.agentId}</td>
  <td class="num">${r.sent}</td><td class="num">${r.responses}</td><td class="num">${num(r.responseRate, '%')}</td>
  <td class="num">${num(r.nps)}</td><td class="num">±${num(r.marginOfError)}</td><td class="num">${signed(r.change)}${evidence(r)}</td>
  <td>${r.lowSample ? html`<span class="low">low sample (&lt;${report.minSample})</span>` : 'ok'}</td>
</tr>`)}</tbody></table>
<p class="muted" id="attribution">Credit (ATTRIBUTION_RULE=${report.attribution.rule}): ${report.attribution.note}</p>
<p class="muted">One agent rarely shapes the whole experience: read these with the number of answers and the margin of error, and never rank anyone on a low sample.</p>`;
}

function commentList(comments: CommentRow[], labels: Map<string, string>): SafeHtml {
  if (comments.length === 0) return html`<p>No comments yet.</p>`;
  return html`<table id="comments"><thead><tr><th>When</th><th>Score</th><th>Channel</th><th>Agent</th><th>Themes</th><th>Comment</th></tr></thead><tbody>${comments.map((c) => html`<tr>
  <td>${(c.at ?? c.resolvedAt).slice(0, 16).replace('T', ' ')}</td><td class="num">${num(c.score)}</td><td>${c.channel}</td><td>${c.agentName ?? c.agentId}</td>
  <td>${c.themes.map((t) => html`<span class="tag">${labels.get(t) ?? t}</span>`)}</td><td class="comment">${c.comment}</td>
</tr>`)}</tbody></table>`;
}

function themeFilter(d: DashboardData): SafeHtml {
  const options = d.themeOptions ?? [];
  if (options.length === 0) return html``;
  return html`<form class="inline" id="theme-filter" method="get" action="/dashboard#comments">
  <input type="hidden" name="from" value="${d.total.from}"><input type="hidden" name="to" value="${d.total.to}">
  <label>Theme <select name="theme"><option value="">all comments</option>${options.map((o) => html`<option value="${o.id}"${raw(o.id === d.theme ? ' selected' : '')}>${o.label}</option>`)}</select></label>
  <button type="submit">Filter</button>
</form>`;
}

function followupList(items: FollowupView[], open: number): SafeHtml {
  if (items.length === 0) return html`<p>No open detractor follow-ups.</p>`;
  return html`<p>${open} open. Contact each customer, then mark it contacted or closed.</p>
<table id="followups"><thead><tr><th>Opened</th><th>Score</th><th>Channel</th><th>Agent</th><th>Conversation</th><th>Comment</th><th>Update</th></tr></thead><tbody>${items.map((f) => html`<tr>
  <td>${f.openedAt.slice(0, 16).replace('T', ' ')}${f.overdue ? html` <strong>overdue</strong>` : ''}</td><td class="num">${f.score}</td><td>${f.channel}</td><td>${f.agentName ?? f.agentId}</td>
  <td>${f.link && /^https?:\/\//.test(f.link) ? html`<a href="${f.link}" rel="noopener noreferrer">${f.conversationId}</a>` : f.link ?? f.conversationId}</td>
  <td class="comment">${f.comment ?? ''}</td>
  <td><form class="inline" method="post" action="/dashboard/followups/${f.id}">
    <select name="status" aria-label="status">${(['open', 'contacted', 'closed'] as const).map((s) => html`<option value="${s}"${raw(s === f.status ? ' selected' : '')}>${s}</option>`)}</select>
    <select name="outcome" aria-label="outcome"><option value="">outcome…</option>${(['recovered', 'not-recovered', 'no-answer'] as const).map((o) => html`<option value="${o}">${o}</option>`)}</select>
    <input name="owner" placeholder="owner" maxlength="200" value="${f.owner ?? ''}" aria-label="owner">
    <input name="note" placeholder="note" maxlength="2000" value="${f.note ?? ''}" aria-label="note">
    <button type="submit">Save</button>
  </form></td>
</tr>`)}</tbody></table>`;
}

const labelOf = (d: DashboardData, id: string): string => d.themeOptions?.find((o) => o.id === id)?.label ?? id;

export function dashboardPage(d: DashboardData): string {
  const t = d.total;
  const header = html`<form method="post" action="/dashboard/logout"><span class="muted">${d.viewer}</span> <button type="submit">Sign out</button></form>`;
  const body = html`
${d.notice ? html`<p class="flash" role="status">${d.notice}</p>` : ''}
<p class="label" id="report-label">${t.label}</p>
<section>
  <form class="inline" method="get" action="/dashboard">
    <label>From <input type="date" name="from" value="${t.from}"></label>
    <label>To <input type="date" name="to" value="${t.to}"></label>
    <button type="submit">Show</button>
    <span class="muted">${d.comments === null ? '' : html`<a href="/dashboard/testimonials">Testimonials</a> · `}Days in ${t.timeZone}. Export CSV: <a href="/dashboard/export.csv?by=channel&amp;${d.rangeQuery}">by channel</a> · <a href="/dashboard/export.csv?by=agent&amp;${d.rangeQuery}">by agent</a> · <a href="/dashboard/export.csv?by=channel,agent&amp;${d.rangeQuery}">by channel × agent</a></span>
  </form>
</section>
<section><h2>Overall, ${t.from} to ${t.to}</h2>${kpis(t)}</section>
<section><h2>NPS by channel</h2>${npsBarChart('NPS by channel', d.channels.rows.map((r) => ({ label: r.channel ?? '', value: r.nps, n: r.responses, lowSample: r.lowSample })))}</section>
${d.insights ? html`<section id="themes"><h2>What customers talk about</h2>${themeSection(d.insights.themes, d.rangeQuery)}</section>` : ''}
<section><h2>NPS by agent</h2>${agentTable(d.agents)}</section>
${d.insights ? html`<section id="agents-vs-team"><h2>Agents compared with the rest of the team</h2>${agentComparisonSection(d.insights.agents)}</section>
<section id="coverage"><h2>Who was asked, and who answered</h2>${coverageSection(d.insights.coverage)}</section>
<section id="value"><h2>Value and segments</h2>${valueSection(d.insights.value, d.insights.segments)}</section>` : ''}
<section id="trend"><h2>${d.trend.period === 'week' ? 'Weekly' : 'Monthly'} trend (last ${d.trend.points.length} ${d.trend.period}s)</h2>
${npsTrendChart(`NPS per ${d.trend.period} with its 95% interval`, d.trend.period, d.trend.points.map((p) => ({ label: p.period, value: p.nps, n: p.responses, low: p.low, high: p.high, changeLabel: p.changeLabel })))}
<p class="muted">The shaded band and the whiskers are each ${d.trend.period}'s 95% interval (adjusted Wald): the fewer the answers, the wider. A change from one ${d.trend.period} to the next is marked ▲ or ▼ only when the interval of the difference leaves zero out. <a href="/dashboard?from=${d.total.from}&amp;to=${d.total.to}&amp;trend=${d.trend.period === 'week' ? 'month' : 'week'}#trend">Show per ${d.trend.period === 'week' ? 'month' : 'week'}</a></p></section>
<section><h2>Open detractor follow-ups</h2>${followupList(d.followups, d.openFollowups)}</section>
${d.comments === null
    ? html`<section id="latest-comments"><h2>Latest comments</h2><p class="muted">Agent tokens see their own figures here, not customers' comments (AGENT_VISIBILITY=figures).</p></section>`
    : html`<section id="latest-comments"><h2>${d.theme ? `Latest comments about ${labelOf(d, d.theme)}` : 'Latest comments'}</h2>${themeFilter(d)}${commentList(d.comments, new Map((d.themeOptions ?? []).map((o) => [o.id, o.label])))}</section>`}`;
  return layout('Transactional NPS dashboard', body, header);
}
