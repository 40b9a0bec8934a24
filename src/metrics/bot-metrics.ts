/**
 * The bot's Prometheus metrics, on a registry of its own (not prom-client's global one),
 * so two bots in one process (tests) never share counters. Counters are fed by events
 * (engine transitions, sends, HTTP requests, driver events); the gauges that describe the
 * database (surveys by state, scheduler lag, dirty surveys) are read when scraped.
 * Label values are bounded: anything that is not a short plain token becomes `other`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A label value safe to keep: channel names, states, reasons; never ids or text. */
export function labelValue(value: string | null | undefined): string {
  if (!value) return 'none';
  return /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$/.test(value) ? value : 'other';
}

export class BotMetrics {
  readonly registry = new Registry();

  readonly transitions = new Counter({
    name: 'nps_survey_transitions_total', help: 'Survey state changes, by channel and from/to state.',
    labelNames: ['channel', 'from', 'to'] as const, registers: [this.registry],
  });
  readonly questionsSent = new Counter({
    name: 'nps_questions_sent_total', help: 'Survey questions delivered (survey moved to asked).',
    labelNames: ['channel'] as const, registers: [this.registry],
  });
  readonly questionsFailed = new Counter({
    name: 'nps_questions_failed_total', help: 'Surveys whose question could not be delivered (moved to failed).',
    labelNames: ['channel'] as const, registers: [this.registry],
  });
  readonly questionsSkipped = new Counter({
    name: 'nps_questions_skipped_total', help: 'Surveys not asked, by reason (fatigue, opted-out, bot, window-closed, ...).',
    labelNames: ['channel', 'reason'] as const, registers: [this.registry],
  });
  readonly answers = new Counter({
    name: 'nps_answers_total', help: 'Scores received, by channel and NPS category.',
    labelNames: ['channel', 'category'] as const, registers: [this.registry],
  });
  readonly owedGivenUp = new Counter({
    name: 'nps_owed_messages_given_up_total', help: 'Messages owed to customers (follow-up, re-prompt, thanks, manager\'s message, ...) given up unsent, by kind and reason (refused, failed, owed-too-long, no-longer-relevant, opted-out).',
    labelNames: ['channel', 'message', 'reason'] as const, registers: [this.registry],
  });
  readonly sends = new Counter({
    name: 'nps_sends_total', help: 'Messages and notices through the outbox, by final outcome after its retries.',
    labelNames: ['channel', 'kind', 'outcome'] as const, registers: [this.registry],
  });
  readonly sendAttempts = new Counter({
    name: 'nps_send_attempts_total', help: 'Single calls to a platform, by outcome (ok, transient, permanent, window-closed).',
    labelNames: ['channel', 'outcome'] as const, registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'nps_platform_rate_limited_total', help: 'Platform answers that said when to come back (429 / retry-after).',
    labelNames: ['channel'] as const, registers: [this.registry],
  });
  readonly retryAfterSeconds = new Counter({
    name: 'nps_platform_retry_after_seconds_total', help: 'Seconds the platforms asked us to wait, summed.',
    labelNames: ['channel'] as const, registers: [this.registry],
  });
  readonly outboxDepth = new Gauge({
    name: 'nps_outbox_depth', help: 'Sends in the outbox now: queued for the rate limiter, waiting to retry, or in flight.',
    labelNames: ['channel'] as const, registers: [this.registry],
  });
  readonly channelConnecting = new Gauge({
    name: 'nps_channel_connecting', help: '1 while a channel started but is still connecting to its platform in the background (sends to it wait), else 0; set when scraped.',
    labelNames: ['channel'] as const, registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'nps_http_requests_total', help: 'HTTP requests, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const, registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'nps_http_request_duration_seconds', help: 'HTTP request latency, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const, registers: [this.registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  readonly dbErrors = new Counter({
    name: 'nps_db_errors_total', help: 'Database trouble: failed heartbeats, connection errors, requests failed by a database error.',
    labelNames: ['kind'] as const, registers: [this.registry],
  });
  readonly dbDisconnects = new Counter({
    name: 'nps_db_disconnects_total', help: 'Times the database connection was lost.', registers: [this.registry],
  });
  readonly dbReconnects = new Counter({
    name: 'nps_db_reconnects_total', help: 'Times the database connection came back.', registers: [this.registry],
  });
  readonly dbWatchdogRestarts = new Counter({
    name: 'nps_db_watchdog_restarts_total', help: 'Times the database watchdog re-established a connection the driver had stopped recovering, by sign (stuck-heartbeat, stale-client).',
    labelNames: ['why'] as const, registers: [this.registry],
  });
  readonly dbUp = new Gauge({
    name: 'nps_db_up', help: '1 if the database answered the reads of the last scrape, else 0.', registers: [this.registry],
  });
  readonly surveys = new Gauge({
    name: 'nps_surveys', help: 'Surveys stored, by state and channel (read from the database when scraped, at most once per cache period).',
    labelNames: ['state', 'channel'] as const, registers: [this.registry],
  });
  readonly schedulerLag = new Gauge({
    name: 'nps_scheduler_lag_seconds', help: 'How long the oldest due survey has been waiting to be asked (0 when none is due).',
    registers: [this.registry],
  });
  readonly dirtySurveys = new Gauge({
    name: 'nps_rollup_dirty_surveys', help: 'Surveys changed since the report rollups last caught up (rollup lag).',
    registers: [this.registry],
  });
  readonly gaugeReadErrors = new Counter({
    name: 'nps_metrics_gauge_read_errors_total', help: 'Scrapes whose database gauges could not be read (the last values are kept).',
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'nps_' });
  }
}
