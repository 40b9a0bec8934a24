/**
 * Keeps `themes` on the surveys in step with their comments: tagged when the comment
 * is stored (the engine's `completed` transition carries it), caught up by a sweep of
 * recent surveys (a crash, another process, a CLI run), and re-tagged over the whole
 * history by `nps-bot themes --retag` when the theme list changes.
 *
 * `themes` is derived data like the rollups, not a state change: it is written with a
 * plain conditional update (`comment` must still be the text that was tagged), which
 * leaves `version` alone, so it never races the engine's or the sync's versioned
 * writes. A comment that changed or was erased in between is simply not tagged now;
 * the next sweep sees the new text.
 */
import { createHash } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import type { Logger } from '../../logger.ts';
import { SurveyReader, SurveyRepository, type SurveyDoc } from '../../storage/surveys/index.ts';
import { resolveThemes, type ThemeOverride } from './theme-list.ts';
import { createThemeTagger, type ThemeTagger } from './comment-tagger.ts';
import { themeMetaModel, type ThemeMetaDoc } from './theme-meta-model.ts';

/** The catch-up sweep looks this far back (by resolution): comments arrive within days of it. */
export const THEME_SWEEP_DAYS = 30;
/** The catch-up reads an index range of a month, so it runs at most this often. */
const SWEEP_EVERY_MS = 5 * 60_000;
const BATCH = 500;

type Tagged = Pick<SurveyDoc, '_id' | 'comment' | 'customer' | 'themes'>;

const HAS_COMMENT = { comment: { $exists: true, $nin: [null, ''] } } as const;

export interface ThemeTaggingDeps {
  conn: Connection;
  tagger: ThemeTagger;
  logger: Logger;
  now: () => Date;
}

export interface RetagResult { read: number; changed: number }

/** A fingerprint of the theme list, stored by `--retag` so the bot can say when the list changed since. */
export function themeListFingerprint(tagger: ThemeTagger): string {
  return createHash('sha256').update(JSON.stringify(tagger.themes)).digest('hex').slice(0, 16);
}


export class ThemeTagging {
  private readonly surveys: SurveyReader;
  private readonly repo: SurveyRepository;
  private lastSweep = 0;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: ThemeTaggingDeps) {
    this.surveys = new SurveyReader(deps.conn);
    this.repo = new SurveyRepository(deps.conn);
  }

  /** Tagging with the default list and CONFIG_FILE's `themes`. */
  static forConfig(conn: Connection, config: { themeOverrides: readonly ThemeOverride[] }, logger: Logger, now: () => Date = () => new Date()): ThemeTagging {
    return new ThemeTagging({ conn, tagger: createThemeTagger(resolveThemes(config.themeOverrides)), logger, now });
  }

  get tagger(): ThemeTagger {
    return this.deps.tagger;
  }

  /** A survey moved (engine event): tag it now if it just got its comment. */
  onTransition(survey: Tagged & { state?: string }): void {
    if (!survey.comment || survey.themes !== undefined) return;
    const p = this.write(survey).catch((err) => this.deps.logger.warn({ err, surveyId: String(survey._id) }, 'theme tagging failed; the sweep will retry'));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Wait for tags being written (reports call this, like the rollups' flush). */
  async flush(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Tag recent commented surveys that have no themes yet; runs at most every few minutes unless `force`. */
  async sweep(force = false): Promise<number> {
    const now = this.deps.now();
    if (!force && now.getTime() - this.lastSweep < SWEEP_EVERY_MS) return 0;
    const since = new Date(now.getTime() - THEME_SWEEP_DAYS * 86_400_000);
    if (this.lastSweep === 0) await this.checkList(since);
    this.lastSweep = now.getTime();
    let tagged = 0;
    let after: unknown = null;
    for (;;) {
      const filter: Record<string, unknown> = { resolvedAt: { $gte: since }, ...HAS_COMMENT, themes: { $exists: false } };
      if (after) filter._id = { $gt: after };
      const batch = await this.surveys.find<Tagged>(filter, { comment: 1, customer: 1 }, { sort: { _id: 1 }, limit: BATCH });
      for (const s of batch) if (await this.write(s)) tagged++;
      if (batch.length < BATCH) break;
      after = batch[batch.length - 1]!._id;
    }
    return tagged;
  }

  /** Re-tag every commented survey with the current list (surveys already right are left alone). */
  async retag(onProgress?: (r: RetagResult) => void): Promise<RetagResult> {
    const result: RetagResult = { read: 0, changed: 0 };
    let after: unknown = null;
    for (;;) {
      const filter: Record<string, unknown> = { ...HAS_COMMENT };
      if (after) filter._id = { $gt: after };
      const batch = await this.surveys.find<Tagged>(filter, { comment: 1, customer: 1, themes: 1 }, { sort: { _id: 1 }, limit: BATCH });
      for (const s of batch) {
        result.read++;
        const themes = this.deps.tagger.tag(s.comment!, s.customer?.locale);
        if (s.themes && sameList(s.themes, themes)) continue;
        if (await this.write(s, themes)) result.changed++;
      }
      onProgress?.(result);
      if (batch.length < BATCH) break;
      after = batch[batch.length - 1]!._id;
    }
    await this.noteList();
    return result;
  }

  /** Whether the history was last re-tagged with another theme list (or never). */
  async listChangedSinceRetag(): Promise<boolean> {
    const meta = await this.meta().findById('themes').lean().exec();
    return meta?.fingerprint !== themeListFingerprint(this.deps.tagger);
  }

  /** Say once when older comments were tagged with another list; with nothing older, just note the list. */
  private async checkList(since: Date): Promise<void> {
    if (!await this.listChangedSinceRetag()) return;
    if (await this.surveys.exists({ resolvedAt: { $lt: since }, ...HAS_COMMENT })) {
      this.deps.logger.warn('the comment themes changed since older comments were tagged: run `nps-bot themes --retag` to re-tag them');
    } else {
      await this.noteList();
    }
  }

  private async noteList(): Promise<void> {
    await this.meta().collection.replaceOne(
      { _id: 'themes' as never },
      { fingerprint: themeListFingerprint(this.deps.tagger), retaggedAt: this.deps.now() },
      { upsert: true },
    );
  }

  private async write(s: Tagged, themes = this.deps.tagger.tag(s.comment ?? '', s.customer?.locale)): Promise<boolean> {
    if (!s.comment) return false;
    return this.repo.setThemes(s._id, s.comment, themes);
  }

  private meta(): Model<ThemeMetaDoc> {
    return themeMetaModel(this.deps.conn);
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
