/**
 * The look-back: resolutions the gateway alone would lose. A THREAD_UPDATE is delivered
 * once; if the process dies after receiving it and before the engine stored the survey,
 * or the check kept failing, or the bot was offline when staff closed the thread, no
 * later event says so (the thread is already archived: nothing changes any more).
 *
 * So when a shard is READY, and every DISCORD_RECHECK_MINUTES, the bot lists the care
 * channels' threads archived within DISCORD_RECHECK_HOURS (`GET /channels/{id}/threads/
 * archived/public`) and the server's active threads that are locked or tagged
 * (`GET /guilds/{id}/threads/active`), and checks each one as it is now against the
 * audit log (ResolutionWatcher.checkSnapshot). Whatever qualifies goes to `sink.resolved`;
 * the engine keeps one survey per (channel, thread), so a thread surveyed before is a
 * harmless `duplicate`.
 *
 * Checked threads are remembered (in memory and in the channel's shared state, keyed by
 * the thread and what it looks like), so a look-back reads Discord's thread lists and,
 * only for threads not seen before, the audit log. A check that fails is tried again with
 * a growing delay, and the next look-back covers it anyway. Nothing here touches the
 * database except through `ChannelContext.state`.
 */
import type { Client } from 'discord.js';
import type { ChannelStateStore } from '../../conversation/channel-contract/channel-state.ts';
import type { Logger } from '../../logger.ts';
import { discordCode, isTransientDiscordError } from './discord-errors.ts';
import type { DiscordRest, DiscordThread } from './discord-rest.ts';
import { isAuditRefusal, snapshotOfJson, type AuditView, type CheckFollowUp, type ResolutionWatcher, type ThreadSnapshot } from './discord-resolution-watcher.ts';
import { backoffMs } from '../../backoff.ts';
import { SingleFlightLoop } from '../../single-flight-loop.ts';
import type { ThreadAudit } from './discord-thread-audit.ts';

/** Pages (of 100 threads) of one channel's archived threads read at most per look-back. */
const MAX_ARCHIVE_PAGES = 10;
/** Checked threads remembered in memory. */
const MAX_REMEMBERED = 10_000;
/** Threads waiting to be checked again, at most. */
const MAX_RECHECKS = 1_000;
/** Tries of a failed check before leaving it to the periodic look-back. */
const RECHECK_ATTEMPTS = 6;
const RECHECK_FIRST_MS = 5_000;
/**
 * A thread that changed this recently and did not count is not remembered as checked:
 * its audit-log entry may still be on its way.
 */
const SETTLE_MS = 2 * 60_000;
const KEY_PREFIX = 'checked:';

export interface SweepOptions {
  /** How far back to look (ms). */
  windowMs: number;
  /** How often to look again (ms). */
  intervalMs: number;
}

export class ResolutionSweep implements CheckFollowUp {
  private readonly remembered = new Map<string, string>();
  private readonly rechecks = new Map<string, { guildId: string; attempt: number; timer: NodeJS.Timeout | null }>();
  private readonly careChannels: Set<string>;
  private readonly busy = new Set<Promise<void>>();
  /** One look-back at a time, on request and every interval; a request during one asks for one more. */
  private readonly lookBacks: SingleFlightLoop;
  /** Why the next look-back runs, for its log line (none: the interval). */
  private why: string | null = null;
  private started = false;

  constructor(private readonly deps: {
    client: Client;
    /** Reads retried after transient failures (DiscordRest.retryingReads). */
    rest: DiscordRest;
    audit: ThreadAudit;
    watcher: ResolutionWatcher;
    state: ChannelStateStore;
    careChannelIds: string[];
    logger: Logger;
    options: SweepOptions;
    /** Aborted when the adapter stops: no new look-backs or re-checks. */
    signal: AbortSignal;
  }) {
    this.careChannels = new Set(deps.careChannelIds);
    this.lookBacks = new SingleFlightLoop({
      pass: () => this.sweep(this.takeWhy()),
      onError: (err) => deps.logger.warn({ err: errorText(err) }, 'discord look-back failed'),
      intervalMs: deps.options.intervalMs,
    });
    // The adapter stopping: no new look-back.
    if (deps.signal.aborted) void this.lookBacks.stop();
    else deps.signal.addEventListener('abort', () => void this.lookBacks.stop(), { once: true });
  }

  /** Look back now (the client is ready), then every interval. */
  start(): void {
    if (this.started || this.deps.signal.aborted) return;
    this.started = true;
    this.why = 'ready';
    void this.lookBacks.start();
  }

  /** A shard (re)connected with a new session: events may have been missed, look back. */
  onShardReady(): void {
    if (this.started) this.lookBack('reconnect');
  }

  /** After the signal was aborted: let what runs finish (its waits end at once). */
  async stop(): Promise<void> {
    for (const r of this.rechecks.values()) if (r.timer) clearTimeout(r.timer);
    this.rechecks.clear();
    await Promise.allSettled([this.lookBacks.stop(), ...this.busy]);
  }

  /** Resolves once the running look-back and re-checks are done (tests). */
  async idle(): Promise<void> {
    for (;;) {
      await this.lookBacks.idle();
      if (this.busy.size === 0) return;
      await Promise.allSettled([...this.busy]);
    }
  }

  // ── CheckFollowUp: what the live path hands over ─────────────────────────

  checked(snapshot: ThreadSnapshot): void {
    this.track(this.remember(snapshot));
  }

  /** Check this thread again after a growing delay (bounded), as it is then. */
  later(guildId: string, threadId: string): void {
    if (this.deps.signal.aborted) return;
    let entry = this.rechecks.get(threadId);
    if (!entry) {
      if (this.rechecks.size >= MAX_RECHECKS) {
        this.deps.logger.warn({ threadId }, 'too many threads waiting to be checked again: this one waits for the next look-back');
        return;
      }
      entry = { guildId, attempt: 0, timer: null };
      this.rechecks.set(threadId, entry);
    }
    if (entry.timer) return;
    if (entry.attempt >= RECHECK_ATTEMPTS) {
      this.rechecks.delete(threadId);
      this.deps.logger.warn({ threadId }, 'thread still cannot be checked: left to the next look-back');
      return;
    }
    const delay = Math.min(this.deps.options.intervalMs, backoffMs(entry.attempt + 1, RECHECK_FIRST_MS, this.deps.options.intervalMs));
    const e = entry;
    e.timer = setTimeout(() => {
      e.timer = null;
      e.attempt++;
      this.track(this.recheck(e.guildId, threadId));
    }, delay);
    e.timer.unref();
  }

  // ── the look-back ────────────────────────────────────────────────────────

  private lookBack(why: string): void {
    this.why = why;
    void this.lookBacks.request();
  }

  private takeWhy(): string {
    const why = this.why ?? 'interval';
    this.why = null;
    return why;
  }

  private async sweep(why: string): Promise<void> {
    const since = new Date(Date.now() - this.deps.options.windowMs);
    const counts = { threads: 0, checked: 0, resolved: 0, failed: 0 };
    for (const guild of this.deps.client.guilds.cache.values()) {
      if (this.deps.signal.aborted) return;
      if (!guild.available || !this.deps.watcher.isServedGuild(guild.id)) continue;
      try {
        await this.sweepGuild(guild.id, since, counts);
      } catch (err) {
        counts.failed++;
        this.deps.logger.warn({ guildId: guild.id, code: discordCode(err), err: errorText(err) }, 'could not look back over recently closed threads: trying again at the next look-back');
      }
    }
    const level = counts.resolved > 0 || counts.failed > 0 ? 'info' : 'debug';
    this.deps.logger[level]({ why, ...counts, sinceHours: Math.round(this.deps.options.windowMs / 3_600_000) }, 'discord look-back over recently closed threads');
  }

  private async sweepGuild(guildId: string, since: Date, counts: { threads: number; checked: number; resolved: number }): Promise<void> {
    const { rest, client } = this.deps;
    const guildChannels = client.guilds.cache.get(guildId)?.channels.cache;
    const care = [...this.careChannels].filter((id) => guildChannels?.has(id));
    if (care.length === 0) return;
    const found: DiscordThread[] = [];
    for (const t of await rest.activeGuildThreads(guildId)) {
      // Active threads count only when locked or tagged; archived ones come from each channel's list.
      if (this.careChannels.has(t.parent_id ?? '') && (t.thread_metadata.locked || t.applied_tags.length > 0)) found.push(t);
    }
    for (const channelId of care) found.push(...await this.archivedSince(channelId, since));
    counts.threads += found.length;

    const fresh: ThreadSnapshot[] = [];
    for (const t of found) {
      const snapshot = snapshotOfJson(t);
      if (snapshot && !await this.isRemembered(snapshot)) fresh.push(snapshot);
    }
    if (fresh.length === 0) return;
    const audit = await this.auditSince(guildId, since);
    for (const snapshot of fresh) {
      if (this.deps.signal.aborted) return;
      counts.checked++;
      if (await this.checkNow(snapshot, audit, since) === 'scheduled') counts.resolved++;
    }
  }

  /** A care channel's threads archived since `since`, newest first (bounded). */
  private async archivedSince(channelId: string, since: Date): Promise<DiscordThread[]> {
    const out: DiscordThread[] = [];
    let before: string | undefined;
    for (let page = 0; page < MAX_ARCHIVE_PAGES; page++) {
      let list: { threads: DiscordThread[]; hasMore: boolean };
      try {
        list = await this.deps.rest.archivedPublicThreads(channelId, 100, before);
      } catch (err) {
        if (isTransientDiscordError(err)) throw err;
        this.deps.logger.warn({ channelId, code: discordCode(err) }, 'cannot list the archived threads of a care channel (the bot needs View Channel and Read Message History)');
        return out;
      }
      for (const t of list.threads) {
        if (Date.parse(t.thread_metadata.archive_timestamp) < since.getTime()) return out;
        out.push(t);
      }
      const last = list.threads.at(-1);
      if (!list.hasMore || !last) break;
      before = last.thread_metadata.archive_timestamp;
    }
    return out;
  }

  private async auditSince(guildId: string, since: Date): Promise<AuditView> {
    try {
      return await this.deps.audit.since(guildId, since);
    } catch (err) {
      if (!isAuditRefusal(err)) throw err;
      this.deps.logger.warn({ guildId, code: discordCode(err) }, 'cannot read the audit log (give the bot View Audit Log): only tagged threads are found by the look-back');
      return 'unreadable';
    }
  }

  /** Check one thread as it is now; on failure, check it again later. */
  private async checkNow(snapshot: ThreadSnapshot, audit: AuditView, since: Date): Promise<string> {
    try {
      const result = await this.deps.watcher.checkSnapshot(snapshot, audit, since);
      if (result.status !== 'not-resolved') {
        this.deps.logger.info({ threadId: snapshot.id, status: result.status }, 'discord thread resolution found by the look-back');
      }
      const recent = Date.now() - (snapshot.archiveTimestamp ?? 0) < SETTLE_MS;
      if (result.status !== 'not-resolved' || !recent) await this.remember(snapshot);
      this.rechecks.delete(snapshot.id);
      return result.status;
    } catch (err) {
      this.deps.logger.warn({ threadId: snapshot.id, code: discordCode(err), err: errorText(err) }, 'could not check a thread: it will be checked again');
      this.later(snapshot.guildId, snapshot.id);
      return 'failed';
    }
  }

  /** A thread whose check failed, fetched and checked again as it is now. */
  private async recheck(guildId: string, threadId: string): Promise<void> {
    if (this.deps.signal.aborted) return;
    const since = new Date(Date.now() - this.deps.options.windowMs);
    let snapshot: ThreadSnapshot | null;
    let audit: AuditView;
    try {
      const json = await this.deps.rest.thread(threadId);
      snapshot = json ? snapshotOfJson(json) : null;
      audit = snapshot ? await this.auditSince(snapshot.guildId, since) : [];
    } catch (err) {
      if (isTransientDiscordError(err)) {
        this.deps.logger.warn({ threadId, code: discordCode(err), err: errorText(err) }, 'could not check a thread: it will be checked again');
        this.later(guildId, threadId);
      } else {
        // Deleted, or out of the bot's reach now: nothing left to check.
        this.rechecks.delete(threadId);
        this.deps.logger.warn({ threadId, code: discordCode(err) }, 'thread to check again is gone or out of reach');
      }
      return;
    }
    if (!snapshot) {
      this.rechecks.delete(threadId);
      return;
    }
    await this.checkNow(snapshot, audit, since);
  }

  // ── what was checked ─────────────────────────────────────────────────────

  private async isRemembered(snapshot: ThreadSnapshot): Promise<boolean> {
    const sig = signature(snapshot);
    if (this.remembered.get(snapshot.id) === sig) return true;
    try {
      const stored = await this.deps.state.get(KEY_PREFIX + snapshot.id);
      if (stored === sig) {
        this.rememberInMemory(snapshot.id, sig);
        return true;
      }
    } catch (err) {
      // The shared state is out of reach: check the thread again (the engine deduplicates).
      this.deps.logger.debug({ err: errorText(err) }, 'discord: channel state unreadable');
    }
    return false;
  }

  private async remember(snapshot: ThreadSnapshot): Promise<void> {
    const sig = signature(snapshot);
    this.rememberInMemory(snapshot.id, sig);
    try {
      const expiresAt = new Date(Date.now() + this.deps.options.windowMs + 3_600_000);
      await this.deps.state.set(KEY_PREFIX + snapshot.id, sig, { expiresAt });
    } catch (err) {
      this.deps.logger.debug({ err: errorText(err) }, 'discord: channel state unwritable');
    }
  }

  private rememberInMemory(threadId: string, sig: string): void {
    this.remembered.delete(threadId);
    this.remembered.set(threadId, sig);
    while (this.remembered.size > MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value as string);
  }

  private track(p: Promise<unknown>): void {
    const done = p.then(() => undefined, (err: unknown) => {
      this.deps.logger.warn({ err: errorText(err) }, 'discord re-check failed');
    });
    this.busy.add(done);
    void done.finally(() => this.busy.delete(done));
  }
}

/** What a thread looks like, as far as resolving goes: a new archive, lock or tag makes a new signature. */
function signature(t: ThreadSnapshot): string {
  return `${t.archived ? 'a' : '-'}${t.locked ? 'l' : '-'}:${[...t.appliedTags].sort().join(',')}:${t.archiveTimestamp ?? ''}`;
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}
