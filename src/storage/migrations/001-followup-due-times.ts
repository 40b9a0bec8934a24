/**
 * Follow-ups opened before due times existed have no `dueAt`; every reader computed it
 * as openedAt + FOLLOWUP_DUE_HOURS. Store exactly that, so queries on `dueAt` (overdue
 * lists, the summary) need no fallback for old documents.
 */
import type { Migration } from './migration.ts';

const BATCH = 500;

export const followupDueTimes: Migration = {
  id: 1,
  name: 'followup-due-times',
  describe: 'follow-ups without a due time get dueAt = openedAt + FOLLOWUP_DUE_HOURS',
  async up({ conn, settings }) {
    const dueMs = settings.followupDueMs;
    const followups = conn.collection('followups');
    let changed = 0;
    for (;;) {
      const batch = await followups.find({ dueAt: { $exists: false }, openedAt: { $type: 'date' } }, { projection: { openedAt: 1 } }).limit(BATCH).toArray();
      if (batch.length === 0) return { changed };
      const result = await followups.bulkWrite(batch.map((f) => ({
        updateOne: {
          // Still without a due time: a second runner (or a rerun) changes nothing.
          filter: { _id: f._id, dueAt: { $exists: false } },
          update: { $set: { dueAt: new Date((f.openedAt as Date).getTime() + dueMs) } },
        },
      })), { ordered: false });
      changed += result.modifiedCount;
    }
  },
};
