/**
 * The gauges read from the database when /metrics is scraped. Scheduler lag and dirty
 * surveys are index reads, done every scrape; counting surveys by state and channel
 * reads the whole collection, so it is done at most once per `countEveryMs`. A failed
 * read keeps the last values and is counted, so a scrape during an outage still answers.
 */
import type { Connection } from 'mongoose';
import { dirtySurveyCount, oldestDueAskAt, surveyCountsByStateAndChannel } from '../storage/surveys/index.ts';
import { labelValue, type BotMetrics } from './bot-metrics.ts';

export class DatabaseGauges {
  private countedAt = -Infinity;

  constructor(
    private readonly conn: Connection,
    private readonly metrics: BotMetrics,
    private readonly opts: { countEveryMs: number; timeoutMs: number; now?: () => Date },
  ) {}

  async refresh(): Promise<void> {
    try {
      await withTimeout(this.read(), this.opts.timeoutMs);
      this.metrics.dbUp.set(1);
    } catch {
      this.metrics.gaugeReadErrors.inc();
      this.metrics.dbUp.set(0);
    }
  }

  private async read(): Promise<void> {
    const now = this.opts.now?.() ?? new Date();
    const [oldest, dirty] = await Promise.all([oldestDueAskAt(this.conn, now), dirtySurveyCount(this.conn)]);
    this.metrics.schedulerLag.set(oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0);
    this.metrics.dirtySurveys.set(dirty);
    if (Date.now() - this.countedAt < this.opts.countEveryMs) return;
    const counts = await surveyCountsByStateAndChannel(this.conn);
    this.metrics.surveys.reset();
    for (const c of counts) this.metrics.surveys.inc({ state: labelValue(c.state), channel: labelValue(c.channel) }, c.count);
    this.countedAt = Date.now();
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timed out')), ms); });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
