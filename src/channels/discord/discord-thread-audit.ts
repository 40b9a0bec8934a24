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
}

export function matches(entry: AuditEntry, threadId: string, change: ThreadChange, at: Date): boolean {
  if (entry.target_id !== threadId) return false;
  // An older entry (archived, reopened, then auto-archived) must not count for this change.
  const entryTime = Number(SnowflakeUtil.timestampFrom(entry.id));
  if (Math.abs(entryTime - at.getTime()) > MATCH_WINDOW_MS) return false;
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
