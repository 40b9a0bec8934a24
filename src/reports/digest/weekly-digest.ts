/**
 * The weekly digest: last week's transactional NPS overall and by channel with margins
 * and the change against the week before, what detractors mentioned most, the value at
 * risk and the value of promoters, agents compared with the rest of the team (only
 * those with at least REPORT_MIN_SAMPLE answers: nothing per agent below it), and the
 * open and overdue detractor follow-ups.
 *
 * Scheduled digests are claimed before posting with a unique insert (the cron slot
 * and the target) into `digests`, so several bot processes firing at the same slot
 * post one digest between them. A claim is never retried by another process: a crash
 * between the claim and the post loses that one digest rather than risk a double.
 */
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Connection, Model } from 'mongoose';
import type { Logger } from '../../logger.ts';
import { runAgentComparison, type AgentComparisonReport } from '../insights/agent-report.ts';
import type { Followups } from '../followups/followup-workflow.ts';
import { closedLoopSummary, type ClosedLoopSummary } from '../followups/followup-summary.ts';
import { overdueFollowups } from '../followups/overdue-followups.ts';
import type { ReportSettings } from '../report-config.ts';
import { runReport, type Report, type ReportRow } from '../report-query.ts';
import type { Notice as ReportNotice, NoticeTarget } from '../notice-target.ts';
import { EVERYTHING } from '../scope.ts';
import type { Theme } from '../themes/theme-list.ts';
import { runThemeReport, type ThemeReport } from '../themes/theme-report.ts';
import { runValueReport, type ValueReport } from '../insights/value-report.ts';
import { addDays, dayKeyOf, periodStart, type DayKey } from '../time-zone.ts';
import { managerTexts } from '../manager-texts.ts';
import { digestModel, type DigestDoc } from './digest-model.ts';
import type { Locale } from '../../conversation/templates.ts';

/** How many agent lines a digest lists before "and N more". */
const MAX_AGENT_LINES = 25;
/** How many detractor themes a digest names. */
const MAX_THEMES = 3;

export interface DigestDeps {
  conn: Connection;
  settings: ReportSettings;
  followups: Followups;
  post: (target: NoticeTarget, notice: ReportNotice) => Promise<void>;
  logger: Logger;
  now: () => Date;
  /** The comment themes (labels for what detractors mention); none: that line is left out. */
  themes?: readonly Theme[];
}

/** Everything one digest says. */
export interface DigestFigures {
  total: Report;
  channels: Report;
  agents: AgentComparisonReport;
  themes: ThemeReport;
  value: ValueReport;
  openFollowups: number;
  overdueFollowups: number;
  /** Last week's detractor follow-ups: closed-loop rate and time to first contact. */
  closedLoop?: ClosedLoopSummary;
}

export type DigestOutcome = 'posted' | 'claimed-elsewhere' | 'off' | 'failed';

/** Last week, Monday to Sunday, as seen in `timeZone` at `now`. */
export function lastWeek(now: Date, timeZone: string): { from: DayKey; to: DayKey } {
  const thisWeek = periodStart(dayKeyOf(now, timeZone), 'week');
  return { from: addDays(thisWeek, -7), to: addDays(thisWeek, -1) };
}

export class Digests {
  private readonly model: Model<DigestDoc>;
  private task: ScheduledTask | null = null;
  /** Scheduled posts under way: stop() waits for them, so a claimed slot is posted or marked failed. */
  private readonly posting = new Set<Promise<unknown>>();
  private readonly owner = randomUUID();

  constructor(private readonly deps: DigestDeps) {
    this.model = digestModel(deps.conn);
  }

  async init(): Promise<void> {
    await this.model.init();
  }

  /** Compose the digest for the week before `now`. */
  async compose(now: Date = this.deps.now()): Promise<{ notice: ReportNotice; from: DayKey; to: DayKey }> {
    const { from, to } = lastWeek(now, this.deps.settings.digest.timeZone);
    const ctx = { conn: this.deps.conn, timeZone: this.deps.settings.timeZone, minSample: this.deps.settings.minSample, attribution: this.deps.settings.attribution, now };
    const week = { from, to, type: 'transactional' as const };
    const [total, channels, agents, themes, value, openFollowups, overdue, closedLoop] = await Promise.all([
      runReport(ctx, { by: 'total', from, to }, EVERYTHING),
      runReport(ctx, { by: 'channel', from, to }, EVERYTHING),
      runAgentComparison(ctx, week, EVERYTHING),
      runThemeReport(ctx, week, EVERYTHING, this.deps.themes ?? []),
      runValueReport(ctx, week, EVERYTHING),
      this.deps.followups.openCount(EVERYTHING),
      overdueFollowups(this.deps.followups, EVERYTHING, now),
      closedLoopSummary(this.deps.followups, { timeZone: this.deps.settings.timeZone, now }, { from, to }, EVERYTHING),
    ]);
    return { notice: digestNotice({ total, channels, agents, themes, value, openFollowups, overdueFollowups: overdue, closedLoop }, this.deps.settings.locale), from, to };
  }

  /** Post the digest for a cron slot unless another process claimed that slot. */
  async postScheduled(slot: Date): Promise<DigestOutcome> {
    const target = this.deps.settings.digest.target;
    if (!target) return 'off';
    const slotAt = new Date(Math.floor(slot.getTime() / 1000) * 1000);
    const targetName = `${target.channel}:${target.channelId}`;
    const id = `${targetName}|${slotAt.toISOString()}`;
    const { from, to } = lastWeek(this.deps.now(), this.deps.settings.digest.timeZone);
    try {
      await this.model.collection.insertOne({ _id: id as never, slot: slotAt, target: targetName, from, to, owner: this.owner, claimedAt: this.deps.now() });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return 'claimed-elsewhere';
      throw err;
    }
    try {
      const { notice } = await this.compose();
      await this.deps.post(target, notice);
      await this.model.updateOne({ _id: id }, { $set: { postedAt: this.deps.now() } }).exec();
      this.deps.logger.info({ target: target.channel, from, to }, 'digest posted');
      return 'posted';
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.deps.logger.error({ target: target.channel, err: reason }, 'digest not posted');
      await this.model.updateOne({ _id: id }, { $set: { error: reason.slice(0, 500) } }).exec().catch(() => undefined);
      return 'failed';
    }
  }

  /** Post a digest now (`nps-bot digest`); not claimed, so it never blocks the scheduled one. */
  async postNow(target: NoticeTarget | undefined = this.deps.settings.digest.target): Promise<{ notice: ReportNotice; posted: boolean }> {
    const { notice } = await this.compose();
    if (!target) return { notice, posted: false };
    await this.deps.post(target, notice);
    return { notice, posted: true };
  }

  /** Start the cron job (only when DIGEST_TARGET is set). */
  start(): void {
    const { cron: expression, timeZone, target } = this.deps.settings.digest;
    if (!target || this.task) return;
    this.task = cron.schedule(expression, async (ctx) => {
      const p = this.postScheduled(ctx.date).catch((err) => this.deps.logger.error({ err }, 'digest failed'));
      this.posting.add(p);
      await p.finally(() => this.posting.delete(p));
    }, { timezone: timeZone, name: 'nps-digest', noOverlap: true });
    this.deps.logger.info({ cron: expression, timeZone, target: target.channel }, 'digests scheduled');
  }

  async stop(): Promise<void> {
    const task = this.task;
    this.task = null;
    if (task) await task.destroy();
    await Promise.all([...this.posting]);
  }
}

const signedNum = (v: number): string => (v > 0 ? `+${v}` : String(v));

/** The digest in the managers' language (REPORT_LOCALE; English by default). */
export function digestNotice(d: DigestFigures, locale: Locale = 'en'): ReportNotice {
  const tx = managerTexts(locale).digest;
  const fmtNps = (r: ReportRow): string => tx.nps(r.nps, r.marginOfError);
  // The change with its 95% interval; called up or down only when the interval leaves zero out (nps-interval.ts).
  const fmtChange = (r: ReportRow): string => (r.change === null
    ? tx.change(null)
    : `${tx.change(r.change)} (95% ${r.changeLow} to ${r.changeHigh}: ${r.changeLabel === 'up' ? 'up' : r.changeLabel === 'down' ? 'down' : 'no evidence of a change'})`);
  const fmtLow = (r: ReportRow, min: number): string => (r.lowSample ? tx.lowSample(min) : '');
  const { total, channels, agents, themes, value } = d;
  const min = total.minSample;
  const lines: string[] = [
    tx.header(total.from, total.to, total.timeZone),
    total.label,
  ];
  const t = total.rows[0];
  lines.push(t
    ? `${tx.overall(fmtNps(t), t.responses, t.sent, t.responseRate, fmtChange(t))}${fmtLow(t, min)}`
    : tx.noSurveys);
  if (channels.rows.length > 0) {
    lines.push(tx.byChannel);
    for (const r of channels.rows) lines.push(`${tx.channelRow(r.channel ?? '', fmtNps(r), r.responses, r.sent, fmtChange(r))}${fmtLow(r, min)}`);
  }
  const drivers = themes.drivers.slice(0, MAX_THEMES);
  if (drivers.length > 0) {
    // Every theme shows its change in points; "–" when the week before had no detractor comment to compare with.
    lines.push(tx.themes(themes.commented.detractors, drivers
      .map((x) => tx.themeItem(x.label, x.detractors, x.shareOfDetractors ?? 0, x.change === null ? ', –' : `, ${signedNum(x.change)} pp`)).join(', '))
      + (locale === 'en' && drivers.some((x) => x.change === null) ? ' (–: no detractor comment the week before to compare with)' : ''));
  }
  if (value.withValue > 0) {
    lines.push(tx.value({ atRisk: value.valueAtRisk, detractorCustomers: value.detractorCustomers, change: signedNum(value.valueAtRiskChange), promoterValue: value.promoterValue, promoterCustomers: value.promoterCustomers, withValue: value.withValue, customers: value.customers }));
  }
  const judged = agents.rows.filter((r) => !r.lowSample);
  const hidden = agents.rows.filter((r) => r.lowSample && r.responses > 0).length;
  if (judged.length > 0 || hidden > 0) lines.push(tx.agentsHeader(min).replace(/\):$/, `; credit: ${agents.attribution.rule}):`));
  for (const r of judged.slice(0, MAX_AGENT_LINES)) {
    const who = r.agentName ? `${r.agentName} (${r.agentId})` : r.agentId;
    const vs = r.difference === null ? '' : tx.versusTeam(signedNum(r.difference), r.low, r.high);
    lines.push(tx.agentRow(who, String(r.nps ?? '–'), String(r.marginOfError ?? '–'), r.responses, r.sent, vs, r.label));
  }
  if (judged.length > MAX_AGENT_LINES) lines.push(tx.moreAgents(judged.length - MAX_AGENT_LINES));
  if (hidden > 0) lines.push(tx.hiddenAgents(hidden, min));
  lines.push(tx.openFollowups(d.openFollowups, d.overdueFollowups));
  if (d.closedLoop && d.closedLoop.opened > 0) {
    const c = d.closedLoop;
    lines.push(tx.closedLoop({ closed: c.closed, opened: c.opened, rate: c.closedLoopRate, recovered: c.recovered, medianHours: c.medianHoursToFirstContact }));
  }
  return {
    text: lines.join('\n'),
    fields: {
      week: `${total.from} to ${total.to}`,
      nps: t?.nps === null || !t ? '–' : String(t.nps),
      answers: String(t?.responses ?? 0),
      openFollowups: String(d.openFollowups),
      overdueFollowups: String(d.overdueFollowups),
      valueAtRisk: String(value.valueAtRisk),
      ...(drivers[0] ? { topDetractorTheme: drivers[0].label } : {}),
    },
  };
}
