/**
 * What in a thread update may mean "resolved": the forum's resolved tag was added, the
 * thread was locked, or it was archived. Pure: it compares the thread before and after
 * the update; whether the change came from staff is checked afterwards (audit log).
 * An update that changes nothing (a repeated dispatch) yields nothing.
 */
export interface ThreadState {
  archived: boolean;
  locked: boolean;
  appliedTags: readonly string[];
}

export type ResolutionTrigger = 'tag' | 'lock' | 'archive';

export interface TriggerOptions {
  /** The id of the forum tag named DISCORD_RESOLVED_TAG, if the thread's forum has one. */
  resolvedTagId?: string;
  onArchive: boolean;
  onLock: boolean;
}

/** The triggers in the order they are checked: tag, lock, archive. */
export function resolutionTriggers(before: ThreadState, after: ThreadState, opts: TriggerOptions): ResolutionTrigger[] {
  const triggers: ResolutionTrigger[] = [];
  const tag = opts.resolvedTagId;
  if (tag && after.appliedTags.includes(tag) && !before.appliedTags.includes(tag)) triggers.push('tag');
  if (opts.onLock && after.locked && !before.locked) triggers.push('lock');
  if (opts.onArchive && after.archived && !before.archived) triggers.push('archive');
  return triggers;
}

/** The id of the tag with this name (case-insensitive), among a forum's tags. */
export function tagIdByName(tags: ReadonlyArray<{ id: string; name: string }>, name: string): string | undefined {
  const wanted = name.trim().toLowerCase();
  return tags.find((t) => t.name.trim().toLowerCase() === wanted)?.id;
}
