/**
 * Who archived, locked or tagged a thread. THREAD_UPDATE does not say, so the server's
 * audit log is asked (the bot needs View Audit Log). Discord's own archiving after
 * inactivity leaves no entry, which is how a staff member closing a thread is told
 * apart from a thread that simply went quiet.
 */
import { SnowflakeUtil } from 'discord.js';
import type { AuditEntry, DiscordRest } from './discord-rest.ts';

export type ThreadChange =
  | { key: 'archived' }
  | { key: 'locked' }
  | { key: 'applied_tags'; tagId: string };

/** How far an entry's time may be from the change it explains. */
const MATCH_WINDOW_MS = 60_000;
/** Audit-log pages (of 100 entries) read at most when looking back over a window. */
const MAX_PAGES = 10;

export class ThreadAudit {
  constructor(
    private readonly rest: DiscordRest,
    /** Audit-log entries can trail the gateway event by a moment: look once more after this. */
    private readonly retryAfterMs = 1000,
  ) {}

  /** The id of whoever made the change around `at`, or null when the log has no such entry. */
  async actor(guildId: string, threadId: string, change: ThreadChange, at: Date): Promise<string | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.retryAfterMs));
      const entries = await this.rest.threadUpdates(guildId);
      const found = entries.find((e) => matches(e, threadId, change, at));
      if (found) return found.user_id;
    }
    return null;
  }

  /**
   * The server's THREAD_UPDATE entries made since `since`, newest first, read page by page
   * (at most 1,000 entries): what a look-back over recently closed threads checks against.
   */
  async since(guildId: string, since: Date): Promise<AuditEntry[]> {
    const all: AuditEntry[] = [];
    let before: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const entries = await this.rest.threadUpdates(guildId, 100, before);
      all.push(...entries.filter((e) => entryTime(e) >= since.getTime()));
      const last = entries.at(-1);
      if (entries.length < 100 || !last || entryTime(last) < since.getTime()) break;
      before = last.id;
    }
    return all;
  }
}

/** When an entry was written (from its snowflake id). */
export function entryTime(entry: AuditEntry): number {
  return Number(SnowflakeUtil.timestampFrom(entry.id));
}

/**
 * Among entries already read (newest first): the newest one for this thread making the
 * change at `at` (give the archive time for an archive), or, without `at`, the newest
 * one making it at all (a lock or a tag, whose time a thread does not record).
 */
export function findChange(entries: readonly AuditEntry[], threadId: string, change: ThreadChange, at?: Date): AuditEntry | undefined {
  return entries.find((e) => (at ? matches(e, threadId, change, at) : changes(e, threadId, change)));
}

export function matches(entry: AuditEntry, threadId: string, change: ThreadChange, at: Date): boolean {
  // An older entry (archived, reopened, then auto-archived) must not count for this change.
  if (Math.abs(entryTime(entry) - at.getTime()) > MATCH_WINDOW_MS) return false;
  return changes(entry, threadId, change);
}

/** Whether the entry records this change to this thread, whenever it was made. */
function changes(entry: AuditEntry, threadId: string, change: ThreadChange): boolean {
  if (entry.target_id !== threadId) return false;
  return entry.changes.some((c) => {
    if (c.key !== change.key) return false;
    if (change.key === 'applied_tags') {
      const after = Array.isArray(c.new_value) ? c.new_value : [];
      const before = Array.isArray(c.old_value) ? c.old_value : [];
      return after.includes(change.tagId) && !before.includes(change.tagId);
    }
    return c.new_value === true;
  });
}
