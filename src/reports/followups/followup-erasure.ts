/**
 * The follow-up side of forgetting a customer (src/forget.ts): the follow-ups of the
 * erased surveys lose their links, notes and the text of messages back (a message back
 * keeps when, who and how it went), and take the survey's new conversation id. Alerts
 * already posted to managers quoted the customer and cannot be erased from here: they
 * are listed so a person can delete them.
 */
import { randomBytes } from 'node:crypto';
import type mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import { versionedUpdate } from '../../storage/versioned-update.ts';
import { followupModel } from './followup-model.ts';

/** A detractor alert already posted: it quoted the customer's comment, and only a person can delete it there. */
export interface PostedAlert { followupId: string; postedAt: string; postedTo: string | null }

export interface FollowupErasure { erased: number; unfinished: number; alertsPosted: PostedAlert[] }

export async function eraseFollowupsOf(
  conn: Connection,
  surveyIds: readonly mongoose.Types.ObjectId[],
  conversationOf: ReadonlyMap<string, string>,
  attempts: number,
): Promise<FollowupErasure> {
  const out: FollowupErasure = { erased: 0, unfinished: 0, alertsPosted: [] };
  const followups = followupModel(conn);
  const linked = await followups.find({ surveyId: { $in: surveyIds } }).lean().exec();
  for (const f of linked) {
    if (f.notifiedAt) {
      const to = f.notifiedTo ?? null;
      out.alertsPosted.push({ followupId: String(f._id), postedAt: f.notifiedAt.toISOString(), postedTo: to });
    }
    const conversationId = conversationOf.get(String(f.surveyId)) ?? `forgotten:${randomBytes(12).toString('hex')}`;
    if (await eraseFollowup(followups, f._id, conversationId, attempts)) out.erased++;
    else out.unfinished++;
  }
  return out;
}

async function eraseFollowup(model: ReturnType<typeof followupModel>, id: mongoose.Types.ObjectId, conversationId: string, attempts: number): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const f = await model.findById(id, { version: 1, replies: 1 }).lean().exec();
    if (!f) return true;
    // The note and the messages back are managers' free text about this customer: they go too
    // (a message back keeps when, who and how it went, not what it said).
    const replies = (f.replies ?? []).map((r) => ({ at: r.at, by: r.by, status: r.status, text: '' }));
    const done = await versionedUpdate(model, id, f.version ?? 0, {
      $set: { conversationId, ...(replies.length > 0 ? { replies } : {}) },
      $unset: { link: '', note: '', notifyError: '', remindError: '' },
    });
    if (done) return true;
  }
  return false;
}
