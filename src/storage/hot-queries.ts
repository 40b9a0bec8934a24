/**
 * The hot-path queries: what the bot runs per message, per scheduler tick, per sweep or
 * per report, each with the index that serves it. docs/scaling.md is written from this
 * list, and test/storage/hot-queries.test.ts checks every entry against the indexes the
 * mongoose schemas declare: the filter must hold the index's first key (so the query is
 * an index range, not a collection scan). A new hot query is added here with its index,
 * or the test (and review) will ask why not.
 *
 * Filters are data: field → an example value (`$range` marks a range condition).
 */
export type IndexKeys = Readonly<Record<string, 1 | -1>>;

export interface HotQuery {
  /** What runs it and when. */
  name: string;
  collection: 'surveys' | 'followups' | 'contacts' | 'opt_outs' | 'rollups' | 'channel_state' | 'dashboard_sessions' | 'digests' | 'survey_events';
  /** The top-level fields of the filter (a `$or` is listed by the fields it needs, if all branches share them). */
  filter: Readonly<Record<string, unknown>>;
  sort?: IndexKeys;
  /** The index that serves it, exactly as declared (`{ _id: 1 }` is the implicit one). */
  index: IndexKeys;
  /** The file that runs it (the test checks each filter field is named there). */
  source: string;
  /** Whether a shard key on the index's first field would route it to one shard. */
  carriesShardKey?: boolean;
}

const RANGE = { $range: true };

export const HOT_QUERIES: readonly HotQuery[] = [
  // ── per inbound event ──────────────────────────────────────────────────────
  { name: 'resolution: the survey of a conversation seen before (unique insert, then this read)', collection: 'surveys',
    filter: { channel: 'slack', conversationId: 'C1:1' }, index: { channel: 1, conversationId: 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'message: the customer\'s open survey', collection: 'surveys',
    filter: { channel: 'slack', 'customer.id': 'U1', state: { $in: ['sending', 'asked', 'scored'] } }, index: { channel: 1, 'customer.id': 1, state: 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'message: the testimonial consent answer', collection: 'surveys',
    filter: { channel: 'slack', 'customer.id': 'U1', state: 'completed', 'testimonial.until': RANGE }, sort: { completedAt: -1 },
    index: { channel: 1, 'customer.id': 1, state: 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'every transition: conditional update of one survey', collection: 'surveys',
    filter: { _id: 'id', state: 'asked' }, index: { _id: 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'the asked step and settles (a bulk of conditional updates, the step pinned to the version read), and the read by `_id $in` that tells which steps landed when the bulk matched fewer than it carried', collection: 'surveys',
    filter: { _id: 'id', 'owed.id': 'uuid', version: 3, state: 'sending' }, index: { _id: 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'eligibility: reserve the customer (fatigue; a bulk of conditional upserts), and the read that undoes one', collection: 'contacts',
    filter: { channel: 'slack', customerId: 'U1' }, index: { channel: 1, customerId: 1 }, source: 'src/conversation/eligibility.ts' },
  { name: 'eligibility: opted out?', collection: 'opt_outs', filter: { _id: 'key' }, index: { _id: 1 }, source: 'src/conversation/eligibility.ts' },
  { name: 'channel state: counters, compare-and-set, reads', collection: 'channel_state',
    filter: { _id: 'ns:key', expiresAt: RANGE }, index: { _id: 1 }, source: 'src/shared-state/channel-state-store.ts' },
  { name: 'channel state: due entries of a prefix', collection: 'channel_state',
    filter: { _id: RANGE, dueAt: RANGE, expiresAt: RANGE }, sort: { dueAt: 1 }, index: { _id: 1 }, source: 'src/shared-state/channel-state-store.ts' },
  { name: 'dashboard: the session of a cookie', collection: 'dashboard_sessions',
    filter: { _id: 'digest', expiresAt: RANGE }, index: { _id: 1 }, source: 'src/http/session-store.ts' },

  // ── per scheduler tick ─────────────────────────────────────────────────────
  { name: 'scheduler: claim the most overdue scheduled survey', collection: 'surveys',
    filter: { state: 'scheduled', askAt: RANGE, resolvedAt: RANGE }, sort: { askAt: 1 }, index: { state: 1, askAt: 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'scheduler: expire unanswered questions and unfinished comments', collection: 'surveys',
    filter: { state: { $in: ['sending', 'asked'] }, expiresAt: RANGE }, index: { state: 1, expiresAt: 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'scheduler: expire surveys not asked in time', collection: 'surveys',
    filter: { state: 'scheduled', resolvedAt: RANGE }, index: { state: 1, askAt: 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'scheduler: owed messages whose lease ran out', collection: 'surveys',
    filter: { 'owed.dueAt': RANGE }, index: { 'owed.dueAt': 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'scheduler: managers\' messages whose lease ran out', collection: 'surveys',
    filter: { 'notes.dueAt': RANGE }, index: { 'notes.dueAt': 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'scheduler: claim a due reminder (REMINDER_AFTER_HOURS)', collection: 'surveys',
    filter: { state: 'asked', reminderAt: RANGE, reminderBy: RANGE, owed: { $exists: false } }, sort: { reminderAt: 1 },
    index: { state: 1, reminderAt: 1 }, source: 'src/storage/surveys/survey-repository.ts' },
  { name: 'survey events: surveys with staged events (the relay)', collection: 'surveys',
    filter: { 'outbound.at': RANGE }, index: { 'outbound.at': 1 }, source: 'src/storage/surveys/survey-repository.ts' },

  // ── per survey-events pass (SURVEY_EVENTS_URL) ─────────────────────────────
  { name: 'survey events: take the event due soonest', collection: 'survey_events',
    filter: { status: 'pending', nextAttemptAt: RANGE }, sort: { nextAttemptAt: 1, seq: 1 }, index: { status: 1, nextAttemptAt: 1 }, source: 'src/survey-events/event-queue.ts' },
  { name: 'survey events: an earlier event of the same survey still pending', collection: 'survey_events',
    filter: { surveyId: 'id', seq: RANGE, status: 'pending' }, sort: { seq: 1 }, index: { surveyId: 1, seq: 1 }, source: 'src/survey-events/event-queue.ts' },

  // ── per report sweep ───────────────────────────────────────────────────────
  { name: 'report sync: dirty surveys to roll up', collection: 'surveys',
    filter: { dirty: true, state: { $nin: ['scheduled', 'sending'] } }, index: { dirty: 1 }, source: 'src/reports/survey-sync.ts' },
  { name: 'alerts: follow-ups not yet posted', collection: 'followups',
    filter: { notifiedAt: null, notifyAfter: RANGE, openedAt: RANGE }, sort: { openedAt: 1 }, index: { notifiedAt: 1, notifyAfter: 1 }, source: 'src/reports/followups/detractor-alerts.ts' },
  { name: 'reminders: overdue follow-ups due a reminder', collection: 'followups',
    filter: { status: 'open', remindAt: RANGE }, sort: { remindAt: 1 }, index: { remindAt: 1 }, source: 'src/reports/followups/followup-reminders.ts' },
  { name: 'follow-ups: overdue count and open list', collection: 'followups',
    filter: { status: 'open', dueAt: RANGE }, sort: { openedAt: -1 }, index: { status: 1, openedAt: -1 }, source: 'src/reports/followups/followup-workflow.ts' },
  { name: 'follow-up: one by survey (unique)', collection: 'followups', filter: { surveyId: 'id' }, index: { surveyId: 1 }, source: 'src/reports/followups/followup-workflow.ts' },
  { name: 'digest: claim a slot', collection: 'digests', filter: { _id: 'slot' }, index: { _id: 1 }, source: 'src/reports/digest/weekly-digest.ts' },

  // ── per report request ─────────────────────────────────────────────────────
  { name: 'reports: rollup buckets of a date range', collection: 'rollups',
    filter: { day: RANGE, type: 'transactional', channel: 'slack' }, index: { day: 1, type: 1 }, source: 'src/reports/report-query.ts' },
  { name: 'rollups: recount buckets from their surveys', collection: 'surveys',
    filter: { resolvedAt: RANGE, channel: { $in: ['slack'] }, 'agent.id': { $in: ['U1'] } }, index: { resolvedAt: 1, channel: 1 }, source: 'src/reports/rollups/rollup-store.ts' },
  { name: 'comments and testimonials: a page of a date range', collection: 'surveys',
    filter: { resolvedAt: RANGE }, sort: { resolvedAt: -1, _id: -1 }, index: { resolvedAt: 1, channel: 1 }, source: 'src/reports/comments-query.ts' },
  { name: 'themes: comments not yet tagged', collection: 'surveys',
    filter: { resolvedAt: RANGE, themes: { $exists: false } }, index: { resolvedAt: 1, channel: 1 }, source: 'src/reports/themes/survey-theme-sync.ts' },

  { name: 'GET /api/surveys: a page of surveys by id (manager)', collection: 'surveys',
    filter: { _id: RANGE }, sort: { _id: 1 }, index: { _id: 1 }, source: 'src/storage/surveys/survey-reader.ts' },
  { name: 'GET /api/surveys: a page of an agent\'s own surveys', collection: 'surveys',
    filter: { 'agent.id': 'U1', _id: RANGE }, sort: { 'agent.id': 1, _id: 1 }, index: { 'agent.id': 1, _id: 1 }, source: 'src/storage/surveys/survey-reader.ts' },
  { name: 'reminders report: surveys of a date range', collection: 'surveys',
    filter: { resolvedAt: RANGE, askedAt: { $exists: true } }, index: { resolvedAt: 1, channel: 1 }, source: 'src/reports/insights/reminder-report.ts' },

  // ── per /metrics scrape ────────────────────────────────────────────────────
  { name: 'metrics: oldest due survey (scheduler lag)', collection: 'surveys',
    filter: { state: 'scheduled', askAt: RANGE }, sort: { askAt: 1 }, index: { state: 1, askAt: 1 }, source: 'src/storage/surveys/survey-gauges-query.ts' },
  { name: 'metrics: dirty surveys (rollup lag)', collection: 'surveys', filter: { dirty: true }, index: { dirty: 1 }, source: 'src/storage/surveys/survey-gauges-query.ts' },
];

/** Why `q` is not served by its index (`declared`: the keys of every index the schema declares), or null. */
export function indexProblem(q: Pick<HotQuery, 'filter' | 'index'>, declared: readonly IndexKeys[]): string | null {
  const keys = Object.keys(q.index);
  const same = (a: IndexKeys, b: IndexKeys) => JSON.stringify(Object.entries(a)) === JSON.stringify(Object.entries(b));
  if (!(keys.length === 1 && keys[0] === '_id') && !declared.some((d) => same(d, q.index))) {
    return `no index ${JSON.stringify(q.index)} is declared`;
  }
  if (!(keys[0]! in q.filter)) return `the filter (${Object.keys(q.filter).join(', ')}) does not hold the index's first key "${keys[0]}"`;
  return null;
}
