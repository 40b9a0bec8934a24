/**
 * Keeps what reports derive from surveys (rollups and detractor follow-ups) in step.
 *
 * Every transition sets `dirty: true` and bumps `version` on the survey in the same
 * write, so the work to do is recorded atomically with the change. This class does
 * that work: open the follow-up of a detractor, recount the survey's rollup bucket,
 * then clear `dirty` only if the survey is still at the version it read (a versioned
 * write, which bumps the version too), so a newer transition is never lost. It runs
 * on the engine's `transition` events (near real time) and sweeps `{dirty: true}` on
 * start and every REPORT_SYNC_INTERVAL_MS, which covers anything without an event and
 * anything a crash interrupted.
 */
import type { Connection, Model } from 'mongoose';
import type { Logger } from '../logger.ts';
import { SurveyReader, SurveyRepository, type SurveyDoc } from '../storage/surveys/index.ts';
import type { Followups } from './followups/followup-workflow.ts';
import { forEachLimit } from './concurrency.ts';
import { bucketId, type BucketKey } from './rollups/rollup-model.ts';
import { counts } from './survey-counts.ts';
import type { RollupStore } from './rollups/rollup-store.ts';

/** The survey fields the sync reads, with the version they were read at. */
export type SurveySnapshot = Pick<SurveyDoc,
  '_id' | 'version' | 'state' | 'resolvedAt' | 'channel' | 'conversationId' | 'link' | 'agent' | 'type' | 'askedAt' | 'category' | 'score'>
  /** Who took part, snapshotted at resolution (read defensively: attribution.ts). */
  & { participants?: unknown };

const SNAPSHOT_FIELDS = { _id: 1, version: 1, state: 1, resolvedAt: 1, channel: 1, conversationId: 1, link: 1, agent: 1, type: 1, askedAt: 1, category: 1, score: 1, participants: 1 } as const;
/**
 * A scheduled survey has not been asked, so it counts nowhere yet, and its next
 * transition (asked, skipped, failed) marks it dirty again. Leaving it alone keeps the
 * sync from racing the engine, which asks it a moment later.
 */
const WAITING = { dirty: true, state: { $nin: ['scheduled', 'sending'] } } as const;
const BATCH = 500;

export interface SurveySyncDeps {
  conn: Connection;
  rollups: RollupStore;
  followups: Followups;
  logger: Logger;
  now: () => Date;
  /** Called when a detractor follow-up was created, so its alert goes out at once. */
  onFollowupOpened?: () => void;
}

export class SurveySync {
  private readonly surveys: SurveyReader;
  private readonly store: SurveyRepository;
  private readonly pending = new Map<string, SurveySnapshot>();
  private running: Promise<void> | null = null;

  constructor(private readonly deps: SurveySyncDeps) {
    this.surveys = new SurveyReader(deps.conn);
    this.store = new SurveyRepository(deps.conn);
  }

  /** A transition happened (engine event): process it soon. */
  enqueue(s: SurveySnapshot): void {
    if (s.state === 'scheduled' || s.state === 'sending') return;
    const key = String(s._id);
    const known = this.pending.get(key);
    if (!known || known.version <= s.version) this.pending.set(key, s);
    // A drain under way takes it; only the call that starts one reports its failure (once,
    // not once per survey enqueued meanwhile: 5,000 identical errors at one shutdown under load).
    if (this.running) return;
    void this.drain().catch((err) => this.deps.logger.error({ err }, 'report sync failed; the periodic sweep will retry'));
  }

  /**
   * Resolves once everything enqueued so far is processed, or after `maxMs`: reports
   * call this to show this process's own latest answers without waiting for a sweep.
   */
  async flush(maxMs = 2000): Promise<void> {
    const deadline = Date.now() + maxMs;
    while ((this.pending.size > 0 || this.running) && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.drain().catch(() => undefined),
        new Promise<void>((r) => { timer = setTimeout(r, Math.max(1, deadline - Date.now())); }),
      ]);
      clearTimeout(timer);
    }
  }

  /**
   * Process every dirty survey in the database (but scheduled ones). Returns how many were looked at.
   * `quietForMs`: only surveys unchanged for that long. The periodic sweep passes it: a survey
   * that just moved is being processed by the event path of the process that moved it, and
   * sweeping it too (in every process) repeated that work several times per survey under load
   * (`npm run load`: 5.7 versioned writes per survey instead of one per transition).
   */
  async sweep(maxBatches = 200, quietForMs = 0): Promise<number> {
    let seen = 0;
    // `updatedAt` is written with the machine's clock (timestamps), whatever clock the app runs on.
    const quiet = new Date(Date.now() - quietForMs);
    // A survey written without `updatedAt` (by hand, or before timestamps) counts as quiet.
    const filter = quietForMs > 0 ? { ...WAITING, $or: [{ updatedAt: { $lte: quiet } }, { updatedAt: { $exists: false } }] } : WAITING;
    for (let i = 0; i < maxBatches; i++) {
      const batch = await this.surveys.find<SurveySnapshot>(filter, SNAPSHOT_FIELDS, { limit: BATCH });
      if (batch.length === 0) break;
      seen += batch.length;
      const cleared = await this.process(batch);
      // Surveys that moved again while we worked stay dirty; stop rather than spin on them.
      if (batch.length < BATCH || cleared === 0) break;
    }
    return seen;
  }

  private drain(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        while (this.pending.size > 0) {
          const batch = [...this.pending.values()].slice(0, BATCH);
          for (const s of batch) {
            if (this.pending.get(String(s._id)) === s) this.pending.delete(String(s._id));
          }
          await this.process(batch);
        }
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Follow-ups, then rollups, then clear `dirty` at the version read. Returns how many were cleared. */
  private async process(batch: SurveySnapshot[]): Promise<number> {
    const now = this.deps.now();
    let opened = false;
    for (const s of batch) {
      if (s.category === 'detractor' && typeof s.score === 'number') {
        if (await this.deps.followups.ensureFor(s, now)) opened = true;
      }
    }
    if (opened) this.deps.onFollowupOpened?.();

    const buckets = new Map<string, { key: BucketKey; agentName?: string }>();
    const bucketsOfSurvey = new Map<SurveySnapshot, string[]>();
    for (const s of batch) {
      // A survey never asked has never counted (askedAt and category are never removed): its buckets are unchanged.
      if (!counts(s)) continue;
      // One bucket per credited agent (attribution.ts): the resolver's, or every replier's.
      const ids: string[] = [];
      for (const b of this.deps.rollups.bucketsOf(s)) {
        const id = bucketId(b.key);
        ids.push(id);
        buckets.set(id, { key: b.key, agentName: b.agentName ?? buckets.get(id)?.agentName });
      }
      bucketsOfSurvey.set(s, ids);
    }
    const unwritten = await this.deps.rollups.refreshMany([...buckets.values()]);

    // Through the survey store's versioned write, which also bumps the version, so an
    // event still queued for this version cannot clear a later one. A survey that
    // moved on stays dirty, and so does one whose bucket could not be written.
    let cleared = 0;
    await forEachLimit(batch.filter((s) => !(bucketsOfSurvey.get(s) ?? []).some((id) => unwritten.has(id))), 8, async (s) => {
      if (await this.store.markSynced(s._id, s.version)) cleared++;
    });
    return cleared;
  }
}
